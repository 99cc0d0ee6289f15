"""The report's tables of the label-free choices (restart candidates, result checkpoint)."""

from infogan_tf.selection_tables import final_choice_table, restarts_table


def _candidate(seed, information, confidence, consistency=None):
    candidate = {"seed": seed, "step": 2000, "mutual_information": information,
                 "mean_confidence": confidence}
    if consistency is not None:
        candidate["code_consistency"] = consistency
    return candidate


def test_restarts_table_lists_each_candidate_and_the_continued_one():
    selection = {"candidates": [_candidate(0, 2.2231, 0.9712), _candidate(1000, 2.2319, 0.9745)],
                 "chosen": {"seed": 1000}, "diverged": [{"seed": 2000}]}
    lines = restarts_table([{"seed": 0, "metrics": {"selection": selection}},
                            {"seed": 1, "metrics": {}}])
    assert lines[0].startswith("Label-free restarts (`--candidates`): each seed's candidates "
                               "after 2,000 steps")
    assert "--candidate_code_consistency" not in lines[0]
    assert lines[-2] == "| 0 | 0: 2.223, 0.971; 1000: 2.232, 0.975; 2000: diverged | 1000 |"
    assert lines[-1] == ""
    assert len(lines) == 6  # text, blank, header, rule, one seed, blank: seed 1 chose nothing


def test_restarts_table_names_the_categories_a_code_moves_against_the_others():
    against = {"c2": {"against": ["8"]}, "c3": {"against": ["1", "7"]}}
    consistent = {"c2": {"against": []}, "c3": {"against": []}}
    selection = {"candidates": [_candidate(3, 2.2251, 0.9741, against),
                                _candidate(1003, 2.2228, 0.9734, consistent)],
                 "chosen": {"seed": 1003}}
    lines = restarts_table([{"seed": 3, "metrics": {"selection": selection}}])
    assert "--candidate_code_consistency" in lines[0]
    assert lines[-2] == ("| 3 | 3: 2.225, 0.974 (c2 against 8; c3 against 1, 7); "
                         "1003: 2.223, 0.973 (codes consistent) | 1003 |")


def test_final_choice_table_lists_the_scored_checkpoints_and_the_result():
    choice = {"candidates": [{"step": 3000, "mutual_information": 2.23712},
                             {"step": 4000, "mutual_information": 2.24697},
                             {"step": 5000, "mutual_information": 2.21720}],
              "chosen": {"step": 4000}}
    lines = final_choice_table([{"seed": 3, "metrics": {"final_choice": choice}}])
    assert lines[-2] == "| 3 | 3,000: 2.237; 4,000: 2.247; 5,000: 2.217 | 4,000 |"
    assert lines[2] == "| seed | checkpoints: step, I(x; c) | result |"


def test_tables_are_empty_when_no_seed_made_the_choice():
    seeds = [{"seed": 0, "metrics": {"c1_accuracy": 0.95}}]
    assert restarts_table(seeds) == []
    assert final_choice_table(seeds) == []


def test_restarts_table_gives_each_candidates_factor_verdicts():
    def factor(code, median, against=()):
        return {"code": code, "median_rho": median, "against": list(against),
                "shown": abs(median) >= 0.5 and not against}
    flipped = dict(_candidate(1002, 2.2288, 0.9800),
                   factor_check={"rotation": factor("c2", -0.975),
                                 "width": factor("c3", 0.835, ["7"])})
    shown = dict(_candidate(2002, 2.2107, 0.9710),
                 factor_check={"rotation": factor("c2", -0.97), "width": factor("c3", -0.95)})
    flat = dict(_candidate(4002, 2.2201, 0.9733),
                factor_check={"rotation": factor("c2", 0.9), "width": factor("c3", -0.06)})
    selection = {"candidates": [flipped, shown, flat], "chosen": {"seed": 2002}}
    lines = restarts_table([{"seed": 2, "metrics": {"selection": selection}}])
    assert "--candidate_factor_check" in lines[0]
    assert "--candidate_code_consistency" not in lines[0]
    assert lines[-2] == ("| 2 | 1002: 2.229, 0.980 [rotation c2 shown; width c3: 7 against]; "
                         "2002: 2.211, 0.971 [rotation c2 shown; width c3 shown]; "
                         "4002: 2.220, 0.973 [rotation c2 shown; width c3: median ρ -0.06] "
                         "| 2002 |")
