"""--q_learning_rate: Q's own layers get their own Adam; the trunk stays with D's."""

import numpy as np
import pytest
import tensorflow as tf

from run_helpers import short_config, two_replica_strategy

from infogan_tf import networks, training
from infogan_tf.checkpointing import CheckpointMismatchError
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.latent import LatentSpec
from infogan_tf.trainer import InfoGANTrainer

BATCH = 8
SPEC = LatentSpec.from_counts(6, [10], 2)


def _trained(strategy, steps=2, **overrides):
    config = TrainConfig(model_dir="unused", latent=SPEC, batch_size=BATCH, seed=3,
                         **overrides)
    trainer = InfoGANTrainer(config, strategy)
    images = np.random.RandomState(0).uniform(0, 1, (4 * BATCH, 28, 28, 1)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(BATCH).repeat()
    before = {v.path: v.numpy() for v in trainer.discriminator.trainable_variables}
    trainer.train_loop(iter(strategy.experimental_distribute_dataset(dataset)),
                       tf.constant(steps, tf.int32))
    return trainer, before


def test_q_own_variables_are_the_layers_the_validity_output_does_not_use():
    arch = networks.get_architecture("mnist")
    discriminator = networks.build_discriminator(arch, SPEC, networks.NetworkOptions())
    shared, own = networks.split_q_variables(discriminator)
    assert len(shared) + len(own) == len(discriminator.trainable_variables)
    assert not {id(v) for v in shared} & {id(v) for v in own}
    # The paper's MNIST Q: FC 128 (no bias: batch norm follows), its BN, and the heads.
    assert sorted(tuple(v.shape) for v in own) == sorted([
        (1024, 128), (128,), (128,), (128, 10), (10,), (128, 2), (2,), (128, 2), (2,)])
    assert any(v.path.startswith("validity") for v in shared)


def test_q_at_d_rate_through_its_own_optimizer_is_the_single_optimizer_step():
    strategy = two_replica_strategy()
    single, _ = _trained(strategy)
    split, _ = _trained(strategy, q_learning_rate=2e-4)  # = d_learning_rate
    assert split.q_optimizer is not None and single.q_optimizer is None
    # Adam is per-variable, so two optimizers at one rate take the same steps.
    for a, b in zip(single.discriminator.variables + single.generator.variables,
                    split.discriminator.variables + split.generator.variables):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-7, err_msg=a.path)


def test_q_learning_rate_moves_only_q_own_layers_at_its_rate():
    trainer, before = _trained(tf.distribute.get_strategy(), steps=1, q_learning_rate=1e-12)
    own = {v.path for v in trainer.q_variables}
    for variable in trainer.discriminator.trainable_variables:
        change = np.abs(variable.numpy() - before[variable.path]).max()
        if variable.path in own:
            assert change < 1e-10, variable.path  # Adam's first step is ~lr per weight.
        elif "beta" not in variable.path and "gamma" not in variable.path:
            assert change > 1e-5, variable.path  # The trunk keeps D's rate, 2e-4.


def test_bad_q_learning_rates_are_refused():
    with pytest.raises(ConfigError, match="--q_learning_rate must be positive"):
        validate_config(TrainConfig(model_dir="m", latent=SPEC, q_learning_rate=0.0))
    with pytest.raises(ConfigError, match="mixed_float16.*use mixed_bfloat16"):
        validate_config(TrainConfig(model_dir="m", latent=SPEC, q_learning_rate=1e-3,
                                    mixed_precision="mixed_float16"))
    assert "q_optimizer" not in TrainConfig(model_dir="m", latent=SPEC).run_signature()
    assert TrainConfig(model_dir="m", latent=SPEC,
                       q_learning_rate=1e-3).run_signature()["q_optimizer"]


def test_a_run_with_q_learning_rate_resumes_and_refuses_to_resume_without_it(tmp_path,
                                                                            mnist_dir):
    config = short_config(tmp_path / "run", mnist_dir, q_learning_rate=1e-3, train_steps=2)
    training.train(config)
    resumed = training.train(short_config(tmp_path / "run", mnist_dir, q_learning_rate=1e-3))
    assert resumed["step"] == 4
    with pytest.raises(CheckpointMismatchError,
                       match="q_optimizer: the checkpoint has a separate optimizer for Q"):
        training.train(short_config(tmp_path / "run", mnist_dir, train_steps=6))
