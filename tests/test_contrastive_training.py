"""InfoGAN-CR in the trainer: 2-replica updates, the schedule, checkpoints, a short dSprites run."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import checkpointing
from infogan_tf import contrastive
from infogan_tf import events
from infogan_tf.checkpointing import CheckpointMismatchError
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.trainer import InfoGANTrainer
from infogan_tf.training import train
from run_helpers import (apply_summed_half_gradients, checkpoint_values, checksums,
                         short_config, two_replica_strategy)

BATCH = 8


def _half(batch, i):
    return type(batch)(*(t[i * BATCH // 2:(i + 1) * BATCH // 2] for t in batch))


def _sgd(trainer, strategy):
    """Plain SGD everywhere: Adam's first step is ~lr * sign(g), blind to a gradient off by 2x."""
    with strategy.scope():
        for name, model in (("d_optimizer", trainer.discriminator),
                            ("g_optimizer", trainer.generator)):
            setattr(trainer, name, keras.optimizers.SGD(0.01))
            getattr(trainer, name).build(model.trainable_variables)
        trainer.contrastive.optimizer = keras.optimizers.SGD(0.01)
        trainer.contrastive.optimizer.build(trainer.contrastive.model.trainable_variables)


def _weights(trainer):
    return [v.numpy() for v in trainer.generator.trainable_variables +
            trainer.discriminator.trainable_variables +
            trainer.contrastive.model.trainable_variables]


def _reference_step(trainer, real, d_latents, g_latents, pairs):
    """One device: D/Q, then the classifier, then G, each with the sum of the two
    half-batch gradients (each half a batch-norm batch, as on a replica). The
    contrastive term is written out here: lambda_cr times the mean cross-entropy
    over the GLOBAL batch of pairs."""
    def half(batch, i):
        return batch[i * 4:(i + 1) * 4] if isinstance(batch, (np.ndarray, tf.Tensor)) \
            else _half(batch, i)

    def cross_entropy_share(i):  # Half i's part of the global mean, so the halves sum to it.
        images = contrastive.generate_pairs(trainer.generator, trainer.spec,
                                            half(pairs[0], i), half(pairs[1], i))
        logits = trainer.contrastive.model(images, training=True)
        return tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(
            half(pairs[2], i), logits)) / BATCH

    weight = trainer.config.contrastive_regularizer
    apply_summed_half_gradients(trainer, (
        (trainer.d_optimizer, trainer.discriminator.trainable_variables,
         lambda i: trainer.discriminator_objective(half(real, i), half(d_latents, i))[0]),
        (trainer.contrastive.optimizer, trainer.contrastive.model.trainable_variables,
         cross_entropy_share),
        (trainer.g_optimizer, trainer.generator.trainable_variables,
         lambda i: trainer.generator_objective(half(g_latents, i))
         + weight * cross_entropy_share(i))))


def test_two_replica_contrastive_step_equals_summed_half_batch_gradients():
    two, one = two_replica_strategy(), tf.distribute.OneDeviceStrategy("/cpu:0")
    config = TrainConfig(model_dir="unused", latent=LatentSpec.from_counts(4, [], 3),
                         batch_size=BATCH, seed=5, contrastive_regularizer=2.0)
    distributed, reference = InfoGANTrainer(config, two), InfoGANTrainer(config, one)
    for trainer, strategy in ((distributed, two), (reference, one)):
        _sgd(trainer, strategy)
    initial = _weights(reference)
    for a, b in zip(_weights(distributed), initial):
        np.testing.assert_array_equal(a, b)  # Same seed, same initial weights.
    draw = tf.random.Generator.from_seed(11)
    real = np.random.RandomState(0).uniform(0, 1, (BATCH, 28, 28, 1)).astype(np.float32)
    d_latents, g_latents = config.latent.sample(draw, BATCH), config.latent.sample(draw, BATCH)
    pairs = contrastive.sample_pairs(config.latent, draw, BATCH)

    per_replica = two.experimental_distribute_values_from_function(
        lambda ctx: (real[ctx.replica_id_in_sync_group * 4:][:4],
                     _half(d_latents, ctx.replica_id_in_sync_group),
                     _half(g_latents, ctx.replica_id_in_sync_group),
                     (_half(pairs[0], ctx.replica_id_in_sync_group),
                      _half(pairs[1], ctx.replica_id_in_sync_group),
                      pairs[2][ctx.replica_id_in_sync_group * 4:][:4])))
    tf.function(lambda inputs: two.run(
        lambda r, d, g, p: distributed.replica_step(r, d, g, True, p), args=inputs))(per_replica)
    tf.function(lambda: one.run(_reference_step,
                                args=(reference, real, d_latents, g_latents, pairs)))()
    classifier_start = len(initial) - len(reference.contrastive.model.trainable_variables)
    for i, (before, a, b) in enumerate(zip(initial, _weights(distributed), _weights(reference))):
        update, expected = a - before, b - before
        # Float noise is ~1e-6 of an update; a loss scaled by the replica count is 100%.
        assert np.linalg.norm(update - expected) <= 1e-3 * np.linalg.norm(expected) + 1e-9, i
        if i >= classifier_start:
            assert np.linalg.norm(expected) > 0  # Every classifier weight learned.


def _dsprites_config(**overrides):
    values = dict(model_dir="unused", latent=LatentSpec.from_counts(5, [], 5),
                  architecture="dsprites", dataset="dsprites", batch_size=BATCH, seed=4,
                  lambda_continuous=0.05, contrastive_regularizer=2.0, cr_start_step=0,
                  cr_gap=1.0, cr_gap_end_step=3)
    values.update(overrides)
    return TrainConfig(**values)


def test_contrastive_loop_on_two_replicas_trains_then_restarts_the_classifier():
    strategy = two_replica_strategy()
    trainer = InfoGANTrainer(_dsprites_config(), strategy)
    images = np.random.default_rng(0).uniform(0, 1, (32, 64, 64, 1)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(BATCH).repeat()
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    initial = [v.numpy() for v in trainer.contrastive.model.weights]
    loop = trainer.train_loop_at(0)
    assert loop is trainer.contrastive_train_loop
    metrics = loop(iterator, tf.constant(3))
    assert set(contrastive.METRIC_NAMES) <= set(metrics)
    assert 0 < float(metrics["cr_loss"]) < 10 and 0 <= float(metrics["cr_accuracy"]) <= 1
    assert int(trainer.contrastive.optimizer.iterations.numpy()) == 3
    for variable, before in zip(trainer.contrastive.model.trainable_variables, initial):
        first, second = strategy.experimental_local_results(variable.value)
        np.testing.assert_array_equal(first.numpy(), second.numpy())  # Replicas in sync.
        assert not np.array_equal(first.numpy(), before)

    assert trainer.train_loop_at(3) is trainer.contrastive_train_loop  # The gap ends at 3.
    for variable, before in zip(trainer.contrastive.model.weights, initial):
        for local in strategy.experimental_local_results(variable.value):
            np.testing.assert_array_equal(local.numpy(), before)
    assert int(trainer.contrastive.optimizer.iterations.numpy()) == 0
    assert float(trainer.contrastive.optimizer.learning_rate.numpy()) == pytest.approx(2e-4)


def _cr_run(model_dir, dsprites_dir, steps):
    return short_config(model_dir, dsprites_dir, dataset="dsprites", architecture="dsprites",
                        latent=LatentSpec.from_counts(2, [], 4), train_steps=steps,
                        checkpoint_every=2, image_every=100, contrastive_regularizer=2.0,
                        cr_start_step=2, cr_gap=0.5, cr_gap_end_step=3)


def test_short_dsprites_run_logs_resumes_identically_and_guards_its_checkpoints(
        tmp_path, dsprites_dir):
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    train(_cr_run(straight, dsprites_dir, 4))
    scalars = events.read_scalars(os.path.join(straight, "train"))
    assert scalars["contrastive/cr_loss"][0] == [3, 4]  # From --cr_start_step=2 on.
    assert scalars["loss/d_loss"][0] == [1, 2, 3, 4]
    assert all(0 < v < 10 for v in scalars["contrastive/cr_loss"][1])

    train(_cr_run(resumed, dsprites_dir, 2))  # Stops before the start; resumes across the
    train(_cr_run(resumed, dsprites_dir, 4))  # start (2) and the end of the gap (3).
    final = tf.train.latest_checkpoint(os.path.join(straight, "checkpoints"))
    expected = checkpoint_values(final)
    assert any(name.startswith("cr_classifier/") for name in expected)
    got = checkpoint_values(tf.train.latest_checkpoint(os.path.join(resumed, "checkpoints")))
    assert set(got) == set(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)

    before = checksums(straight)
    with pytest.raises(CheckpointMismatchError, match="the checkpoint has a contrastive "
                                                      "classifier.*this run asks for no"):
        train(short_config(straight, dsprites_dir, dataset="dsprites", architecture="dsprites",
                           latent=LatentSpec.from_counts(2, [], 4), train_steps=6))
    assert checksums(straight) == before


def test_a_checkpoint_without_the_classifier_is_not_resumed_with_it(tmp_path):
    with_cr = _dsprites_config(model_dir=str(tmp_path))
    plain = _dsprites_config(model_dir=str(tmp_path), contrastive_regularizer=0.0,
                             cr_gap=0.0, cr_gap_end_step=0)
    path = checkpointing.make_checkpoint({"step": tf.Variable(2, dtype=tf.int64)},
                                         plain.run_signature()).save(str(tmp_path / "ckpt"))
    checkpointing.check_signature(str(tmp_path), path, plain.run_signature())
    with pytest.raises(CheckpointMismatchError, match="contrastive_classifier: the checkpoint "
                                                      "has no contrastive classifier.*this run "
                                                      "asks for a contrastive classifier"):
        checkpointing.check_signature(str(tmp_path), path, with_cr.run_signature())
