"""Measuring slant and stroke width of digit images, and how codes move them.

Slant: the angle of the image's principal axis (from its intensity-weighted
second-order central moments) from the vertical, in degrees, positive when the
top leans right. Undefined for round blobs; we report it as is, the sweeps
below only use its rank changes along one noise sample.

Stroke width: the distance-transform width. The image is upsampled
(bilinear, `upsample` times, so anti-aliased edges count) and thresholded at
half its intensity range; for every ink pixel the Euclidean distance to the
nearest background pixel is taken. Across a straight stroke of width w these
distances run uniformly from 0 to w/2, so their mean over the ink is w/4 and
the width is 4 x mean distance (in original pixels; the half-pixel offset of
distances measured between pixel centres is removed). Unlike ink area over
bounding-box height or moment widths it depends little on the digit's shape,
length or slant, and unlike ink area / skeleton length it needs no thinning
(no scikit-image). On anti-aliased synthetic strokes 16 pixels long it reads
0.83-0.98 of the true width (the end caps pull it down), monotone in the
width, and varies by under 10% with the stroke's angle.

Breadth (a diagnostic beside the two measures the issue names): the width of the
whole digit across its principal axis, sqrt(12 x the smaller eigenvalue of the
intensity-weighted covariance - 1 px^2, the pixels' own spread), i.e. the width of the uniform bar with the same
second moment across its length. It does not change when the digit is turned, so
it is what a code read from turned copies (--continuous_codes_from_views) can carry
besides stroke width: the "wide to narrow" digits of some runs' Figure 2(d).
"""

from typing import Dict, Optional, Sequence

import numpy as np
from scipy import ndimage
from scipy import optimize
from scipy import stats


def slant_degrees(image: np.ndarray) -> float:
    """Principal-axis angle from vertical of a [H, W] or [H, W, 1] image, in (-90, 90]."""
    total, var_x, var_y, cov_xy = _weighted_moments(image)
    if total <= 0:
        return float("nan")
    axis_from_x = 0.5 * np.degrees(np.arctan2(2.0 * cov_xy, var_x - var_y))
    slant = 90.0 - axis_from_x
    return float(slant - 180.0 if slant > 90.0 else slant)


def _weighted_moments(image: np.ndarray):
    """(total, var_x, var_y, cov_xy) of a [H, W] or [H, W, 1] image, y pointing up."""
    weights = np.asarray(image, np.float64).reshape(image.shape[0], image.shape[1])
    weights = np.clip(weights, 0.0, None)
    total = weights.sum()
    if total <= 0:
        return 0.0, float("nan"), float("nan"), float("nan")
    rows, cols = np.indices(weights.shape, dtype=np.float64)
    x, y = cols, -rows  # y points up, so "leaning right" is a positive x-y covariance.
    mean_x, mean_y = (weights * x).sum() / total, (weights * y).sum() / total
    var_x = (weights * (x - mean_x) ** 2).sum() / total
    var_y = (weights * (y - mean_y) ** 2).sum() / total
    cov_xy = (weights * (x - mean_x) * (y - mean_y)).sum() / total
    return total, var_x, var_y, cov_xy


def breadth(image: np.ndarray, value_range=(0.0, 1.0)) -> float:
    """Width in pixels of the whole digit across its principal axis (see module doc)."""
    low, high = value_range
    image = (np.asarray(image, np.float64) - low) / (high - low)
    total, var_x, var_y, cov_xy = _weighted_moments(image)
    if total <= 0:
        return 0.0
    smaller = 0.5 * (var_x + var_y) - np.hypot(0.5 * (var_x - var_y), cov_xy)
    # Sheppard's correction: moments over pixel centres overstate the variance by the
    # 1/12 px^2 of a pixel's own width.
    return float(np.sqrt(max(12.0 * smaller - 1.0, 0.0)))


def stroke_width(image: np.ndarray, value_range=(0.0, 1.0), upsample: int = 4) -> float:
    """Mean stroke width in pixels of a [H, W] or [H, W, 1] image (see module doc)."""
    low, high = value_range
    image = np.asarray(image, np.float64).reshape(image.shape[0], image.shape[1])
    image = (image - low) / (high - low)
    fine = ndimage.zoom(image, upsample, order=1, mode="nearest", grid_mode=True)
    ink = fine > 0.5
    if not ink.any():
        return 0.0
    # Pad so ink touching the border still has background to measure to.
    distances = ndimage.distance_transform_edt(np.pad(ink, 1))[1:-1, 1:-1]
    mean_distance = distances[ink].mean() - 0.5  # Pixel centres sit half a pixel inside.
    return float(4.0 * mean_distance / upsample)


def measure_images(images: np.ndarray, value_range=(0.0, 1.0)) -> Dict[str, np.ndarray]:
    """Slant (degrees), stroke width and breadth (pixels) of each image of [N, H, W, C]."""
    return {"slant": np.array([slant_degrees(im) for im in images]),
            "width": np.array([stroke_width(im, value_range) for im in images]),
            "breadth": np.array([breadth(im, value_range) for im in images])}


def sweep_correlations(values: Sequence[float], measures: np.ndarray,
                       groups: Optional[Sequence[int]] = None) -> dict:
    """How one code's sweep moves one measure.

    Args:
      values: the code's V sweep values.
      measures: [rows, V], the measure of each fixed noise sample (row) at each value.
      groups: optional [rows] group of each row (its category): the mean rho per group
        shows a code that moves the measure one way in some categories and the other way
        in the rest, which the mean over all rows averages towards 0.

    Returns:
      spearman: mean over rows of Spearman's rho between value and measure
        (rows where the measure is constant are skipped);
      spearman_std: its standard deviation over rows;
      pooled_spearman: rho over all images after removing each row's mean;
      curve: the measure's mean over rows at each value;
      by_group (with groups): {str(group): mean rho over its rows}.
    """
    measures = np.asarray(measures, np.float64)
    values = np.asarray(values, np.float64)
    per_row = np.array([_row_spearman(values, row) for row in measures])
    result = _summary(values, measures, per_row[np.isfinite(per_row)])
    if groups is not None:
        groups = np.asarray(groups)
        result["by_group"] = {str(g): _nan_mean(per_row[groups == g]) for g in np.unique(groups)}
    return result


def _row_spearman(values: np.ndarray, row: np.ndarray) -> float:
    """rho of one row's sweep; NaN when the measure is (almost) undefined or constant."""
    finite = np.isfinite(row)
    if finite.sum() > 2 and np.ptp(row[finite]) > 0:
        return float(stats.spearmanr(values[finite], row[finite]).statistic)
    return float("nan")


def _nan_mean(rhos: np.ndarray) -> float:
    rhos = rhos[np.isfinite(rhos)]
    return float(np.mean(rhos)) if len(rhos) else float("nan")


def _summary(values: np.ndarray, measures: np.ndarray, per_row: np.ndarray) -> dict:
    """sweep_correlations' overall numbers, from the finite per-row rhos."""
    centred = measures - np.nanmean(measures, axis=1, keepdims=True)
    tiled = np.broadcast_to(values, measures.shape)
    finite = np.isfinite(centred)
    pooled = stats.spearmanr(tiled[finite], centred[finite]).statistic
    return {"spearman": float(np.mean(per_row)) if len(per_row) else float("nan"),
            "spearman_std": float(np.std(per_row)) if len(per_row) else float("nan"),
            "pooled_spearman": float(pooled),
            "curve": [float(v) for v in np.nanmean(measures, axis=0)]}


def name_codes(correlations: Dict[str, Dict[str, dict]]) -> Dict[str, str]:
    """Names which continuous code is "rotation" and which is "width".

    The codes are matched one-to-one to the two measures so that the summed
    |rho| is largest (Hungarian algorithm): a code that follows both slant and
    width does not take the rotation name from a code that follows only slant
    slightly less, leaving the width name to a code that does not change width.

    Args:
      correlations: {code name: {"slant": sweep_correlations(...), "width": ...}}.

    Returns:
      {"rotation": code, "width": code}; with a single code, only the name of
      the measure it tracks more strongly.
    """
    def strength(code, measure):
        rho = correlations[code][measure]["spearman"]
        return abs(rho) if np.isfinite(rho) else -1.0

    codes = list(correlations)
    if not codes:
        return {}
    roles = (("rotation", "slant"), ("width", "width"))
    scores = np.array([[strength(code, measure) for _, measure in roles] for code in codes])
    rows, cols = optimize.linear_sum_assignment(scores, maximize=True)
    return {roles[col][0]: codes[row] for row, col in zip(rows, cols)}
