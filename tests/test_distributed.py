"""Distributed correctness on 2 logical CPU devices.

One 2-replica step with a global batch of B must apply the same update as one
device applying the sum of the half-batch gradients (each half-batch loss
scaled by the global batch, i.e. the average of the two half-batch means),
with the same codes. A loss scaled by the per-replica batch would be off by 2.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from run_helpers import apply_summed_half_gradients

from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentBatch, LatentSpec
from infogan_tf.trainer import InfoGANTrainer

GLOBAL_BATCH = 8


def _config(**overrides):
    values = dict(model_dir="unused", latent=LatentSpec.from_counts(6, [10], 2),
                  batch_size=GLOBAL_BATCH, seed=5, learn_continuous_std=True)
    values.update(overrides)
    return TrainConfig(**values)


def _inputs(spec):
    rng = np.random.RandomState(0)
    real = rng.uniform(0, 1, (GLOBAL_BATCH, 28, 28, 1)).astype(np.float32)
    draw = tf.random.Generator.from_seed(11)
    return real, spec.sample(draw, GLOBAL_BATCH), spec.sample(draw, GLOBAL_BATCH)


def _half(latents, i):
    h = GLOBAL_BATCH // 2
    return LatentBatch(*(t[i * h:(i + 1) * h] for t in latents))


def _reference_step(trainer, real, d_latents, g_latents):
    """One device: sum of the two half-batch gradients, for D then for G."""
    h = GLOBAL_BATCH // 2
    apply_summed_half_gradients(trainer, (
        (trainer.d_optimizer, trainer.discriminator.trainable_variables,
         lambda i: trainer.discriminator_objective(real[i * h:(i + 1) * h],
                                                   _half(d_latents, i))[0]),
        (trainer.g_optimizer, trainer.generator.trainable_variables,
         lambda i: trainer.generator_objective(_half(g_latents, i)))))


def _use_sgd(trainer, strategy):
    with strategy.scope():
        trainer.d_optimizer = keras.optimizers.SGD(0.01)
        trainer.g_optimizer = keras.optimizers.SGD(0.01)
        trainer.d_optimizer.build(trainer.discriminator.trainable_variables)
        trainer.g_optimizer.build(trainer.generator.trainable_variables)


def _weights(trainer):
    return [v.numpy() for v in trainer.generator.trainable_variables +
            trainer.discriminator.trainable_variables]


@pytest.mark.parametrize("generator_mi", [True, False])
def test_two_replica_step_equals_averaged_half_batch_gradients(generator_mi):
    two = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    one = tf.distribute.MirroredStrategy(["/cpu:0"])
    config = _config(generator_mi=generator_mi)
    distributed, reference = InfoGANTrainer(config, two), InfoGANTrainer(config, one)
    # Plain SGD: Adam's first step is ~lr * sign(g), blind to a gradient off by 2x.
    for trainer, strategy in ((distributed, two), (reference, one)):
        _use_sgd(trainer, strategy)
    for a, b in zip(_weights(distributed), _weights(reference)):
        np.testing.assert_array_equal(a, b)  # Same seed, same initial weights.
    real, d_latents, g_latents = _inputs(config.latent)

    per_replica = two.experimental_distribute_values_from_function(
        lambda ctx: (real[ctx.replica_id_in_sync_group * 4:][:4],
                     _half(d_latents, ctx.replica_id_in_sync_group),
                     _half(g_latents, ctx.replica_id_in_sync_group)))

    @tf.function
    def distributed_step(inputs):
        return two.run(distributed.replica_step, args=inputs)

    distributed_step(per_replica)
    tf.function(lambda: one.run(_reference_step,
                                args=(reference, real, d_latents, g_latents)))()
    initial = _weights(InfoGANTrainer(config, one))
    for before, a, b in zip(initial, _weights(distributed), _weights(reference)):
        update, expected = a - before, b - before
        # Float noise is ~1e-6 of an update; a loss scaled by the replica count is 100%.
        assert np.linalg.norm(update - expected) <= 1e-3 * np.linalg.norm(expected) + 1e-9
    assert sum(np.linalg.norm(a - b) for a, b in zip(initial, _weights(reference))) > 1e-3


def test_replicas_draw_different_codes():
    two = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    trainer = InfoGANTrainer(_config(), two)

    @tf.function
    def draw():
        return two.run(lambda: trainer.spec.sample(trainer.rng, 16))

    first, second = two.experimental_local_results(draw())
    assert not np.allclose(first.noise.numpy(), second.noise.numpy())
    assert not np.array_equal(first.categorical.numpy(), second.categorical.numpy())
    assert not np.allclose(first.continuous.numpy(), second.continuous.numpy())
