"""compare_runs' library: per-checkpoint c1 scores, settings differences, the markdown."""

import json
import os

import numpy as np
import pytest

from infogan_tf import trajectory
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.networks import NetworkOptions


def _run_config(folder, **settings):
    os.makedirs(folder / "checkpoints", exist_ok=True)
    config = TrainConfig(model_dir=str(folder), latent=LatentSpec.from_counts(62, [10], 2),
                         **settings)
    (folder / "run_config.json").write_text(json.dumps(config.to_dict()))
    return str(folder)


def test_settings_difference_names_changed_settings_only(tmp_path):
    base = _run_config(tmp_path / "a", seed=1, train_steps=5000)
    other = _run_config(tmp_path / "b", seed=2, train_steps=3000, generator_mi_warmup_steps=1000,
                        network=NetworkOptions(noise_scale=0.1))
    assert trajectory.settings_difference(other, base) == \
        "generator_mi_warmup_steps=1000, network.noise_scale=0.1"
    assert trajectory.settings_difference(base, base) == "reference"
    assert trajectory.settings_difference(_run_config(tmp_path / "c", seed=7), base) == \
        "same settings"


def test_checkpoint_steps_are_sorted_numerically(tmp_path):
    folder = _run_config(tmp_path / "run")
    for step in (10000, 2000, 300):
        open(os.path.join(folder, "checkpoints", f"ckpt-{step}.index"), "w").close()
    assert trajectory.checkpoint_steps(folder) == [300, 2000, 10000]


def test_duplicated_digits_and_rendered_rows():
    assert trajectory.duplicated_digits([0, 1, 4, 4, 7, 9, 9, 9, 2, 3]) == [4, 9]
    assert trajectory.duplicated_digits(list(range(10))) == []
    scores = trajectory.CheckpointScores(2000, 0.8064, 0.8222, [8, 9, 5, 4, 7, 2, 1, 0, 6, 4],
                                         0.0634)
    text = trajectory.render_section(
        {"seed0": {"seed": 0, "difference": "reference", "scores": [scores]}}, "cmd --x")
    assert text.startswith("Written by `cmd --x`")
    assert "| seed0 | 0 | reference | 2,000 | 80.6 % | 82.2 % | 0.063 | 4 |" in text
