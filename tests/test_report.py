"""RESULTS.md from saved results: tables, targets, figures and the sections kept."""

import json
import os
import statistics

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import report
from infogan_tf import summaries
from infogan_tf import study_results

ACCURACIES = [0.97, 0.955, 0.99, 0.93, 0.962]


def _contingency(merge_nine_into_four=False):
    counts = np.diag(np.full(10, 100))
    if merge_nine_into_four:  # Most 9s sit in category 4; category 9 holds half the 1s.
        counts[9, 9], counts[9, 4] = 10, 90
        counts[1, 1], counts[1, 9] = 50, 50
    return counts.tolist()


def _metrics(seed, accuracy, rho_slant=-0.95, rho_width=0.92, merged=False):
    def sweep(rho):
        return {"spearman": rho, "spearman_std": 0.1, "pooled_spearman": rho, "curve": [0, 1]}
    return {
        "step": 5000,
        "categorical": {"c1": {"accuracy": accuracy, "nmi": accuracy - 0.05,
                               "ari": accuracy - 0.1, "test_images": 10000,
                               "contingency": _contingency(merged),
                               "cluster_to_label": {str(k): k for k in range(10)},
                               "label_free": {"mean_confidence": 0.9 + seed / 100,
                                              "assignment_entropy": 2.3,
                                              "max_entropy": 2.302585}}},
        "information": {"c1": 2.29, "c2": -0.3, "c3": -0.3},
        "continuous": {"codes": {"c2": {"slant": sweep(rho_slant), "width": sweep(0.1)},
                                 "c3": {"slant": sweep(0.2), "width": sweep(rho_width)}},
                       "names": {"rotation": "c2", "width": "c3"}},
        "sample_quality": {"classifier_test_accuracy": 0.9916,
                           "classifier": {"settings": {"epochs": 5}, "test_examples": 10000,
                                          "sha256": "x"},
                           "generated": {"images": 10000, "classifier_score": 9.0 + seed / 10,
                                         "frechet_distance": 5.0 + seed},
                           "real": {"images": 10000, "classifier_score": 9.8,
                                    "frechet_distance": 0.9}},
        "environment": {"python": "3.11", "tensorflow": "2.21.0", "keras": "3.15.1",
                        "numpy": "2.4", "scipy": "1.17", "platform": "Linux", "processor": "x86",
                        "cpu_count": 2, "gpus": []},
    }


def _record(minutes):
    return {"train": {"command": ["python", "-m", "infogan_tf.main", "--seed=0"],
                      "sessions": [{"seconds": 60.0 * minutes, "returncode": 0}] * 2},
            "eval": {"command": ["python", "-m", "infogan_tf.evaluate"],
                     "sessions": [{"seconds": 30.0, "returncode": 0}]}}


def _results(accuracies=ACCURACIES, gan_max=0.6, merged_seed=None):
    seeds = [{"seed": s, "metrics": _metrics(s, a, merged=(s == merged_seed)),
              "record": _record(10)} for s, a in enumerate(accuracies)]
    steps = list(range(1, 1001))
    infogan = [min(2.3, 0.05 * s) for s in steps]  # 2.2 reached at step 44.
    gan = [gan_max if s == 30 else 0.06 for s in steps]
    figure1 = {"infogan": {"metrics": _metrics(9, 0.8), "record": _record(3),
                           "curve": {"steps": steps, "values": infogan}},
               "gan": {"metrics": _metrics(9, 0.3), "record": _record(3),
                       "curve": {"steps": steps, "values": gan}}}
    return {"study_dir": "runs/study", "seeds": seeds, "figure1": figure1, "notes": "Looks good."}


def _row(text, first_cell):
    return next(line for line in text.splitlines() if line.startswith(f"| {first_cell} |"))


def test_seed_table_and_mean_std_match_independent_statistics():
    text = report.render_results(_results())
    mean_row = _row(text, "**mean ± std**")
    percents = [100 * a for a in ACCURACIES]
    assert (f"{statistics.mean(percents):.2f} ± {statistics.stdev(percents):.2f}" in mean_row)
    fds = [5.0 + s for s in range(5)]
    assert f"{statistics.mean(fds):.2f} ± {statistics.stdev(fds):.2f}" in mean_row
    confidences = [0.9 + s / 100 for s in range(5)]
    assert f"| {statistics.mean(confidences):.3f} ± {statistics.stdev(confidences):.3f} |" \
        in mean_row
    assert "| 2.290 | 0.930 | c2, -0.95 |" in _row(text, "3")
    assert "| 3 | 5000 | 93.00 |" in text
    assert "c2, -0.95" in _row(text, "0") and "c3, +0.92" in _row(text, "0")
    assert "Looks good." in text and "## Exact commands" in text
    # 5 seeds x 2 sessions x 10 min + 2 Figure 1 runs x 2 x 3 min; 7 evaluations of 0.5 min.
    assert "112.0 min training, 3.5 min evaluation, over 7 runs" in text


def test_targets_are_judged_from_the_results():
    text = report.render_results(_results())
    assert "| 96.14% over 5 seeds | yes |" in _row(text, "c1 accuracy, mean over ≥ 5 seeds ≥ 96%")
    assert "93.00% | yes |" in _row(text, "c1 accuracy, worst seed ≥ 93%")
    assert "max 2.300 | yes |" in _row(text, "Figure 1: InfoGAN L_I ≥ 2.2 within 100 iterations")
    assert "| 5 of 5 seeds | yes |" in text
    worse = report.render_results(_results(accuracies=[0.97, 0.92], gan_max=0.75))
    assert "over 2 seeds | **no** |" in worse  # Fewer than 5 seeds never meets the target.
    assert "92.00% | **no** |" in worse
    assert "max 0.750 | **no** |" in worse


def test_figure1_section_names_the_pairs_flagfile_and_mentions_seeds_only_with_seeds():
    results = _results()
    text = report.render_results(results)
    assert "both with `--flagfile=flags/mnist_gan_baseline.cfg`" in text  # the default
    assert "as a cross-check" in text and "table above" in text

    for run in results["figure1"].values():
        run["record"]["train"]["command"] = [
            "python", "-m", "infogan_tf.main", "--flagfile=flags/mnist_figure1_normal_noise.cfg"]
    results["seeds"] = []
    alone = report.render_results(results)
    assert "both with `--flagfile=flags/mnist_figure1_normal_noise.cfg`" in alone
    assert "mnist_gan_baseline" not in alone
    assert "cross-check" not in alone and "table above" not in alone
    assert "| GAN baseline | 0.600 | 0.060 | 0.600 |" in alone


def test_merged_digits_are_named():
    assert summaries.merged_labels(_contingency(merge_nine_into_four=True)) == {9: 4}
    assert summaries.merged_labels(_contingency()) == {}
    # An unused category (all zeros) is nobody's majority, not label 0's.
    with_empty = np.array([[0, 2, 0], [0, 5, 0], [0, 0, 4]])
    assert summaries.merged_labels(with_empty) == {0: 1}

    text = report.render_results(_results(merged_seed=2))
    assert "| 9→4 |" in _row(text, "2")


def test_median_seed_and_figure1_summary():
    assert summaries.median_seed(_results()["seeds"]) == 4  # Accuracies sorted: .93 .955 .962...
    summary = summaries.figure1_summary(_results()["figure1"]["infogan"]["curve"])
    assert summary["max_early"] == pytest.approx(2.3)
    assert summary["late_mean"] == pytest.approx(2.3)
    assert summary["end"] == 1000
    # A 5,000-step run logged every 10: only iterations up to 1,000 count.
    long_run = {"steps": list(range(10, 5001, 10)),
                "values": [0.1 * s if s <= 1000 else 9.0 for s in range(10, 5001, 10)]}
    summary = summaries.figure1_summary(long_run)
    assert summary["max_early"] == pytest.approx(10.0) and summary["max"] == pytest.approx(100.0)
    assert summary["late_mean"] == pytest.approx(np.mean([0.1 * s for s in range(910, 1001, 10)]))
    assert summaries.mean_std([1.0]) == "1.000" and summaries.mean_std([]) == "–"
    # A run continued from a candidate's step 2,000 (--candidates) has no early curve.
    continued = summaries.figure1_summary({"steps": [2010, 2020], "values": [2.2, 2.3]})
    assert all(np.isnan(continued[key]) for key in ("max_early", "late_mean", "max"))


def test_collect_and_write_report_from_saved_files(tmp_path):
    study_dir, docs_dir = tmp_path / "study", tmp_path / "docs"
    for seed, accuracy in ((0, 0.9), (1, 0.95)):
        eval_dir = study_dir / f"seed_{seed}" / "eval"
        eval_dir.mkdir(parents=True)
        (eval_dir / "metrics.json").write_text(json.dumps(_metrics(seed, accuracy)))
        (eval_dir / "figure2_c1.png").write_bytes(b"png of seed %d" % seed)
    for key, values in (("infogan", [1.0, 2.2, 2.3]), ("gan", [0.5, 0.1, 0.05])):
        writer = tf.summary.create_file_writer(str(study_dir / f"figure1_{key}" / "train"))
        with writer.as_default():
            for step, value in enumerate(values, 1):
                tf.summary.scalar(study_results.FIGURE1_TAG, value, step=step)
        writer.flush()
    (tmp_path / "notes.md").write_text("Hand-written analysis.")
    results = study_results.collect_results(str(study_dir), str(tmp_path / "notes.md"))
    assert [r["seed"] for r in results["seeds"]] == [0, 1]
    assert results["figure1"]["gan"]["curve"]["values"] == pytest.approx([0.5, 0.1, 0.05])
    path = study_results.write_report(results, str(docs_dir))
    text = open(path).read()
    assert "Hand-written analysis." in text and "![Figure 1](figures/figure1.png)" in text
    assert "| GAN baseline | 0.500 | 0.217 | 0.500 |" in text
    assert "## Figure 2 (seed 0, the median accuracy)" in text
    assert (docs_dir / "figures" / "figure2_c1.png").read_bytes() == b"png of seed 0"
    assert (docs_dir / "figures" / "figure1.png").stat().st_size > 1000


def test_sections_written_by_other_commands_survive_a_regenerated_report():
    from infogan_tf.report import sections_of_other_commands
    existing = "\n".join([
        "# InfoGAN on MNIST: reproduced results", "",
        "Generated by `python -m infogan_tf.reproduce` ...", "",
        "## Targets", "", "| a | b |", "",
        "## BasicProp", "",
        "Written by `python -m infogan_tf.basicprop_eval --model_dir=x`; do not edit by hand.",
        "", "| c1 | position | 100.0 % |", "",
        "## Hand notes", "", "free text", "",
        "## dSprites", "",
        "Written by `python -m infogan_tf.reproduce_dsprites --seeds=0`; do not edit by hand.",
        "", "| InfoGAN (ours) | 1 |", ""])
    kept = sections_of_other_commands(existing)
    assert kept.startswith("## BasicProp\n") and "| c1 | position | 100.0 % |" in kept
    # reproduce_dsprites is another command, though its name starts with "reproduce".
    assert "## dSprites\n" in kept and "| InfoGAN (ours) | 1 |" in kept
    assert "Targets" not in kept and "Hand notes" not in kept
    assert sections_of_other_commands("# Results\n\n## Targets\n") == ""


def test_restarts_table_lists_each_seeds_candidates_and_choice():
    results = _results()
    assert "Label-free restarts" not in report.render_results(results)
    candidates = [{"seed": s, "step": 2000, "mutual_information": mi, "mean_confidence": c}
                  for s, mi, c in ((1, 2.1618, 0.9644), (1001, 2.2311, 0.9767))]
    results["seeds"][1]["metrics"]["selection"] = {"candidates": candidates,
                                                   "chosen": candidates[1]}
    text = report.render_results(results)
    assert "each seed's candidates after 2,000 steps" in text
    assert "| 1 | 1: 2.162, 0.964; 1001: 2.231, 0.977 | 1001 |" in text
    assert "--candidate_code_consistency" not in text
    # With the code check, each candidate's verdict: categories moved against the others.
    candidates[0]["code_consistency"] = {"c2": {"against": ["2"]}, "c3": {"against": []}}
    candidates[1]["code_consistency"] = {"c2": {"against": []}, "c3": {"against": []}}
    text = report.render_results(results)
    assert "With `--candidate_code_consistency`" in text
    assert ("| 1 | 1: 2.162, 0.964 (c2 against 2); 1001: 2.231, 0.977 (codes consistent) "
            "| 1001 |") in text


def test_final_choice_table_lists_each_seeds_checkpoints_and_result():
    results = _results()
    assert "Result checkpoint" not in report.render_results(results)
    scored = [{"step": s, "mutual_information": mi, "mean_confidence": 0.97}
              for s, mi in ((3000, 2.2241), (4000, 2.2538), (5000, 2.2402))]
    results["seeds"][2]["metrics"]["final_choice"] = {"candidates": scored, "chosen": scored[1]}
    text = report.render_results(results)
    assert "Result checkpoint (`--choose_checkpoint_from`)" in text
    assert "| 2 | 3,000: 2.224; 4,000: 2.254; 5,000: 2.240 | 4,000 |" in text


def test_a_continued_candidates_curve_starts_with_the_chosen_candidate(tmp_path):
    run_dir, chosen, other = tmp_path / "seed_0", tmp_path / "c0", tmp_path / "c1000"
    for folder, points in ((chosen, [(10, 1.0), (20, 2.0)]), (other, [(10, 0.5)]),
                           (run_dir, [(30, 2.2)])):
        writer = tf.summary.create_file_writer(str(folder / "train"))
        with writer.as_default():
            for step, value in points:
                tf.summary.scalar(study_results.FIGURE1_TAG, value, step=step)
        writer.flush()
    assert study_results.figure1_curve(str(run_dir)) == {"steps": [30], "values": [pytest.approx(2.2)]}
    (run_dir / "selection.json").write_text(json.dumps({"chosen": {"model_dir": str(chosen)}}))
    curve = study_results.figure1_curve(str(run_dir))
    assert curve["steps"] == [10, 20, 30]
    assert curve["values"] == pytest.approx([1.0, 2.0, 2.2])
    assert study_results.figure1_curve(str(tmp_path / "missing")) is None


def test_seeds_scored_by_different_reference_classifiers_are_labelled():
    results = _results()
    for run in results["seeds"][1:]:  # Seeds 1-4 continued on other machines.
        run["metrics"]["sample_quality"]["classifier"]["sha256"] = "b" * 64
    # Another file that measures real data alike is the same classifier for the report.
    assert "**A**" not in report.render_results(results)
    for run in results["seeds"][3:]:
        quality = run["metrics"]["sample_quality"]
        quality["classifier_test_accuracy"] = 0.9905
        quality["real"]["frechet_distance"] = 1.2
    text = report.render_results(results)
    assert "| 9.00 (A) | 5.00 (A) |" in _row(text, "0")
    assert "| 9.40 (B) | 9.00 (B) |" in _row(text, "4")
    assert "- **A** (sha256 x, seeds 0, 1, 2) scores **99.16%**" in text  # The first's sha.
    assert ("- **B** (sha256 bbbbbbbbbbbb, seeds 3, 4) scores **99.05%**" in text
            and "Fréchet distance 1.20 between" in text)
    assert "99.05% (the lowest of the study's classifiers) | yes |" in text
    # One classifier: no letters, one description.
    single = report.render_results(_results())
    assert "| 9.00 | 5.00 |" in _row(single, "0") and "**A**" not in single
    assert "The reference classifier (`infogan_tf/classifier.py`, settings" in single


def test_seeds_evaluated_on_averaged_weights_are_named():
    results = _results()
    assert "moving averages" not in report.render_results(results)
    for seed in (1, 3):
        results["seeds"][seed]["metrics"]["weights"] = "averaged"
    results["seeds"][0]["metrics"]["weights"] = "trained"
    text = report.render_results(results)
    assert "Networks (seeds 1, 3): the moving averages of G's and D/Q's weights" in text
