"""code_consistency: continuous codes that move some categories against the others."""

import math

import pytest

from infogan_tf import code_consistency, digit_measures

# Spearman's rho of c2 with slant per category, from docs/studies/study_code_views/
# seed_3_sweeps.jsonl and seed_0_sweeps.jsonl (scripts/code_sweeps.py).
SEED3_STEP5000 = {"0": -0.9997, "1": -0.9097, "2": 0.9093, "3": -1.0, "4": -0.96,
                  "5": -0.995, "6": -0.969, "7": -0.9953, "8": -0.9943, "9": -0.844}
SEED3_CANDIDATE_1003 = {"0": -0.8807, "1": -1.0, "2": -0.939, "3": -0.996, "4": -0.863,
                        "5": -0.9783, "6": -1.0, "7": -0.9957, "8": -0.9917, "9": -1.0}
SEED0_CANDIDATE_0 = {"0": 0.8387, "1": 0.9643, "2": 0.9667, "3": -0.9743, "4": -0.366,
                     "5": 0.778, "6": 0.997, "7": 0.7743, "8": 0.699, "9": 0.9543}


def _measures(**by_kind):
    return {kind: {"by_group": by_group} for kind, by_group in by_kind.items()}


def test_the_category_turned_against_the_others_is_found():
    # Seed 3: the category of the 1s (2) turns the other way; its candidate 1003 did not.
    assert code_consistency.categories_against(SEED3_STEP5000) == ["2"]
    assert code_consistency.categories_against(SEED3_CANDIDATE_1003) == []
    # Seed 0's candidate 0: category 3 clearly against (-0.97); category 4 (-0.37) is too
    # weak to count at the default 0.5, and counts at 0.3.
    assert code_consistency.categories_against(SEED0_CANDIDATE_0) == ["3"]
    assert code_consistency.categories_against(SEED0_CANDIDATE_0, min_rho=0.3) == ["3", "4"]


def test_nan_and_zero_median_categories():
    assert code_consistency.categories_against({"0": 0.9, "1": math.nan, "2": -0.8,
                                                "3": 0.7}) == ["2"]
    assert code_consistency.categories_against({"0": 0.9, "1": -0.9}) == []  # Median 0.
    assert code_consistency.categories_against({"0": math.nan}) == []


def test_dominant_measure_is_the_one_moved_most_in_every_category():
    # A flip lowers the overall rho but not the per-category size: slant stays dominant.
    measures = _measures(slant=SEED3_STEP5000,
                         width={k: 0.3 * (-1) ** int(k) for k in SEED3_STEP5000},
                         breadth={k: math.nan for k in SEED3_STEP5000})
    assert code_consistency.dominant_measure(measures) == "slant"
    assert code_consistency.dominant_measure(_measures(slant={"0": 0.2}, width={"0": -0.9})) \
        == "width"


def test_code_consistency_reports_each_code_and_counts_the_inconsistent_ones():
    sweep = {"codes": {
        "c2": _measures(slant=SEED3_STEP5000, width={k: 0.1 for k in SEED3_STEP5000}),
        "c3": _measures(slant={k: 0.2 for k in SEED3_STEP5000},
                        width={k: -1.0 for k in SEED3_STEP5000})}}
    result = code_consistency.code_consistency(sweep)
    assert result["inconsistent_codes"] == 1
    assert result["codes"]["c2"]["measure"] == "slant"
    assert result["codes"]["c2"]["against"] == ["2"]
    assert result["codes"]["c2"]["by_category"]["2"] == pytest.approx(0.9093)
    assert result["codes"]["c3"] == {"measure": "width", "against": [],
                                     "by_category": {k: -1.0 for k in SEED3_STEP5000}}


# Step-2,000 sweeps (seed 0 latents, 200 rows) of two candidates of the averaged-weights
# study's seed 2 and one of the code-consistency study's seed 0, per category of c1
# (docs/studies/probe_factor_check/weight_average_candidates.jsonl and
# code_consistency_candidates.jsonl): overall rho, then by category.
WA_SEED2_1002 = {
    "c2": {"slant": (-0.859, [-0.81, -0.97, -1.0, -0.85, -1.0, -0.91, -1.0, -1.0, -0.07, -0.98]),
           "width": (-0.496, [-0.27, -0.75, -0.54, -0.1, -0.87, -0.23, -0.59, -0.81, -0.46,
                              -0.34])},
    "c3": {"slant": (0.882, [0.91, 1.0, 0.99, 0.57, 0.98, 1.0, 0.39, 1.0, 1.0, 0.99]),
           "width": (0.63, [0.99, 0.76, 0.44, 0.56, 0.95, 0.81, 0.96, -0.98, 0.86, 0.93])}}
WA_SEED2_2002 = {
    "c2": {"slant": (-0.962, [-0.96, -0.91, -0.85, -1.0, -0.96, -0.97, -1.0, -1.0, -1.0, -0.98]),
           "width": (-0.201, [-0.1, -0.06, -0.5, -0.25, 0.37, 0.0, -0.0, -0.93, 0.02, -0.57])},
    "c3": {"slant": (-0.656, [-0.87, -0.84, -0.37, -0.68, -0.42, -0.28, -1.0, -0.54, -0.62,
                              -0.95]),
           "width": (-0.909, [-0.99, -0.93, -0.9, -0.98, -1.0, -0.84, -1.0, -0.88, -0.59,
                              -0.97])}}
CC_SEED0_1000 = {
    "c2": {"slant": (-0.926, [-1.0, -1.0, -1.0, -1.0, -1.0, -0.99, -0.94, -1.0, -0.91, -0.42]),
           "width": (-0.076, [-0.51, 0.07, -0.5, -0.11, -0.84, -0.37, 0.41, 0.46, 0.25, 0.38])},
    "c3": {"slant": (-0.086, [0.25, 0.03, -0.67, 0.2, -0.98, 0.83, -0.31, -0.7, 0.08, 0.4]),
           "width": (-0.078, [-0.57, 0.82, -0.43, 0.04, 0.99, -0.11, -0.92, -0.01, -0.01,
                              -0.57])}}


def _sweep(recorded):
    codes = {name: {kind: {"spearman": rho, "by_group": {str(k): v for k, v in enumerate(rhos)}}
                    for kind, (rho, rhos) in measures.items()}
             for name, measures in recorded.items()}
    return {"codes": codes, "names": digit_measures.name_codes(codes)}


def test_factor_check_finds_a_width_code_that_runs_one_category_the_other_way():
    # Seed 2's continued candidate: c2 is the rotation code (0.86 + 0.63 beats 0.88 + 0.50)
    # and follows slant in every category (the 8s barely, but not against); c3 is the width
    # code and thins category 7's strokes where it thickens every other's. The dominant-measure
    # check passes it: c3 follows slant more (mean |rho| 0.88 against 0.82).
    result = code_consistency.factor_check(_sweep(WA_SEED2_1002))
    rotation, width = result["factors"]["rotation"], result["factors"]["width"]
    assert (rotation["code"], rotation["against"], rotation["shown"]) == ("c2", [], True)
    assert rotation["median_rho"] == pytest.approx((-0.98 - 0.97) / 2)
    assert (width["code"], width["against"], width["shown"]) == ("c3", ["7"], False)
    assert width["median_rho"] == pytest.approx((0.81 + 0.86) / 2)
    assert result["factors_shown"] == 1
    assert code_consistency.code_consistency(_sweep(WA_SEED2_1002))["inconsistent_codes"] == 0
    # Seed 2's candidate 2002 shows both.
    shown = code_consistency.factor_check(_sweep(WA_SEED2_2002))
    assert shown["factors_shown"] == 2
    assert shown["factors"]["width"]["median_rho"] == pytest.approx((-0.97 - 0.93) / 2)


def test_factor_check_finds_a_width_code_that_follows_no_width():
    # The code-consistency study's seed 0: c3 moves breadth, and width up in two categories
    # and down in others; the median category's width barely moves (-0.06).
    result = code_consistency.factor_check(_sweep(CC_SEED0_1000))
    width = result["factors"]["width"]
    assert width["median_rho"] == pytest.approx((-0.11 - 0.01) / 2)
    assert width["against"] == ["1", "4"]
    assert not width["shown"] and result["factors_shown"] == 1
    # Without those two categories nothing runs against the median, and the code still
    # shows no width: the median category's |rho| is below MIN_FOLLOWED_RHO.
    calmer = {"c2": CC_SEED0_1000["c2"],
              "c3": dict(CC_SEED0_1000["c3"], width=(-0.2, [-0.57, 0.1, -0.43, 0.04, 0.1,
                                                             -0.11, -0.92, -0.01, -0.01, -0.57]))}
    width = code_consistency.factor_check(_sweep(calmer))["factors"]["width"]
    assert (width["code"], width["against"], width["shown"]) == ("c3", [], False)
    assert code_consistency.factor_check(_sweep(calmer), min_followed=0.05)["factors"][
        "width"]["shown"]


def test_factor_check_with_one_continuous_code_names_only_its_measure():
    one = {"c2": WA_SEED2_2002["c2"]}
    result = code_consistency.factor_check(_sweep(one))
    assert set(result["factors"]) == {"rotation"}
    assert result["factors_shown"] == 1
