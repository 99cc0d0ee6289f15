"""--init_from: a run started from another run's checkpoint continues it exactly."""

import os

import numpy as np
import pytest
import tensorflow as tf

from run_helpers import checkpoint_values, checksums, short_config

from infogan_tf import events
from infogan_tf.checkpointing import CheckpointMismatchError
from infogan_tf.config import ConfigError
from infogan_tf.latent import LatentSpec
from infogan_tf.training import train

SPEC = LatentSpec.from_counts(2, [], 4)


def _dsprites(model_dir, dsprites_dir, steps, **overrides):
    values = dict(dataset="dsprites", architecture="dsprites", latent=SPEC, train_steps=steps,
                  checkpoint_every=2, image_every=100)
    return short_config(model_dir, dsprites_dir, **dict(values, **overrides))


def _with_regularizer(model_dir, dsprites_dir, steps, **overrides):
    return _dsprites(model_dir, dsprites_dir, steps, contrastive_regularizer=2.0,
                     cr_start_step=2, **overrides)


def test_regularizer_added_to_a_plain_run_equals_the_run_trained_with_it(tmp_path,
                                                                         dsprites_dir):
    straight, plain, warm = tmp_path / "straight", tmp_path / "plain", tmp_path / "warm"
    train(_with_regularizer(straight, dsprites_dir, 4))
    train(_dsprites(plain, dsprites_dir, 2))  # The same run without the regularizer.
    source = os.path.join(plain, "checkpoints", "ckpt-2")
    before = checksums(plain)
    train(_with_regularizer(warm, dsprites_dir, 4, init_from=source))
    assert checksums(plain) == before  # The source run is only read.

    expected = checkpoint_values(tf.train.latest_checkpoint(os.path.join(straight,
                                                                         "checkpoints")))
    got = checkpoint_values(tf.train.latest_checkpoint(os.path.join(warm, "checkpoints")))
    assert any(name.startswith("cr_classifier/") for name in expected)
    assert set(got) == set(expected)
    for name, value in expected.items():  # The fresh classifier included.
        np.testing.assert_array_equal(got[name], value, err_msg=name)
    assert events.read_scalars(os.path.join(warm, "train"))["loss/d_loss"][0] == [3, 4]

    # Resuming the warm-started run uses its own checkpoints, not --init_from's.
    train(_with_regularizer(warm, dsprites_dir, 6, init_from=source))
    assert events.read_scalars(os.path.join(warm, "train"))["loss/d_loss"][0] == [3, 4, 5, 6]


def test_a_model_dir_means_its_latest_checkpoint(tmp_path, dsprites_dir):
    plain, warm = tmp_path / "plain", tmp_path / "warm"
    train(_dsprites(plain, dsprites_dir, 2))
    train(_dsprites(warm, dsprites_dir, 3, init_from=str(plain)))
    assert events.read_scalars(os.path.join(warm, "train"))["loss/d_loss"][0] == [3]


def test_unusable_sources_are_refused_before_anything_is_written(tmp_path, dsprites_dir):
    plain = tmp_path / "plain"
    train(_dsprites(plain, dsprites_dir, 2))
    cases = [
        (dict(init_from=str(tmp_path / "missing")), ConfigError, "neither a model_dir nor"),
        (dict(init_from=str(tmp_path)), ConfigError, "holds no checkpoint"),
        (dict(init_from=str(plain), latent=LatentSpec.from_counts(2, [], 5)),
         CheckpointMismatchError, "latent_spec: the checkpoint has"),
        (dict(init_from=str(plain), q_learning_rate=1e-3), CheckpointMismatchError,
         "one optimizer for D and Q"),
    ]
    for overrides, error, message in cases:
        target = tmp_path / f"target_{len(os.listdir(tmp_path))}"
        with pytest.raises(error, match=message):
            train(_dsprites(target, dsprites_dir, 4, **overrides))
        assert not target.exists()
    with pytest.raises(ConfigError, match="at step 2, and --train_steps=2 leaves nothing"):
        train(_dsprites(tmp_path / "done", dsprites_dir, 2, init_from=str(plain)))
