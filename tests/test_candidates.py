"""--candidates: short runs from several seeds, the most even Q continued, no labels."""

import json
import os
import subprocess

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from run_helpers import checkpoint_values, checksums, short_config

from infogan_tf import candidates, code_consistency, digit_measures, evaluation, visualize
from infogan_tf import data as data_lib
from infogan_tf import events
from infogan_tf.config import ConfigError, validate_config
from infogan_tf.latent import LatentSpec
from infogan_tf.model_io import load_trained_model
from infogan_tf.training import TrainingDivergedError, train


def test_choose_prefers_the_most_information_then_confidence():
    # The faster-Q study's seeds 0 (4 and 9 mixed), 1 and 4 at step 2,000.
    scores = [{"mutual_information": 2.1618, "mean_confidence": 0.9644},
              {"mutual_information": 2.2311, "mean_confidence": 0.9767},
              {"mutual_information": 2.2265, "mean_confidence": 0.9733}]
    assert candidates.choose(scores) == 1
    tied = [{"mutual_information": 2.2, "mean_confidence": 0.95},
            {"mutual_information": 2.2 + 1e-9, "mean_confidence": 0.90},
            {"mutual_information": 2.2, "mean_confidence": 0.97}]
    assert candidates.choose(tied) == 2
    assert candidates.candidate_seeds(3, 3) == [3, 1003, 2003]
    # --candidate_code_consistency: a code that moves a category against the others ranks a
    # candidate last among those of about the same information (seed 3's candidates 3, 1003
    # and 2003).
    seed3 = [{"mutual_information": 2.2210, "mean_confidence": 0.973, "inconsistent_codes": 0},
             {"mutual_information": 2.2244, "mean_confidence": 0.975, "inconsistent_codes": 0},
             {"mutual_information": 2.2252, "mean_confidence": 0.975, "inconsistent_codes": 1}]
    assert candidates.choose(seed3) == 1
    # ... but not a candidate whose c1 mixed digits (seed 0's candidate 1000 scored 0.071
    # below the best): consistency counts only within CONSISTENCY_MARGIN_NATS of the best.
    seed0 = [{"mutual_information": 2.2260, "mean_confidence": 0.97, "inconsistent_codes": 1},
             {"mutual_information": 2.1600, "mean_confidence": 0.96, "inconsistent_codes": 0},
             {"mutual_information": 2.2310, "mean_confidence": 0.97, "inconsistent_codes": 1}]
    assert candidates.choose(seed0) == 2
    seed0[0]["inconsistent_codes"] = 0
    assert candidates.choose(seed0) == 0


@pytest.mark.parametrize("overrides, message", [
    (dict(candidates=0), "--candidates must be >= 1"),
    (dict(candidates=2, candidate_steps=4), "--candidate_steps=4 must be between 0"),
    (dict(candidates=2, candidate_steps=0), "--candidate_steps=0 must be between 0"),
    (dict(candidates=2, latent=LatentSpec.from_counts(8, [], 2)), "needs a categorical code"),
    (dict(candidates=2, strategy="multi_worker"), "multi_worker"),
    (dict(candidates=1, candidate_code_consistency=True), "--candidate_code_consistency ranks"),
    (dict(candidates=2, candidate_code_consistency=True,
          latent=LatentSpec.from_counts(8, [10], 0)), "needs both kinds of code"),
])
def test_bad_candidate_settings_are_refused(tmp_path, overrides, message):
    config = short_config(tmp_path / "run", None, **dict(dict(candidate_steps=2), **overrides))
    with pytest.raises(ConfigError, match=message):
        validate_config(config)


def test_init_from_with_candidates_is_refused_before_training(tmp_path, mnist_dir):
    config = short_config(tmp_path / "run", mnist_dir, candidates=2, candidate_steps=2,
                          init_from=str(tmp_path / "other"))
    with pytest.raises(ConfigError, match="cannot be combined with --init_from"):
        candidates.train_with_candidates(config, train, log=lambda _: None)
    assert not os.path.exists(tmp_path / "run")


def _check_scores_against_numpy(selection, mnist_dir):
    """Each candidate's I(x; c) recomputed independently from its Q on real images."""
    images = data_lib.load_dataset("mnist", mnist_dir, "train").images[:candidates.SCORE_IMAGES]
    for entry in selection["candidates"]:
        assert entry["step"] == 2 and entry["checkpoint"].endswith("ckpt-2")
        logits = _q_logits(entry["model_dir"], images).astype(np.float64)
        q = np.exp(logits - logits.max(axis=1, keepdims=True))
        q /= q.sum(axis=1, keepdims=True)
        marginal = q.mean(axis=0)
        information = (-np.sum(marginal * np.log(marginal))
                       + np.mean(np.sum(q * np.log(q), axis=1)))
        assert entry["mutual_information"] == pytest.approx(information, abs=1e-6)


def _check_score_checkpoints_reproduces(candidate, mnist_dir, python_env):
    """score_checkpoints gives a candidate's scores, adds its test accuracy, and names a
    missing checkpoint."""
    env, python = python_env
    result = subprocess.run(
        [python, "-m", "infogan_tf.score_checkpoints", f"--data_dir={mnist_dir}",
         "--with_test_accuracy", "--score_images=2000", f"{candidate['model_dir']}:2",
         f"{candidate['model_dir']}:9"],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "no checkpoint" in result.stderr
    row = json.loads(result.stdout.splitlines()[0])
    assert row["mutual_information"] == pytest.approx(candidate["mutual_information"], abs=1e-9)
    assert 0.0 <= row["test_accuracy"] <= 1.0


def _assert_same_weights(run_dir, other_dir):
    expected = checkpoint_values(tf.train.latest_checkpoint(str(other_dir / "checkpoints")))
    got = checkpoint_values(tf.train.latest_checkpoint(str(run_dir / "checkpoints")))
    assert set(got) == set(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)


def test_candidates_are_scored_without_labels_and_the_best_is_continued(tmp_path, mnist_dir,
                                                                        python_env, monkeypatch):
    monkeypatch.setattr(candidates, "SCORE_IMAGES", 2000)  # Fewer real images: a faster test.
    run_dir = tmp_path / "run"
    config = short_config(run_dir, mnist_dir, candidates=3, candidate_steps=2)
    messages, trained = [], []
    candidates.train_with_candidates(config, _third_candidate_diverges(trained),
                                     log=messages.append)

    selection = json.loads((run_dir / candidates.SELECTION_FILE).read_text())
    assert [c["seed"] for c in selection["candidates"]] == [5, 1005]
    # The diverged candidate is recorded, left out of the choice, and not retrained later.
    assert [(d["seed"], d["message"]) for d in selection["diverged"]] == [(2005, "loss NaN")]
    assert json.loads((run_dir / "candidates" / "seed_2005" / candidates.DIVERGED_FILE)
                      .read_text())["diverged"] == "loss NaN"
    assert any("seed 2005 diverged and is left out" in m for m in messages)
    _check_scores_against_numpy(selection, mnist_dir)
    best = max(selection["candidates"], key=lambda c: c["mutual_information"])
    assert selection["chosen"]["seed"] == best["seed"]
    assert any("continuing candidate seed" in m for m in messages)

    _check_score_checkpoints_reproduces(selection["candidates"][0], mnist_dir, python_env)

    # The run continued the chosen candidate: steps 3-4 only, from its weights.
    assert events.read_scalars(str(run_dir / "train"))["loss/d_loss"][0] == [3, 4]
    saved = json.loads((run_dir / "run_config.json").read_text())
    assert saved["init_from"] == best["checkpoint"] and saved["candidates"] == 3

    # The run is the chosen candidate trained on: the same weights as training that seed
    # straight to step 4 (with --deterministic).
    assert saved["seed"] == best["seed"]
    straight = tmp_path / "straight"
    train(short_config(straight, mnist_dir, seed=best["seed"]))
    _assert_same_weights(run_dir, straight)
    # That straight run has no candidates: adding --candidates to it is refused, untouched.
    before = checksums(str(straight))
    with pytest.raises(ConfigError, match="trained without --candidates"):
        candidates.train_with_candidates(
            short_config(straight, mnist_dir, candidates=2, candidate_steps=2), train,
            log=lambda _: None)
    assert checksums(str(straight)) == before

    # Running it again resumes: candidates and the choice are left as they were.
    before = checksums(str(run_dir / "candidates"))
    final = checkpoint_values(tf.train.latest_checkpoint(str(run_dir / "checkpoints")))
    trained.clear()
    candidates.train_with_candidates(config, _third_candidate_diverges(trained),
                                     log=messages.append)
    assert checksums(str(run_dir / "candidates")) == before
    assert [c.seed for c in trained] == [best["seed"]]  # Only the continued run resumes.
    again = checkpoint_values(tf.train.latest_checkpoint(str(run_dir / "checkpoints")))
    for name, value in final.items():
        np.testing.assert_array_equal(again[name], value, err_msg=name)


def test_code_consistency_is_measured_on_each_candidate_and_ranks_first(tmp_path, mnist_dir,
                                                                         monkeypatch):
    monkeypatch.setattr(candidates, "SCORE_IMAGES", 500)
    run_dir = tmp_path / "run"
    config = short_config(run_dir, mnist_dir, candidates=2, candidate_steps=2,
                          candidate_code_consistency=True)
    messages = []
    candidates.train_with_candidates(config, train, log=messages.append)
    selection = json.loads((run_dir / candidates.SELECTION_FILE).read_text())
    assert selection["rule"].startswith("among candidates within 0.04 nats of the highest "
                                        "mutual_information, fewest inconsistent_codes")
    entries = selection["candidates"]
    assert [set(e["code_consistency"]) for e in entries] == [{"c2", "c3"}] * 2
    assert selection["chosen"]["seed"] == entries[candidates.choose(entries)]["seed"]
    assert sum("codes moving categories against the others" in m for m in messages) == 2
    # Each category's rho, recomputed independently: scipy's Spearman per row of a sweep of
    # the same latents (seed 0), averaged over the rows of that category.
    for entry in entries:
        model = load_trained_model(entry["model_dir"])
        for j, name in enumerate(("c2", "c3")):
            reported = entry["code_consistency"][name]
            expected = _category_rhos(model, j, reported["measure"])
            assert set(reported["by_category"]) == set(expected)
            for category, rho in expected.items():
                got = reported["by_category"][category]
                assert (np.isnan(got) and np.isnan(rho)) or got == pytest.approx(rho, abs=1e-3)
            assert (name in [n for n, c in entry["code_consistency"].items() if c["against"]]) \
                == bool(reported["against"])
        assert entry["inconsistent_codes"] == sum(
            1 for c in entry["code_consistency"].values() if c["against"])


def _category_rhos(model, code_index, measure):
    values = evaluation.sweep_values(code_consistency.SWEEP_POINTS)
    rows = code_consistency.SWEEP_ROWS
    latents = visualize.continuous_traversal(model.config.latent, code_index, values=values,
                                             rows=rows, seed=0)
    images = evaluation.generate(model, latents)
    measured = digit_measures.measure_images(images, model.architecture.output_range)[measure]
    measured = measured.reshape(rows, len(values))
    groups = latents["categorical"][::len(values), 0]
    rhos = {}
    for group in np.unique(groups):
        per_row = []
        for row in measured[groups == group]:  # Rows whose measure is undefined or flat: NaN.
            ok = np.isfinite(row)
            per_row.append(stats.spearmanr(values[ok], row[ok]).correlation
                           if ok.sum() > 2 and np.ptp(row[ok]) > 0 else np.nan)
        rhos[str(group)] = (np.nan if np.all(np.isnan(per_row))
                            else float(np.nanmean(per_row)))
    return rhos


def _third_candidate_diverges(trained):
    """training.train, except that candidate seed 2005 diverges at once as a NaN loss would."""
    def train_fn(config):
        trained.append(config)
        if config.seed == 2005:
            raise TrainingDivergedError("loss NaN")
        return train(config)
    return train_fn


def test_a_run_whose_candidates_all_diverge_stops_with_one_clear_message(tmp_path):
    config = short_config(tmp_path / "run", None, candidates=2, candidate_steps=2)

    calls = []

    def diverge(candidate):
        calls.append(candidate.seed)
        raise TrainingDivergedError("loss NaN")
    with pytest.raises(TrainingDivergedError, match="all 2 candidates diverged"):
        candidates.train_with_candidates(config, diverge, log=lambda _: None)
    assert calls == [5, 1005]
    assert not os.path.exists(tmp_path / "run" / candidates.SELECTION_FILE)
    # Run again, each candidate's diverged.json stands: nothing retrains, same message.
    with pytest.raises(TrainingDivergedError, match="all 2 candidates diverged"):
        candidates.train_with_candidates(config, diverge, log=lambda _: None)
    assert calls == [5, 1005]


def _q_logits(model_dir, images):
    from infogan_tf import evaluation
    from infogan_tf.model_io import load_trained_model
    model = load_trained_model(model_dir)
    real = data_lib.scale_images(images, model.architecture.output_range).numpy()
    return np.asarray(evaluation.discriminate(model, real).categorical_logits[0])


def test_the_log_says_whether_a_candidate_is_trained_resumed_or_already_done(tmp_path):
    candidate = short_config(tmp_path / "candidate", None, train_steps=2000)
    plans = [candidates._training_plan(candidate)]
    checkpoints = tmp_path / "candidate" / "checkpoints"
    checkpoints.mkdir(parents=True)
    for step in (500, 1000):
        (checkpoints / f"ckpt-{step}.index").write_bytes(b"")
    plans.append(candidates._training_plan(candidate))
    (checkpoints / "ckpt-2000.index").write_bytes(b"")
    plans.append(candidates._training_plan(candidate))
    assert plans == ["training to step 2000", "resuming at step 1000, training to step 2000",
                     "already trained to step 2000"]
