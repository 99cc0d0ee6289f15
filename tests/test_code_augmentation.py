"""Rotated/sheared views of G's images for Q's categorical heads (--categorical_rotation_degrees)."""

import dataclasses
import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import code_augmentation
from infogan_tf import digit_measures
from infogan_tf import networks
from infogan_tf import view_settings
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


def _grid(batch, height=28, width=28):
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    return np.tile(x[None], (batch, 1, 1)), np.tile(y[None], (batch, 1, 1))


def test_bilinear_sample_reads_pixels_between_pixels_and_fills_outside():
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (2, 28, 28, 1)).astype(np.float32)
    x, y = _grid(2)
    same = code_augmentation.bilinear_sample(tf.constant(images), x, y, -1.0).numpy()
    np.testing.assert_allclose(same, images, atol=1e-6)
    shifted = code_augmentation.bilinear_sample(tf.constant(images), x + 0.25, y + 0.5,
                                                -1.0).numpy()
    # Independent numpy reference for an interior pixel (r, c): weights 0.75/0.25, 0.5/0.5.
    r, c = 10, 7
    expected = (0.5 * (0.75 * images[:, r, c] + 0.25 * images[:, r, c + 1])
                + 0.5 * (0.75 * images[:, r + 1, c] + 0.25 * images[:, r + 1, c + 1]))
    np.testing.assert_allclose(shifted[:, r, c], expected, atol=1e-6)
    # Half-way into the border reads half fill; far outside reads only fill.
    np.testing.assert_allclose(shifted[:, r, 27], 0.5 * (0.75 * images[:, r, 27] - 0.25)
                               + 0.5 * (0.75 * images[:, r + 1, 27] - 0.25), atol=1e-6)
    outside = code_augmentation.bilinear_sample(tf.constant(images), x + 100.0, y, -1.0)
    np.testing.assert_array_equal(outside.numpy(), -1.0)


def test_elastic_distortion_moves_pixels_by_simards_amount_and_passes_gradients():
    noise = tf.random.Generator.from_seed(2).uniform([8, 28, 28, 2], -1.0, 1.0)
    field = code_augmentation._gaussian_blur(noise, code_augmentation.ELASTIC_SIGMA) * 34.0
    rms = float(tf.sqrt(tf.reduce_mean(field[:, 8:20, 8:20] ** 2)))
    # Uniform(-1,1) noise (std 0.577) averaged by a 2-D Gaussian of sigma 4 has std
    # 0.577 / (2 sqrt(pi) sigma) = 0.0407 per pixel; times alpha 34: ~1.38 px.
    assert 1.0 < rms < 1.8, rms
    bar = np.full((4, 28, 28, 1), -1.0, np.float32)
    bar[:, 4:24, 12:15, 0] = 1.0
    images = tf.Variable(bar)
    with tf.GradientTape() as tape:
        moved = code_augmentation.random_elastic_distortion(
            tf.random.Generator.from_seed(1), images, 34.0, -1.0)
        total = tf.reduce_sum(moved ** 2)
    ink = ((moved.numpy() + 1) / 2).sum(axis=(1, 2, 3))
    assert not np.allclose(moved, bar) and np.all(np.abs(ink - 60) < 20)  # Moved, not erased.
    gradient = tape.gradient(total, images)
    assert float(tf.reduce_sum(tf.abs(gradient))) > 1.0
    zero = code_augmentation.random_elastic_distortion(
        tf.random.Generator.from_seed(1), tf.constant(bar), 1e-9, -1.0)
    np.testing.assert_allclose(zero, bar, atol=1e-5)


def test_elastic_distortion_is_in_the_view_only_when_asked():
    spec = LatentSpec.from_counts(4, [10], 2)
    architecture = networks.get_architecture("mnist")
    images = tf.constant(_bar())  # G's range on MNIST is [0, 1]: background 0.
    assert architecture.output_range[0] == 0.0
    elastic = TrainConfig(model_dir="unused", latent=spec, categorical_elastic_alpha=34.0)
    view = code_augmentation.categorical_view(elastic, architecture,
                                              tf.random.Generator.from_seed(1), images)
    expected = code_augmentation.random_elastic_distortion(
        tf.random.Generator.from_seed(1), images, 34.0, 0.0)
    np.testing.assert_allclose(view, code_augmentation.transform_images(
        expected, np.array([[1, 0, 0, 0, 1, 0, 0, 0]], np.float32), 0.0), atol=1e-6)
    assert code_augmentation.categorical_view(
        TrainConfig(model_dir="unused", latent=spec), architecture,
        tf.random.Generator.from_seed(1), images) is None


def test_erasing_blanks_one_square_of_the_asked_size_and_passes_gradients():
    images = tf.Variable(np.ones((64, 28, 28, 1), np.float32))
    with tf.GradientTape() as tape:
        erased = code_augmentation.random_erasing(tf.random.Generator.from_seed(3), images,
                                                  8, 0.0)
        total = tf.reduce_sum(erased)
    blank = (erased.numpy()[..., 0] == 0.0)
    # Each image loses at most one 8 x 8 square, all of it when the centre is well inside.
    assert blank.sum(axis=(1, 2)).max() == 64 and blank.sum(axis=(1, 2)).min() > 0
    for mask in blank:
        rows, columns = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
        assert np.all(np.diff(rows) == 1) and np.all(np.diff(columns) == 1)  # One block.
        assert mask.sum() == len(rows) * len(columns)
    # Centres are uniform: over many images every pixel is erased sometimes.
    many = code_augmentation.random_erasing(tf.random.Generator.from_seed(4),
                                            tf.ones((2000, 28, 28, 1)), 8, 0.0)
    assert np.all((many.numpy() == 0.0).any(axis=0))
    gradient = tape.gradient(total, images).numpy()
    np.testing.assert_array_equal(gradient, 1.0 - blank[..., None])


def test_erasing_comes_last_in_the_view_and_only_when_asked():
    spec = LatentSpec.from_counts(4, [10], 2)
    architecture = networks.get_architecture("mnist")
    images = tf.constant(_bar())
    config = TrainConfig(model_dir="unused", latent=spec, categorical_rotation_degrees=10.0,
                         categorical_erase_size=6)
    view = code_augmentation.categorical_view(config, architecture,
                                              tf.random.Generator.from_seed(1), images)
    rng = tf.random.Generator.from_seed(1)
    transforms = code_augmentation.random_affine_transforms(rng, 1, 28, 28, 10.0, 0.0)
    expected = code_augmentation.random_erasing(
        rng, code_augmentation.transform_images(images, transforms, 0.0), 6, 0.0)
    np.testing.assert_allclose(view, expected, atol=1e-6)
    unchanged = dataclasses.replace(config, categorical_erase_size=0)
    plain = code_augmentation.categorical_view(unchanged, architecture,
                                               tf.random.Generator.from_seed(1), images)
    np.testing.assert_allclose(plain, code_augmentation.transform_images(
        images, code_augmentation.random_affine_transforms(
            tf.random.Generator.from_seed(1), 1, 28, 28, 10.0, 0.0), 0.0), atol=1e-6)
    assert "categorical_erase_size must be in [0, 64]" in view_settings.view_setting_error(
        dataclasses.replace(config, categorical_erase_size=65))
