"""--continuous_codes_from_stroke_views: continuous codes read from copies with changed strokes."""

import json

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import continuous_views
from infogan_tf import digit_measures
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.latent import LatentSpec

SPEC = LatentSpec.from_counts(4, [10], 2)  # c1 categorical, c2 and c3 continuous.
BOTH_VIEWS = {"categorical_rotation_degrees": 25.0, "categorical_shear": 0.3,
              "continuous_codes_from_views": ("c3",), "continuous_view_rotation_degrees": 180.0,
              "continuous_codes_from_stroke_views": ("c2",), "continuous_view_stroke": 1.0}


def _slanted_bar(degrees, half_width, size=28):
    """A bar through the centre, leaning `degrees` from vertical, 2 * half_width wide."""
    y, x = np.mgrid[0:size, 0:size] - (size - 1) / 2.0
    angle = np.radians(degrees)
    across = x * np.cos(angle) + y * np.sin(angle)
    along = -x * np.sin(angle) + y * np.cos(angle)
    return ((np.abs(across) <= half_width) & (np.abs(along) <= 9)).astype(np.float32)


def test_stroke_views_spread_the_width_and_keep_the_slant():
    config = TrainConfig(model_dir="unused", latent=SPEC, continuous_view_stroke=1.0,
                         continuous_codes_from_stroke_views=("c2",))
    validate_config(config)
    bar = _slanted_bar(20.0, 2.5)
    view = continuous_views.stroke_view(config, tf.random.Generator.from_seed(1),
                                         tf.constant(np.stack([bar] * 300)[..., None])).numpy()
    widths = np.array([digit_measures.stroke_width(v[..., 0]) for v in view])
    slants = np.array([digit_measures.slant_degrees(v[..., 0]) for v in view])
    reference = digit_measures.stroke_width(bar)
    # A full dilation or erosion moves each edge by a pixel: about +-2 px of width at the
    # extremes, every amount in between about equally often.
    assert widths.min() < reference - 1.0 and widths.max() > reference + 1.0
    assert np.histogram(widths, bins=4, range=(reference - 2, reference + 2))[0].min() > 30
    assert np.all(np.abs(slants - digit_measures.slant_degrees(bar)) < 2.0)
    none = TrainConfig(model_dir="unused", latent=SPEC)
    assert continuous_views.stroke_view(none, None, None) is None


@pytest.mark.parametrize("settings, message", [
    ({"continuous_codes_from_stroke_views": ("c2",)}, "go together"),
    ({"continuous_view_stroke": 0.5}, "go together"),
    ({"continuous_codes_from_stroke_views": ("c2",), "continuous_view_stroke": 1.5},
     r"--continuous_view_stroke must be in \[0, 1\], got 1.5"),
    ({"continuous_codes_from_stroke_views": ("c1",), "continuous_view_stroke": 1.0},
     "--continuous_codes_from_stroke_views: c1 not a continuous code"),
    ({**BOTH_VIEWS, "continuous_codes_from_stroke_views": ("c3",)},
     "c3 named in both"),
])
def test_bad_settings_get_one_clear_message(settings, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(TrainConfig(model_dir="unused", latent=SPEC, **settings))


def test_the_setting_survives_the_saved_config_and_the_flags(parse_flags):
    config = TrainConfig(model_dir="unused", latent=SPEC, **BOTH_VIEWS)
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    older = {k: v for k, v in config.to_dict().items()
             if k not in ("continuous_codes_from_stroke_views", "continuous_view_stroke")}
    restored = TrainConfig.from_dict(older)
    assert (restored.continuous_codes_from_stroke_views, restored.continuous_view_stroke) == (
        (), 0.0)
    parsed = parse_flags("--continuous_codes_from_stroke_views=c2",
                         "--continuous_view_stroke=0.5", flagfile="mnist")
    assert parsed.continuous_codes_from_stroke_views == ("c2",)
    assert parsed.continuous_view_stroke == 0.5
