"""--continuous_view_stretch: copies stretched or squeezed along x before the turn."""

import json
import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import code_augmentation
from infogan_tf import continuous_views
from infogan_tf import digit_measures
from infogan_tf import networks
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.latent import LatentSpec

SPEC = LatentSpec.from_counts(4, [10], 2)  # c1 categorical, c2 and c3 continuous.
MNIST = networks.get_architecture("mnist")


def _bars(gap: float, size: int = 28) -> np.ndarray:
    """Two vertical bars 2 px wide and 24 px long, `gap` px apart (centre to centre).

    Long enough that the pair stays taller than wide when stretched, so its breadth is
    measured across the bars."""
    y, x = np.mgrid[0:size, 0:size] - (size - 1) / 2.0
    ink = np.zeros((size, size), np.float32)
    for centre in (-gap / 2.0, gap / 2.0):
        ink[(np.abs(x - centre) <= 1.0) & (np.abs(y) <= 12.0)] = 1.0
    return ink


def test_stretch_transforms_scale_x_about_the_centre_and_keep_y():
    images = tf.constant(np.stack([_bars(6.0)] * 3)[..., None])
    identity = tf.constant([[1.0, 0, 0, 0, 1.0, 0, 0, 0]] * 3)
    factors = tf.constant([0.5, 1.0, 2.0])
    stretched = code_augmentation.transform_images(
        images, continuous_views.stretch_transforms(identity, factors, 28, 28), 0.0).numpy()
    # Bars 2f wide at +-3f after a stretch by f: second moment across them 9 f^2 + f^2 / 3.
    measured = [digit_measures.breadth(image) for image in stretched]
    expected = [math.sqrt(12 * (9 + 1 / 3)) * f for f in (0.5, 1.0, 2.0)]
    np.testing.assert_allclose(measured, expected, rtol=0.05)
    assert measured[1] == pytest.approx(digit_measures.breadth(_bars(6.0)), rel=1e-5)
    # Squeezed to 1 px, the bars' ink is spread over two half-grey columns.
    rows_with_ink = [np.flatnonzero(image[..., 0].max(axis=1) > 0.25) for image in stretched]
    for rows in rows_with_ink:  # y is untouched: the bars keep their 16 px length
        np.testing.assert_array_equal(rows, rows_with_ink[1])


def test_stretched_copies_spread_the_breadth_log_uniformly():
    config = TrainConfig(model_dir="unused", latent=SPEC, continuous_codes_from_views=("c3",),
                         continuous_view_rotation_degrees=180.0, continuous_view_stretch=0.5)
    validate_config(config)
    images = tf.constant(np.stack([_bars(6.0)] * 600)[..., None])
    view = continuous_views.continuous_view(config, MNIST, tf.random.Generator.from_seed(3),
                                            images).numpy()
    ratios = np.array([digit_measures.breadth(v) for v in view]) / digit_measures.breadth(
        _bars(6.0))
    # The factor is log-uniform in [1/1.5, 1.5]: the breadth follows it (the turn keeps it).
    logs = np.log(ratios) / math.log(1.5)
    assert logs.min() > -1.2 and logs.max() < 1.2
    assert np.histogram(logs, bins=4, range=(-1, 1))[0].min() > 90
    # Without the stretch the turned copies all keep the breadth.
    turned_only = TrainConfig(model_dir="unused", latent=SPEC,
                              continuous_codes_from_views=("c3",),
                              continuous_view_rotation_degrees=180.0)
    kept = continuous_views.continuous_view(turned_only, MNIST,
                                            tf.random.Generator.from_seed(3), images).numpy()
    kept_ratios = np.array([digit_measures.breadth(v) for v in kept]) / digit_measures.breadth(
        _bars(6.0))
    assert np.all(np.abs(kept_ratios - 1.0) < 0.08)


def test_without_the_stretch_the_view_draws_what_it_drew_before():
    config = TrainConfig(model_dir="unused", latent=SPEC, continuous_codes_from_views=("c3",),
                         continuous_view_rotation_degrees=180.0)
    images = tf.constant(np.stack([_bars(6.0)] * 4)[..., None])
    view = continuous_views.continuous_view(config, MNIST, tf.random.Generator.from_seed(5),
                                            images)
    rng = tf.random.Generator.from_seed(5)
    before = code_augmentation.transform_images(
        images, code_augmentation.random_affine_transforms(rng, 4, 28, 28, 180.0, 0.0), 0.0)
    np.testing.assert_array_equal(view.numpy(), before.numpy())


def test_gradients_reach_the_images_through_the_stretched_view():
    config = TrainConfig(model_dir="unused", latent=SPEC, continuous_codes_from_views=("c3",),
                         continuous_view_stretch=0.3)
    images = tf.Variable(np.stack([_bars(6.0)] * 2)[..., None])
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(continuous_views.continuous_view(
            config, MNIST, tf.random.Generator.from_seed(1), images))
    assert float(tf.reduce_sum(tf.abs(tape.gradient(total, images)))) > 0


@pytest.mark.parametrize("settings, message", [
    ({"continuous_codes_from_views": ("c3",), "continuous_view_stretch": 1.5},
     r"--continuous_view_stretch must be in \[0, 1\], got 1.5"),
    ({"continuous_view_stretch": 0.2}, "which names no code"),
])
def test_bad_stretch_settings_get_one_clear_message(settings, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(TrainConfig(model_dir="unused", latent=SPEC, **settings))


def test_the_stretch_survives_the_saved_config_and_the_flags(parse_flags):
    config = TrainConfig(model_dir="unused", latent=SPEC, continuous_codes_from_views=("c3",),
                         continuous_view_stretch=0.25)
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    older = {k: v for k, v in config.to_dict().items() if k != "continuous_view_stretch"}
    assert TrainConfig.from_dict(older).continuous_view_stretch == 0.0
    parsed = parse_flags("--continuous_codes_from_views=c3", "--continuous_view_stretch=0.25",
                         flagfile="mnist")
    assert parsed.continuous_view_stretch == 0.25
