"""--generator_updates: G takes several Adam steps per training step on the same latents."""

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.config import ConfigError, TrainConfig, validate_config
from run_helpers import TINY_BATCH as BATCH, TINY_SPEC as SPEC, tiny_images
from run_helpers import tiny_trainer as _trainer


def _inputs():
    rng = tf.random.Generator.from_seed(11)
    return tf.constant(tiny_images()), SPEC.sample(rng, BATCH), SPEC.sample(rng, BATCH)


def _weights(trainer):
    return [v.numpy() for v in trainer.discriminator.variables + trainer.generator.variables]


def test_two_generator_updates_are_one_step_plus_a_second_g_update_on_the_same_latents():
    images, d_latents, g_latents = _inputs()
    twice = _trainer(generator_updates=2)
    once = _trainer()
    for a, b in zip(_weights(twice), _weights(once)):
        np.testing.assert_array_equal(a, b)  # Same seed, same initial weights.
    twice.replica_step(images, d_latents, g_latents)
    once.replica_step(images, d_latents, g_latents)
    gradients, _ = once.generator_gradients(g_latents)
    once.g_updater.apply_gradients(zip(gradients, once.generator.trainable_variables))
    for a, b in zip(_weights(twice), _weights(once)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(twice.g_optimizer.iterations.numpy()) == 2
    assert int(twice.d_optimizer.iterations.numpy()) == 1


def test_the_second_update_changes_g_beyond_one_update():
    images, d_latents, g_latents = _inputs()
    twice, once = _trainer(generator_updates=2), _trainer()
    twice.replica_step(images, d_latents, g_latents)
    once.replica_step(images, d_latents, g_latents)
    difference = max(np.abs(a.numpy() - b.numpy()).max() for a, b in
                     zip(twice.generator.trainable_variables, once.generator.trainable_variables))
    assert difference > 1e-5


def test_generator_updates_must_be_positive():
    with pytest.raises(ConfigError, match="--generator_updates must be a positive integer"):
        validate_config(TrainConfig(model_dir="m", latent=SPEC, generator_updates=0))
