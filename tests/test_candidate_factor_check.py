"""--candidate_factor_check: candidates whose codes show slant and width in every category."""

import json
import os
import subprocess

import numpy as np
import pytest

from run_helpers import short_config

from infogan_tf import candidates, code_consistency
from infogan_tf.config import ConfigError, validate_config
from infogan_tf.latent import LatentSpec
from infogan_tf.model_io import load_trained_model
from infogan_tf.training import TrainingDivergedError, train

from test_candidates import _category_rhos


def _score(mi, shown, confidence=0.97):
    return {"mutual_information": mi, "mean_confidence": confidence, "factors_shown": shown}


def test_choose_ranks_shown_factors_first_within_the_margin():
    # The averaged-weights study's seed 2 at step 2,000 (I(x; c) from its selection.json,
    # factors from docs/studies/probe_factor_check/): 1002 was continued on I(x; c) alone.
    seed2 = [_score(2.0995, 1), _score(2.2288, 1), _score(2.2107, 2)]
    assert candidates.choose(seed2) == 2
    # Candidate 2 shows both factors but lost digits (0.129 nats below the best): not it.
    seed2[0]["factors_shown"] = 2
    seed2[2]["factors_shown"] = 1
    assert candidates.choose(seed2) == 1
    # Factors rank before --candidate_code_consistency's count, which breaks their ties.
    both = [dict(_score(2.22, 2), inconsistent_codes=1), dict(_score(2.21, 1),
                                                              inconsistent_codes=0),
            dict(_score(2.20, 2), inconsistent_codes=0)]
    assert candidates.choose(both) == 2


def test_another_candidate_is_needed_only_while_none_close_to_the_best_shows_both():
    config = short_config("unused", None, candidates=3, candidate_steps=2,
                          candidate_factor_check=True, candidate_limit=6)
    assert candidates.needs_another_candidate(config, [_score(2.22, 1), _score(2.21, 0)])
    assert not candidates.needs_another_candidate(config, [_score(2.22, 1), _score(2.21, 2)])
    # Both factors, but 0.06 nats below the best: it would not be continued, so train more.
    assert candidates.needs_another_candidate(config, [_score(2.22, 1), _score(2.16, 2)])
    plain = short_config("unused", None, candidates=3, candidate_steps=2)
    assert not candidates.needs_another_candidate(plain, [_score(2.22, 0)])


@pytest.mark.parametrize("overrides, message", [
    (dict(candidates=1, candidate_factor_check=True), "--candidate_factor_check ranks"),
    (dict(candidates=2, candidate_factor_check=True, latent=LatentSpec.from_counts(8, [10], 1)),
     "at least two continuous codes"),
    (dict(candidates=2, candidate_limit=4), "add --candidate_factor_check"),
    (dict(candidates=3, candidate_factor_check=True, candidate_limit=2),
     "--candidate_limit=2 must be at least --candidates=3"),
])
def test_bad_factor_check_settings_are_refused(tmp_path, overrides, message):
    config = short_config(tmp_path / "run", None, candidate_steps=2, **overrides)
    with pytest.raises(ConfigError, match=message):
        validate_config(config)


def _scripted_selection(monkeypatch, shown_by_seed, diverging=()):
    """train_with_candidates with no training: candidates score 2.2 nats and the factors
    given per seed; returns the seeds train_fn was called with, in order."""
    trained = []

    def train_fn(config):
        trained.append(config.seed if config.init_from is None else ("continued", config.seed))
        os.makedirs(config.model_dir, exist_ok=True)
        if config.seed in diverging:
            raise TrainingDivergedError("loss NaN")
        return {"step": config.train_steps}

    def score(config, candidate, images, log):
        return dict(_score(2.2, shown_by_seed[candidate.seed]), seed=candidate.seed,
                    checkpoint=f"{candidate.model_dir}/ckpt-2")
    monkeypatch.setattr(candidates, "_score_candidate", score)
    monkeypatch.setattr(candidates.data_lib, "load_dataset",
                        lambda *args: type("Data", (), {"images": np.zeros((4, 28, 28, 1))}))
    return trained, train_fn


def test_more_candidates_train_until_one_shows_both_factors(tmp_path, monkeypatch):
    shown = {5: 1, 1005: 0, 2005: 1, 3005: 2, 4005: 2}
    trained, train_fn = _scripted_selection(monkeypatch, shown, diverging={2005})
    config = short_config(tmp_path / "run", None, candidates=2, candidate_steps=2,
                          candidate_factor_check=True, candidate_limit=5)
    messages = []
    candidates.train_with_candidates(config, train_fn, log=messages.append)
    assert trained == [5, 1005, 2005, 3005, ("continued", 3005)]
    selection = json.loads((tmp_path / "run" / candidates.SELECTION_FILE).read_text())
    assert [c["seed"] for c in selection["candidates"]] == [5, 1005, 3005]
    assert [d["seed"] for d in selection["diverged"]] == [2005]
    assert "up to 5, while none shows both" in selection["rule"]
    assert sum("shows both factors: candidate" in m for m in messages) == 2


def test_the_limit_stops_the_search_and_the_best_ranked_is_continued(tmp_path, monkeypatch):
    shown = {5: 0, 1005: 1, 2005: 1, 3005: 2}
    trained, train_fn = _scripted_selection(monkeypatch, shown)
    config = short_config(tmp_path / "run", None, candidates=2, candidate_steps=2,
                          candidate_factor_check=True, candidate_limit=3)
    candidates.train_with_candidates(config, train_fn, log=lambda _: None)
    # 1005 and 2005 tie on everything; the first of equals is kept.
    assert trained == [5, 1005, 2005, ("continued", 1005)]
    # Without a limit (0), --candidates is the limit.
    trained, train_fn = _scripted_selection(monkeypatch, shown)
    config = short_config(tmp_path / "other", None, candidates=2, candidate_steps=2,
                          candidate_factor_check=True)
    candidates.train_with_candidates(config, train_fn, log=lambda _: None)
    assert trained == [5, 1005, ("continued", 1005)]


def test_factor_check_is_measured_on_each_real_candidate(tmp_path, mnist_dir, monkeypatch,
                                                         python_env):
    monkeypatch.setattr(candidates, "SCORE_IMAGES", 500)
    run_dir = tmp_path / "run"
    config = short_config(run_dir, mnist_dir, candidates=2, candidate_steps=2,
                          candidate_factor_check=True, candidate_limit=2)
    messages = []
    candidates.train_with_candidates(config, train, log=messages.append)
    selection = json.loads((run_dir / candidates.SELECTION_FILE).read_text())
    assert sum("factors shown in every category" in m for m in messages) == 2
    for entry in selection["candidates"]:
        factors = entry["factor_check"]
        assert set(factors) == {"rotation", "width"}
        assert {factors["rotation"]["code"], factors["width"]["code"]} == {"c2", "c3"}
        model = load_trained_model(entry["model_dir"])
        for role, factor in factors.items():
            # Each category's rho recomputed with scipy (test_candidates._category_rhos).
            expected = _category_rhos(model, int(factor["code"][1]) - 2, factor["measure"])
            finite = [rho for rho in expected.values() if np.isfinite(rho)]
            assert factor["median_rho"] == pytest.approx(np.median(finite), abs=1e-3)
            assert factor["shown"] == (abs(np.median(finite)) >= 0.5 and not factor["against"])
        assert entry["factors_shown"] == sum(f["shown"] for f in factors.values())
    # score_checkpoints --with_factor_check gives the same verdicts for a finished candidate.
    env, python = python_env
    first = selection["candidates"][0]
    result = subprocess.run(
        [python, "-m", "infogan_tf.score_checkpoints", f"--data_dir={mnist_dir}",
         "--score_images=500", "--with_factor_check", "--with_test_accuracy", first["model_dir"]],
        env=env, capture_output=True, text=True, timeout=300, check=True)
    row = json.loads(result.stdout.splitlines()[0])
    assert row["factors_shown"] == first["factors_shown"]
    assert row["factor_check"] == first["factor_check"]
    assert row["mutual_information"] == pytest.approx(first["mutual_information"], abs=1e-9)
    counts = [count for _, _, count in row["largest_confusions"]]
    assert len(counts) <= 3 and counts == sorted(counts, reverse=True)
