"""Rotated/sheared views of G's images for Q's categorical heads (--categorical_rotation_degrees)."""

import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import code_augmentation
from infogan_tf import digit_measures
from infogan_tf import networks
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.trainer import InfoGANTrainer


def _bar(height=28, width=28, column=10):
    image = np.zeros((1, height, width, 1), np.float32)
    image[0, 4:24, column, 0] = 1.0
    return image


def test_zero_ranges_give_the_identity():
    transforms = code_augmentation.random_affine_transforms(
        tf.random.Generator.from_seed(0), 3, 28, 28, 0.0, 0.0).numpy()
    np.testing.assert_allclose(transforms, np.tile([1, 0, 0, 0, 1, 0, 0, 0], (3, 1)), atol=1e-6)
    image = _bar()
    np.testing.assert_array_equal(
        code_augmentation.transform_images(tf.constant(image), transforms[:1], 0.0), image)


def test_rotation_by_a_quarter_turn_and_a_shear_move_pixels_as_computed():
    ang = math.pi / 2
    c, s, centre = math.cos(ang), math.sin(ang), 13.5
    quarter = tf.constant([[c, -s, centre - c * centre + s * centre,
                            s, c, centre - s * centre - c * centre, 0, 0]], tf.float32)
    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, 3:9, 5, 0] = 1.0          # an asymmetric stroke: top-left
    image[0, 8, 5:12, 0] = 1.0
    out = code_augmentation.transform_images(tf.constant(image), quarter, 0.0).numpy()[0, ..., 0]
    # Output (x, y) samples input (c*x - s*y + ..., s*x + c*y + ...) = (27 - y, x): np.rot90 once.
    np.testing.assert_allclose(out, np.rot90(image[0, ..., 0], 1), atol=1e-5)
    shear = 0.25
    sheared = tf.constant([[1, shear, -shear * centre, 0, 1, 0, 0, 0]], tf.float32)
    out = code_augmentation.transform_images(tf.constant(_bar(column=14)), sheared, 0.0).numpy()
    rows = np.arange(4, 24)
    centres = (out[0, rows, :, 0] * np.arange(28)).sum(1) / out[0, rows, :, 0].sum(1)
    np.testing.assert_allclose(centres, 14 - shear * (rows - centre), atol=1e-4)


def test_drawn_angles_and_shears_stay_in_range_and_cover_it():
    transforms = code_augmentation.random_affine_transforms(
        tf.random.Generator.from_seed(1), 4000, 28, 28, 20.0, 0.0).numpy()
    angles = np.degrees(np.arctan2(transforms[:, 3], transforms[:, 0]))
    assert np.all(np.abs(angles) <= 20.0 + 1e-4) and angles.min() < -19 and angles.max() > 19
    shears = code_augmentation.random_affine_transforms(
        tf.random.Generator.from_seed(2), 4000, 28, 28, 0.0, 0.3).numpy()[:, 1]
    assert np.all(np.abs(shears) <= 0.3 + 1e-6) and shears.min() < -0.29 and shears.max() > 0.29


def test_gradients_reach_the_images():
    images = tf.Variable(_bar())
    transforms = code_augmentation.random_affine_transforms(
        tf.random.Generator.from_seed(3), 1, 28, 28, 15.0, 0.2)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(code_augmentation.transform_images(images, transforms, 0.0) ** 2)
    assert float(tf.reduce_sum(tf.abs(tape.gradient(total, images)))) > 1.0


def test_trainer_reads_categorical_codes_from_the_views_and_continuous_from_the_images():
    config = TrainConfig(model_dir="unused", latent=LatentSpec.from_counts(4, [10], 2),
                         batch_size=8, categorical_rotation_degrees=25.0, categorical_shear=0.3)
    trainer = InfoGANTrainer(config, tf.distribute.get_strategy())
    latents = config.latent.sample(tf.random.Generator.from_seed(4), 8)
    images = trainer.generator(config.latent.generator_input(latents), training=False)
    plain = trainer._discriminate(images)
    trainer.rng.reset_from_seed(9)
    mixed = trainer._for_information(plain, images)
    view = code_augmentation.categorical_view(config, trainer.architecture,
                                              tf.random.Generator.from_seed(9), images)
    expected = trainer._discriminate(view)
    np.testing.assert_allclose(mixed.categorical_logits[0], expected.categorical_logits[0],
                               rtol=1e-5, atol=1e-5)
    assert mixed.continuous_mean is plain.continuous_mean
    assert not np.allclose(mixed.categorical_logits[0], plain.categorical_logits[0])
    off = TrainConfig(model_dir="unused", latent=config.latent)
    assert code_augmentation.categorical_view(off, trainer.architecture, trainer.rng,
                                              images) is None


def _stroke_width_of(image):
    return digit_measures.stroke_width((image[0, ..., 0] + 1.0) / 2.0)


def test_stroke_change_thickens_and_thins_a_bar_by_about_a_pixel_per_edge():
    bar = np.full((1, 28, 28, 1), -1.0, np.float32)  # G's range: background -1, ink 1.
    bar[0, 4:24, 12:15, 0] = 1.0  # 3 pixels wide.
    images = tf.constant(np.repeat(bar, 64, axis=0))
    changed = code_augmentation.random_stroke_change(
        tf.random.Generator.from_seed(2), images, 1.0).numpy()
    ink = ((changed + 1.0) / 2.0).sum(axis=(1, 2, 3))
    base = ((bar + 1.0) / 2.0).sum()
    # A full 3x3 dilation of a 3x20 bar gives 5x22 = 110 pixels, an erosion 1x18 = 18;
    # blends lie between, and both directions are drawn.
    assert ink.min() >= 18 - 1e-3 and ink.max() <= 110 + 1e-3
    assert (ink < base - 5).any() and (ink > base + 5).any()
    full = code_augmentation.random_stroke_change(
        tf.random.Generator.from_seed(2), tf.constant(bar), 1.0)
    dilated = -np.ones_like(bar)
    dilated[0, 3:25, 11:16, 0] = 1.0
    eroded = -np.ones_like(bar)
    eroded[0, 5:23, 13:14, 0] = 1.0
    # Independent reference: the blend of the bar with its hand-made dilation/erosion.
    amount = float(tf.random.Generator.from_seed(2).uniform([1, 1, 1, 1], -1.0, 1.0)[0, 0, 0, 0])
    target = dilated if amount > 0 else eroded
    np.testing.assert_allclose(full, bar + abs(amount) * (target - bar), atol=1e-6)
    widths = [_stroke_width_of(x) for x in (eroded, bar, dilated)]
    assert widths[0] < widths[1] < widths[2]


def test_stroke_change_is_differentiable_and_off_by_default():
    images = tf.Variable(np.where(_bar() > 0, 1.0, -1.0).astype(np.float32))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(code_augmentation.random_stroke_change(
            tf.random.Generator.from_seed(5), images, 0.5) ** 2)
    assert float(tf.reduce_sum(tf.abs(tape.gradient(total, images)))) > 1.0
    spec = LatentSpec.from_counts(4, [10], 2)
    architecture = networks.get_architecture("mnist")
    only_stroke = TrainConfig(model_dir="unused", latent=spec, categorical_stroke=0.5)
    view = code_augmentation.categorical_view(only_stroke, architecture,
                                              tf.random.Generator.from_seed(1), images)
    assert view is not None and not np.allclose(view, images)
    views = TrainConfig(model_dir="unused", latent=spec, categorical_rotation_degrees=25.0)
    rng_a, rng_b = tf.random.Generator.from_seed(1), tf.random.Generator.from_seed(1)
    code_augmentation.categorical_view(views, architecture, rng_a, images)
    code_augmentation.random_affine_transforms(rng_b, 1, 28, 28, 25.0, 0.0)
    # Stroke off: the views draw exactly what they drew before the option existed.
    np.testing.assert_array_equal(rng_a.state.numpy(), rng_b.state.numpy())
