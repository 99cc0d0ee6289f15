"""--weight_average_decay: moving averages of G's and D/Q's weights, saved and loaded."""

import dataclasses
import json
import os
import subprocess

import numpy as np
import pytest
import tensorflow as tf
from run_helpers import checkpoint_values, short_config, two_replica_strategy

from infogan_tf import candidates, data, model_io
from infogan_tf.checkpointing import CheckpointMismatchError
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.latent import LatentSpec
from infogan_tf.trainer import InfoGANTrainer
from infogan_tf.training import train

DECAY = 0.5  # Large, so every step moves the averages visibly.
BATCH = 8


def _variables(trainer):
    return [v.numpy() for v in trainer.generator.variables + trainer.discriminator.variables]


def _averages(trainer):
    averages = trainer.averages
    return [v.numpy() for v in averages.averaged_generator.variables
            + averages.averaged_discriminator.variables]


@pytest.mark.parametrize("start", [0, 2])
def test_two_replica_steps_update_the_averages_as_the_moving_average_formula(start):
    strategy = two_replica_strategy()
    config = TrainConfig(model_dir="unused", latent=LatentSpec.from_counts(6, [10], 2),
                         batch_size=BATCH, seed=2, weight_average_decay=DECAY,
                         weight_average_start=start, train_steps=10)
    trainer = InfoGANTrainer(config, strategy)
    images = np.random.RandomState(0).uniform(-1, 1, (BATCH, 28, 28, 1)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensors(images).repeat()
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    expected = _variables(trainer)
    for got, want in zip(_averages(trainer), expected):
        np.testing.assert_array_equal(got, want)  # A fresh start: the weights themselves.
    for step in range(1, 5):
        trainer.train_loop(iterator, tf.constant(1, tf.int32))
        weights = _variables(trainer)
        # Up to the start step the averages are the weights; then the formula.
        decay = DECAY if step > start else 0.0
        expected = [decay * average + (1 - decay) * weight
                    for average, weight in zip(expected, weights)]
        if step == start:
            for got, want in zip(_averages(trainer), weights):
                np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    got = _averages(trainer)
    moved = 0
    for average, want, weight in zip(got, expected, weights):
        np.testing.assert_allclose(average, want, rtol=1e-5, atol=1e-6)
        moved += not np.allclose(average, weight)
    assert moved > 10  # Trainable weights and batch-norm statistics differ from the latest.


def _averaged_run(model_dir, mnist_dir, **overrides):
    return short_config(model_dir, mnist_dir, weight_average_decay=DECAY, **overrides)


def _stored_under(values, prefix, array):
    return any(key.startswith(prefix) and np.array_equal(value, array)
               for key, value in values.items())


@pytest.fixture(scope="module")
def averaged_run(tmp_path_factory, mnist_dir):
    run = tmp_path_factory.mktemp("averaged") / "run"
    train(_averaged_run(run, mnist_dir))
    return run


def test_checkpoints_hold_the_averages_and_loading_chooses_them(averaged_run):
    run = averaged_run
    values = checkpoint_values(os.path.join(run, "checkpoints", "ckpt-4"))
    default = model_io.load_trained_model(str(run))
    trained = model_io.load_trained_model(str(run), weights="trained")
    assert (default.weights, trained.weights) == ("averaged", "trained")
    differ = 0
    for network in ("generator", "discriminator"):
        averaged_variables = getattr(default, network).variables
        trained_variables = getattr(trained, network).variables
        for average, weight in zip(averaged_variables, trained_variables):
            assert _stored_under(values, f"averaged_{network}/", average.numpy())
            # Trained weights are stored under the optimizer's path too, never as averages.
            assert not _stored_under(values, "averaged_", weight.numpy()) or np.array_equal(
                average.numpy(), weight.numpy())
            differ += not np.array_equal(average.numpy(), weight.numpy())
    assert differ > 10


def test_averaged_discriminator_pairs_the_averaged_q_with_the_trained_generator(
        averaged_run, tmp_path, python_env):
    loaded = {w: model_io.load_trained_model(str(averaged_run), weights=w)
              for w in ("averaged", "averaged_discriminator", "trained")}
    mixed = loaded["averaged_discriminator"]
    for network, source in (("generator", "trained"), ("discriminator", "averaged")):
        for got, want in zip(getattr(mixed, network).variables,
                             getattr(loaded[source], network).variables):
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    env, python = python_env
    result = subprocess.run(
        [python, "-m", "infogan_tf.export", f"--model_dir={averaged_run}",
         f"--export_dir={tmp_path / 'export'}", "--weights=averaged_discriminator"],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "averaged_discriminator weights" in result.stdout
    with open(tmp_path / "export" / "1" / "assets" / "infogan_export.json") as f:
        assert json.load(f)["weights"] == "averaged_discriminator"


def test_score_checkpoints_scores_each_kind_of_weights(averaged_run, mnist_dir, python_env):
    env, python = python_env
    result = subprocess.run(
        [python, "-m", "infogan_tf.score_checkpoints", f"--data_dir={mnist_dir}",
         "--score_images=500", "--weights=trained,averaged", f"{averaged_run}:4"],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["weights"] for row in rows] == ["trained", "averaged"]
    images = data.load_dataset("mnist", mnist_dir, "train").images[:500]
    for row in rows:
        model = model_io.load_trained_model(str(averaged_run), weights=row["weights"])
        expected = candidates.score_model(model, images)["mutual_information"]
        assert row["mutual_information"] == pytest.approx(expected, abs=1e-9)
    assert rows[0]["mutual_information"] != rows[1]["mutual_information"]


def test_averaged_weights_of_a_run_without_them_are_refused(tmp_path, mnist_dir):
    run = tmp_path / "plain"
    train(short_config(run, mnist_dir))
    assert model_io.load_trained_model(str(run)).weights == "trained"
    for weights in ("averaged", "averaged_discriminator"):
        with pytest.raises(CheckpointMismatchError, match="without --weight_average_decay"):
            model_io.load_trained_model(str(run), weights=weights)


def test_a_warm_start_without_averages_starts_them_from_the_source(tmp_path, mnist_dir):
    plain, warm = tmp_path / "plain", tmp_path / "warm"
    train(short_config(plain, mnist_dir, train_steps=2))
    source = os.path.join(plain, "checkpoints", "ckpt-2")
    # checkpoint_every=3: the warm run's first checkpoint is one step after the source.
    train(_averaged_run(warm, mnist_dir, train_steps=3, checkpoint_every=3, init_from=source))
    after = os.path.join(warm, "checkpoints", "ckpt-3")
    networks = [model_io.load_trained_model(str(plain), source),
                model_io.load_trained_model(str(warm), after, weights="trained"),
                model_io.load_trained_model(str(warm), after, weights="averaged")]
    variables = [m.generator.variables + m.discriminator.variables for m in networks]
    moved = 0
    for start, weight, average in zip(*variables):
        np.testing.assert_allclose(average.numpy(), DECAY * start.numpy()
                                   + (1 - DECAY) * weight.numpy(), rtol=1e-5, atol=1e-6)
        moved += not np.allclose(start.numpy(), weight.numpy())
    assert moved > 10


@pytest.mark.parametrize("settings, message", [
    (dict(weight_average_decay=1.0), "--weight_average_decay must be in"),
    (dict(weight_average_start=100), "needs --weight_average_decay > 0"),
    (dict(weight_average_decay=0.9, weight_average_start=5000), "a step before --train_steps"),
])
def test_bad_averaging_settings_are_refused(settings, message):
    config = TrainConfig(model_dir="m", latent=LatentSpec.from_counts(6, [10], 2), **settings)
    with pytest.raises(ConfigError, match=message):
        validate_config(config)


def test_candidates_leave_averages_that_start_later_to_the_continued_run():
    config = TrainConfig(model_dir="m", latent=LatentSpec.from_counts(6, [10], 2),
                         candidates=3, candidate_steps=2000, weight_average_decay=0.999,
                         weight_average_start=2000)
    candidate = candidates.candidate_config(config, 1000)
    assert (candidate.weight_average_decay, candidate.weight_average_start) == (0.0, 0)
    validate_config(candidate)
    early = dataclasses.replace(config, weight_average_start=500)
    assert candidates.candidate_config(early, 1000).weight_average_start == 500
