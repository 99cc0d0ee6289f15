"""--continuous_codes_from_views: chosen continuous codes read from distorted copies (the
categorical views or their own), and each code from its own kind of copy."""

import dataclasses
import json

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import code_augmentation
from infogan_tf import continuous_views
from infogan_tf import digit_measures
from infogan_tf import networks
from infogan_tf import view_settings
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.latent import LatentSpec
from infogan_tf.trainer import InfoGANTrainer

SPEC = LatentSpec.from_counts(4, [10], 2)  # c1 categorical, c2 and c3 continuous.
VIEWS = {"categorical_rotation_degrees": 25.0, "categorical_shear": 0.3}


def _outputs_for_information(config):
    """A trainer of `config`, 8 of its G's images, D/Q's outputs on them as generated, and
    the outputs L_I uses (drawing the views from the trainer's rng reset to seed 9)."""
    validate_config(config)
    trainer = InfoGANTrainer(config, tf.distribute.get_strategy())
    latents = SPEC.sample(tf.random.Generator.from_seed(4), 8)
    images = trainer.generator(SPEC.generator_input(latents), training=False)
    plain = trainer._discriminate(images)
    trainer.rng.reset_from_seed(9)
    return trainer, images, plain, trainer._for_information(plain, images)


def test_names_map_to_positions_among_the_continuous_codes():
    assert view_settings.continuous_view_indices(SPEC, ("c3",)) == (1,)
    assert view_settings.continuous_view_indices(SPEC, ("c3", "c2")) == (1, 0)
    with pytest.raises(ValueError, match="c1 not a continuous code.*c2, c3"):
        view_settings.continuous_view_indices(SPEC, ("c1",))


def test_trainer_reads_the_named_code_from_the_view_and_the_other_from_the_image():
    config = TrainConfig(model_dir="unused", latent=SPEC, batch_size=8,
                         continuous_codes_from_views=("c3",), **VIEWS)
    trainer, images, plain, mixed = _outputs_for_information(config)
    view = code_augmentation.categorical_view(config, trainer.architecture,
                                              tf.random.Generator.from_seed(9), images)
    expected = trainer._discriminate(view)
    np.testing.assert_allclose(mixed.categorical_logits[0], expected.categorical_logits[0],
                               rtol=1e-5, atol=1e-5)
    for part in ("continuous_mean", "continuous_log_std"):
        got, want, image = (np.asarray(getattr(o, part)) for o in (mixed, expected, plain))
        np.testing.assert_allclose(got[:, 0], image[:, 0], rtol=1e-6)  # c2: as generated.
        np.testing.assert_allclose(got[:, 1], want[:, 1], rtol=1e-5, atol=1e-5)  # c3: view.
    assert not np.allclose(mixed.continuous_mean[:, 1], plain.continuous_mean[:, 1])


@pytest.mark.parametrize("code, settings", [
    ("c3", {"continuous_codes_from_views": ("c3",), **VIEWS}),
    ("c2", {"continuous_codes_from_stroke_views": ("c2",), "continuous_view_stroke": 1.0}),
])
def test_the_view_changes_the_bound_g_and_q_are_trained_on(code, settings):
    """The gradient of the code's bound reaches G through its view (the views are
    differentiable): the categorical views for c3, the stroke copies for c2."""
    config = TrainConfig(model_dir="unused", latent=SPEC, batch_size=8, **settings)
    trainer = InfoGANTrainer(config, tf.distribute.get_strategy())
    latents = SPEC.sample(tf.random.Generator.from_seed(5), 8)
    with tf.GradientTape() as tape:
        images = trainer.generator(SPEC.generator_input(latents), training=True)
        bounds, _ = trainer._information(
            latents, trainer._for_information(trainer._discriminate(images), images))
        bound = tf.reduce_mean(bounds[code])
    gradients = tape.gradient(bound, trainer.generator.trainable_variables)
    assert sum(float(tf.reduce_sum(tf.abs(g))) for g in gradients if g is not None) > 0


def _slanted_bar(degrees, size=28):
    """A 3-pixel-wide bar through the centre, leaning `degrees` from vertical."""
    y, x = np.mgrid[0:size, 0:size] - (size - 1) / 2.0
    angle = np.radians(degrees)
    across = x * np.cos(angle) + y * np.sin(angle)  # distance from the bar's axis
    along = -x * np.sin(angle) + y * np.cos(angle)
    return ((np.abs(across) <= 1.5) & (np.abs(along) <= 9)).astype(np.float32)


def test_a_full_turn_view_keeps_the_width_and_loses_the_slant():
    config = TrainConfig(model_dir="unused", latent=SPEC, continuous_codes_from_views=("c3",),
                         continuous_view_rotation_degrees=180.0)
    validate_config(config)
    bars = np.stack([_slanted_bar(20.0)] * 400)[..., None]
    view = continuous_views.continuous_view(config, networks.get_architecture("mnist"),
                                             tf.random.Generator.from_seed(2),
                                             tf.constant(bars)).numpy()
    slants = np.array([digit_measures.slant_degrees(v[..., 0]) for v in view])
    widths = np.array([digit_measures.stroke_width(np.clip(v[..., 0], 0, 1)) for v in view])
    reference_width = digit_measures.stroke_width(bars[0, ..., 0])
    # The bar's axis now points anywhere: slants spread over the whole half-turn.
    assert np.histogram(slants, bins=6, range=(-90, 90))[0].min() > 30
    assert np.all(np.abs(widths - reference_width) < 0.25 * reference_width)
    narrow = dataclasses.replace(config, continuous_view_rotation_degrees=10.0)
    kept = continuous_views.continuous_view(narrow, networks.get_architecture("mnist"),
                                             tf.random.Generator.from_seed(2),
                                             tf.constant(bars)).numpy()
    kept_slants = np.array([digit_measures.slant_degrees(v[..., 0]) for v in kept])
    reference_slant = digit_measures.slant_degrees(bars[0, ..., 0])  # ~19: pixelated 20
    assert np.all(np.abs(kept_slants - reference_slant) <= 10.5)
    assert kept_slants.max() - kept_slants.min() > 15
    assert continuous_views.continuous_view(TrainConfig(model_dir="unused", latent=SPEC),
                                             None, None, None) is None


def test_with_its_own_rotation_the_code_is_read_from_the_rotated_copies():
    config = TrainConfig(model_dir="unused", latent=SPEC, batch_size=8,
                         continuous_codes_from_views=("c3",),
                         continuous_view_rotation_degrees=180.0, **VIEWS)
    trainer, images, plain, mixed = _outputs_for_information(config)
    rng = tf.random.Generator.from_seed(9)  # the same draws, in the same order
    categorical = trainer._discriminate(code_augmentation.categorical_view(
        config, trainer.architecture, rng, images))
    rotated = trainer._discriminate(continuous_views.continuous_view(
        config, trainer.architecture, rng, images))
    np.testing.assert_allclose(mixed.categorical_logits[0], categorical.categorical_logits[0],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mixed.continuous_mean[:, 1], rotated.continuous_mean[:, 1],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mixed.continuous_mean[:, 0], plain.continuous_mean[:, 0],
                               rtol=1e-6)


def test_each_code_is_read_from_its_own_copies():
    """c1 from the categorical views, c3 from the turned copies, c2 from the stroke copies,
    drawn from the trainer's rng in that order."""
    config = TrainConfig(model_dir="unused", latent=SPEC, batch_size=8,
                         continuous_codes_from_views=("c3",),
                         continuous_view_rotation_degrees=180.0,
                         continuous_codes_from_stroke_views=("c2",), continuous_view_stroke=1.0,
                         **VIEWS)
    trainer, images, plain, mixed = _outputs_for_information(config)
    rng = tf.random.Generator.from_seed(9)
    views = [trainer._discriminate(view(rng)) for view in (
        lambda r: code_augmentation.categorical_view(config, trainer.architecture, r, images),
        lambda r: continuous_views.continuous_view(config, trainer.architecture, r, images),
        lambda r: continuous_views.stroke_view(config, r, images))]
    close = {"rtol": 1e-5, "atol": 1e-5}
    np.testing.assert_allclose(mixed.categorical_logits[0], views[0].categorical_logits[0],
                               **close)
    for part in ("continuous_mean", "continuous_log_std"):
        got = np.asarray(getattr(mixed, part))
        np.testing.assert_allclose(got[:, 1], np.asarray(getattr(views[1], part))[:, 1], **close)
        np.testing.assert_allclose(got[:, 0], np.asarray(getattr(views[2], part))[:, 0], **close)
    assert not np.allclose(mixed.continuous_mean[:, 0], plain.continuous_mean[:, 0])


def _square(top, left, size=64, side=8):
    image = np.zeros((size, size), np.float32)
    image[top:top + side, left:left + side] = 1.0
    return image


def test_shifted_views_keep_the_shape_and_lose_the_position():
    """Rolled copies of one square put it anywhere (what leaves an edge comes back)."""
    config = TrainConfig(model_dir="unused", latent=LatentSpec.from_counts(0, [], 3),
                         continuous_codes_from_views=("c2", "c3"), continuous_view_shift=True)
    validate_config(config)
    squares = np.stack([_square(2, 50)] * 500)[..., None]
    images = tf.Variable(squares)
    with tf.GradientTape() as tape:
        view = continuous_views.continuous_view(config, networks.get_architecture("dsprites"),
                                                 tf.random.Generator.from_seed(3), images)
        total = tf.reduce_sum(view[:, :32])
    view = view.numpy()[..., 0]
    offsets = []
    for v in view:
        rows, cols = v.any(axis=1), v.any(axis=0)
        top = int(np.flatnonzero(rows & ~np.roll(rows, 1))[0])  # first inked row after a blank one
        left = int(np.flatnonzero(cols & ~np.roll(cols, 1))[0])
        offset = ((top - 2) % 64, (left - 50) % 64)
        np.testing.assert_array_equal(v, np.roll(squares[0, ..., 0], offset, (0, 1)))
        offsets.append(offset)
    for axis in (0, 1):
        assert np.histogram(np.array(offsets)[:, axis], bins=4, range=(0, 64))[0].min() > 80
    assert float(tf.reduce_sum(tf.abs(tape.gradient(total, images)))) > 0


@pytest.mark.parametrize("settings, message", [
    ({"continuous_codes_from_views": ("c3",)}, "but none are made"),
    ({"continuous_codes_from_views": ("c3",), "continuous_view_rotation_degrees": 181.0},
     r"must be in \[0, 180\]"),
    ({"continuous_view_rotation_degrees": 90.0}, "which names no code"),
    ({"continuous_view_shift": True}, "which names no code"),
    ({"categorical_shear": 1.5}, r"--categorical_shear must be in \[0, 1\], got 1.5"),
    ({"categorical_rotation_degrees": -1.0}, r"must be in \[0, 90\]"),
    ({"continuous_codes_from_views": ("c4",), **VIEWS}, "c4 not a continuous code"),
    ({"continuous_codes_from_views": ("c1",), **VIEWS}, "c1 not a continuous code"),
])
def test_bad_settings_get_one_clear_message(settings, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(TrainConfig(model_dir="unused", latent=SPEC, **settings))


def test_the_setting_survives_the_saved_config_and_the_flags(parse_flags):
    config = TrainConfig(model_dir="unused", latent=SPEC, continuous_codes_from_views=("c3",),
                         **VIEWS)
    restored = TrainConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert restored == config
    assert TrainConfig.from_dict({k: v for k, v in config.to_dict().items()
                                  if k != "continuous_codes_from_views"}
                                 ).continuous_codes_from_views == ()
    parsed = parse_flags("--continuous_codes_from_views=c3", flagfile="mnist")
    assert parsed.continuous_codes_from_views == ("c3",)
    assert parse_flags(flagfile="mnist").continuous_codes_from_views == ()
