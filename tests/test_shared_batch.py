"""--share_generated_batch: G's update back-propagates through the batch G generated
for D/Q's update, instead of generating its own."""

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.trainer import InfoGANTrainer
from run_helpers import TINY_BATCH as BATCH, TINY_SPEC as SPEC, tiny_images
from run_helpers import tiny_trainer as _trainer
from run_helpers import two_replica_strategy


def _inputs():
    return tf.constant(tiny_images()), SPEC.sample(tf.random.Generator.from_seed(11), BATCH)


def _trainable(trainer):
    return [v.numpy() for v in trainer.discriminator.trainable_variables
            + trainer.generator.trainable_variables]


def _max_difference(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(_trainable(a), _trainable(b)))


@pytest.mark.parametrize("overrides", [{}, {"generator_updates": 2},
                                       {"learn_continuous_std": True, "q_learning_rate": 1e-3}])
def test_shared_step_equals_the_plain_step_given_the_same_latents_to_both_players(overrides):
    images, latents = _inputs()
    shared = _trainer(share_generated_batch=True, **overrides)
    plain = _trainer(**overrides)
    shared.replica_step(images, latents)
    plain.replica_step(images, latents, latents)
    assert _max_difference(shared, plain) < 1e-5
    assert int(shared.g_optimizer.iterations.numpy()) == overrides.get("generator_updates", 1)


def test_shared_step_differs_from_a_plain_step_with_fresh_latents_for_g():
    images, latents = _inputs()
    other = SPEC.sample(tf.random.Generator.from_seed(12), BATCH)
    shared, plain = _trainer(share_generated_batch=True), _trainer()
    shared.replica_step(images, latents)
    plain.replica_step(images, latents, other)
    assert _max_difference(shared, plain) > 1e-5


def test_shared_generator_gradients_match_the_plain_ones_after_a_d_update():
    images, latents = _inputs()
    trainer = _trainer()
    gradients, _ = trainer.discriminator_gradients(images, latents)
    trainer.d_updater.apply_gradients(zip(gradients, trainer.discriminator.trainable_variables))
    with tf.GradientTape() as tape:
        fake_images = trainer.generate(latents)
    shared, shared_loss = trainer.shared_generator_gradients(tape, fake_images, latents)
    plain_loss = trainer.generator_objective(latents)
    plain = trainer.generator_gradients(latents)[0]
    np.testing.assert_allclose(float(shared_loss), float(plain_loss), rtol=1e-6)
    for a, b in zip(shared, plain):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-7)


def test_shared_step_runs_in_the_distributed_loop_on_two_replicas():
    strategy = two_replica_strategy()
    config = TrainConfig(model_dir="unused", latent=SPEC, batch_size=BATCH, seed=3,
                         share_generated_batch=True)
    trainer = InfoGANTrainer(config, strategy)
    images = tiny_images(4 * BATCH)
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(BATCH, drop_remainder=True)
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    metrics = trainer.train_loop(iterator, tf.constant(3))
    assert int(trainer.step.numpy()) == 3
    assert all(np.isfinite(float(v)) for v in metrics.values())


@pytest.mark.parametrize("overrides, message", [
    ({"jit_compile": True}, "drop --jit_compile"),
    ({"contrastive_regularizer": 1.0}, "with --contrastive_regularizer leave it off")])
def test_share_generated_batch_refuses_what_it_cannot_do(overrides, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(TrainConfig(model_dir="m", latent=SPEC, share_generated_batch=True,
                                    **overrides))
