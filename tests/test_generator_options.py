"""G's L_I warm-up (--generator_mi_warmup_steps) and the narrower noise (--noise_scale)."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import losses
from infogan_tf import networks
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.latent import LatentSpec
from infogan_tf.trainer import InfoGANTrainer

SPEC = LatentSpec.from_counts(4, [10], 2)
BATCH = 16


@pytest.fixture(scope="module")
def trainer():
    config = TrainConfig(model_dir="unused", latent=SPEC, batch_size=BATCH,
                         generator_mi_warmup_steps=8)
    return InfoGANTrainer(config, tf.distribute.get_strategy())


@pytest.mark.parametrize("step, weight", [(0, 0.0), (2, 0.25), (6, 0.75), (8, 1.0), (30, 1.0)])
def test_generator_loss_weighs_information_by_the_warm_up(trainer, step, weight):
    trainer.step.assign(step)
    latents = SPEC.sample(tf.random.Generator.from_seed(1), BATCH)
    # Computed independently: G in training mode is deterministic for fixed weights and
    # inputs, so the same forward pass gives the GAN term and L_I separately.
    fake_images = trainer.generator(SPEC.generator_input(latents), training=True)
    fake = networks.split_discriminator_outputs(trainer.discriminator(fake_images, training=True),
                                                SPEC)
    gan = losses.generator_loss(fake.validity_logits).numpy()
    bounds = losses.mutual_information_lower_bound(
        SPEC, latents, fake.categorical_logits, fake.continuous_mean, fake.continuous_log_std,
        False, trainer.config.continuous_std_floor)
    information = sum(b.numpy() for b in bounds.values())  # lambda = 1 for both kinds.
    expected = np.mean(gan - weight * information)
    assert float(trainer.generator_objective(latents)) == pytest.approx(expected, rel=1e-5,
                                                                         abs=1e-6)
    assert float(trainer.generator_mi_weight()) == pytest.approx(weight)


def test_noise_scale_equals_feeding_narrower_noise():
    architecture = networks.get_architecture("mnist")
    plain = networks.build_generator(architecture, SPEC, networks.NetworkOptions())
    narrow = networks.build_generator(architecture, SPEC, networks.NetworkOptions(noise_scale=0.1))
    narrow.set_weights(plain.get_weights())  # The scale adds no weights.
    inputs = SPEC.generator_input(SPEC.sample(tf.random.Generator.from_seed(2), 8)).numpy()
    shrunk = inputs.copy()
    shrunk[:, :SPEC.noise_dim] *= 0.1
    np.testing.assert_allclose(narrow(inputs, training=False), plain(shrunk, training=False),
                               rtol=1e-5, atol=1e-6)
    assert not np.allclose(narrow(inputs, training=False), plain(inputs, training=False))


@pytest.mark.parametrize("change, message", [
    ({"generator_mi_warmup_steps": -1}, "--generator_mi_warmup_steps must be >= 0"),
    ({"network": networks.NetworkOptions(noise_scale=0.0)}, "--noise_scale must be positive"),
    ({"categorical_rotation_degrees": 91.0}, "--categorical_rotation_degrees must be in"),
    ({"categorical_shear": -0.1}, "--categorical_shear must be in"),
])
def test_bad_values_are_refused(change, message):
    config = dataclasses.replace(TrainConfig(model_dir="unused", latent=SPEC), **change)
    with pytest.raises(ConfigError, match=message):
        validate_config(config)
