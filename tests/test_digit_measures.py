"""Slant and stroke width on synthetic strokes of known angle and width."""

import numpy as np
import pytest

from infogan_tf import digit_measures


def stroke(angle_degrees, width, length=16.0, size=28, supersample=8, centre=(0.3, 0.2)):
    """An anti-aliased straight stroke (a rotated rectangle), as a [size, size, 1] image.

    angle_degrees is measured from the vertical, positive when the top leans right;
    the centre is offset from the pixel grid so no edge falls exactly between pixels.
    """
    n = size * supersample
    coords = (np.arange(n) + 0.5) / supersample - size / 2
    x, y = np.meshgrid(coords - centre[0], -(coords - centre[1]))
    theta = np.radians(angle_degrees)
    along = x * np.sin(theta) + y * np.cos(theta)
    across = x * np.cos(theta) - y * np.sin(theta)
    inside = (np.abs(along) <= length / 2) & (np.abs(across) <= width / 2)
    return inside.reshape(size, supersample, size, supersample).mean(axis=(1, 3))[..., None]


@pytest.mark.parametrize("width", [1.5, 3.0])
def test_slant_recovers_the_known_angle(width):
    for angle in (-50, -30, -10, 0, 10, 30, 50):
        assert digit_measures.slant_degrees(stroke(angle, width)) == pytest.approx(angle, abs=0.5)


def test_slant_wraps_near_horizontal_and_is_nan_for_blank_images():
    assert abs(digit_measures.slant_degrees(stroke(90, 2))) == pytest.approx(90, abs=0.5)
    assert np.isnan(digit_measures.slant_degrees(np.zeros((28, 28, 1))))


def test_width_is_monotone_in_the_true_width_at_every_angle():
    widths = (1.5, 2.0, 3.0, 4.0, 5.0)
    for angle in (-40, -20, 0, 20, 40):
        measured = [digit_measures.stroke_width(stroke(angle, w)) for w in widths]
        assert measured == sorted(measured), (angle, measured)
        # Close to the truth: within 20% (the end caps of a short stroke pull it down).
        np.testing.assert_allclose(measured, widths, rtol=0.2)


def test_width_barely_depends_on_slant_and_slant_not_on_width():
    at_angles = [digit_measures.stroke_width(stroke(a, 3.0)) for a in range(-45, 46, 15)]
    assert np.ptp(at_angles) < 0.1 * np.mean(at_angles)
    slants = [digit_measures.slant_degrees(stroke(25, w)) for w in (1.5, 3.0, 5.0)]
    assert np.ptp(slants) < 1.0


def test_width_uses_the_value_range_and_is_zero_without_ink():
    image = stroke(10, 3.0)
    tanh_image = image * 2.0 - 1.0
    assert digit_measures.stroke_width(tanh_image, (-1.0, 1.0)) == pytest.approx(
        digit_measures.stroke_width(image))
    assert digit_measures.stroke_width(np.zeros((28, 28))) == 0.0


def test_sweep_correlations_and_code_names():
    values = np.linspace(-2, 2, 5)
    rows = 6
    rng = np.random.RandomState(0)
    # Code "a" rotates each row's stroke; code "b" thickens it; both from a random start.
    slant_a = np.array([[digit_measures.slant_degrees(stroke(s + 8 * v, 2.5)) for v in values]
                        for s in rng.uniform(-15, 15, rows)])
    width_b = np.array([[digit_measures.stroke_width(stroke(s, 2.8 + 0.6 * v))
                         for v in values] for s in rng.uniform(-30, 30, rows)])
    noise = rng.randn(rows, len(values))
    a = {"slant": digit_measures.sweep_correlations(values, slant_a),
         "width": digit_measures.sweep_correlations(values, noise)}
    b = {"slant": digit_measures.sweep_correlations(values, -noise),
         "width": digit_measures.sweep_correlations(values, width_b)}
    assert a["slant"]["spearman"] == pytest.approx(1.0)
    assert b["width"]["spearman"] == pytest.approx(1.0)
    # Pooled over rows, the tied code values keep rho just under 1.
    assert 0.95 < a["slant"]["pooled_spearman"] < 1.0
    assert a["slant"]["curve"] == pytest.approx(list(slant_a.mean(axis=0)))
    reversed_sweep = digit_measures.sweep_correlations(values, slant_a[:, ::-1])
    assert reversed_sweep["spearman"] == pytest.approx(-1.0)
    assert digit_measures.name_codes({"a": a, "b": b}) == {"rotation": "a", "width": "b"}
    assert digit_measures.name_codes({"b": b, "a": a}) == {"rotation": "a", "width": "b"}
    assert digit_measures.name_codes({"a": a}) == {"rotation": "a"}
    assert digit_measures.name_codes({"b": b}) == {"width": "b"}


def test_sweep_correlations_per_group_show_a_code_that_turns_groups_opposite_ways():
    values = np.linspace(-2, 2, 5)
    rising = np.tile(values * 10.0, (3, 1)) + np.arange(3)[:, None]
    # Group 0 rises with the code, group 1 falls, group 2 has a constant (undefined) row.
    measures = np.concatenate([rising, -rising[:1], np.full((1, 5), 7.0)])
    groups = [0, 0, 0, 1, 2]
    result = digit_measures.sweep_correlations(values, measures, groups)
    assert result["by_group"]["0"] == pytest.approx(1.0)
    assert result["by_group"]["1"] == pytest.approx(-1.0)
    assert np.isnan(result["by_group"]["2"])
    # Overall: the mean of the four defined rows, (3 - 1) / 4.
    assert result["spearman"] == pytest.approx(0.5)
    assert result["spearman_std"] == pytest.approx(np.std([1, 1, 1, -1]))
    assert "by_group" not in digit_measures.sweep_correlations(values, measures)


def _rhos(slant, width):
    return {"slant": {"spearman": slant}, "width": {"spearman": width}}


def test_code_names_maximise_the_summed_correlation():
    # Seed 1 with the regularizer: c2 follows slant and width, c3 slant only. Naming the
    # strongest slant code first would leave c3 (|rho| 0.30) as the width code.
    names = digit_measures.name_codes({"c2": _rhos(0.97, 0.96), "c3": _rhos(-0.94, 0.30)})
    assert names == {"rotation": "c3", "width": "c2"}
    # A clean pair keeps the obvious names, whatever the order and the signs.
    names = digit_measures.name_codes({"c3": _rhos(0.1, -0.99), "c2": _rhos(-0.98, 0.2)})
    assert names == {"rotation": "c2", "width": "c3"}
    assert digit_measures.name_codes({"c2": _rhos(float("nan"), 0.5),
                                      "c3": _rhos(0.4, float("nan"))}) == {
        "rotation": "c3", "width": "c2"}


def test_breadth_reads_a_bar_width_at_any_angle_and_ignores_the_value_range():
    for width in (2.0, 4.0, 6.0):
        measured = [digit_measures.breadth(stroke(a, width, length=18)) for a in (-60, -20, 0,
                                                                                  35, 90)]
        # A uniform bar's second moment across it is width^2 / 12: breadth is its width.
        np.testing.assert_allclose(measured, width, rtol=0.05)
    image = stroke(15, 3.0)
    assert digit_measures.breadth(image * 2.0 - 1.0, (-1.0, 1.0)) == pytest.approx(
        digit_measures.breadth(image))
    assert digit_measures.breadth(np.zeros((28, 28, 1))) == 0.0


def test_breadth_follows_the_spread_of_strokes_that_stroke_width_does_not():
    # Two parallel vertical strokes of width 2 drawn further apart: same strokes, wider digit.
    pairs = [np.clip(stroke(0, 2.0, centre=(-gap / 2, 0.2))
                     + stroke(0, 2.0, centre=(gap / 2, 0.2)), 0, 1) for gap in (4, 6, 8)]
    breadths = [digit_measures.breadth(p) for p in pairs]
    assert breadths == sorted(breadths) and breadths[-1] > 1.5 * breadths[0]
    # Separated bars at +-gap/2: second moment gap^2 / 4 + 2^2 / 12 across them.
    np.testing.assert_allclose(breadths, [np.sqrt(12 * (g * g / 4 + 4 / 12)) for g in (4, 6, 8)],
                               rtol=0.03)
    widths = [digit_measures.stroke_width(p) for p in pairs]
    assert np.ptp(widths) < 0.1 * np.mean(widths)
