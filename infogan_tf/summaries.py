"""Numbers the report derives from evaluation results: pure functions of JSON data."""

import math
from typing import Dict, List, Optional, Sequence

import numpy as np

from infogan_tf import digit_measures

FIGURE1_EARLY_STEPS = 100


def mean_std(values: Sequence[float], spec: str = ".3f") -> str:
    """'mean ± sample std' (n - 1 in the denominator); just the value for one run."""
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return "–"
    if len(values) == 1:
        return format(values[0], spec)
    return f"{format(np.mean(values), spec)} ± {format(np.std(values, ddof=1), spec)}"


def merged_labels(contingency: Sequence[Sequence[int]]) -> Dict[int, int]:
    """Labels that are the majority of no category -> the label whose category took most of them.

    E.g. {9: 4}: no category is mostly 9s, and most 9s fall in a category that is mostly 4s
    (the classic 4/9 merge).
    """
    counts = np.asarray(contingency)
    majority = counts.argmax(axis=0)  # Each category's most frequent label.
    used = set(majority[counts.sum(axis=0) > 0].tolist())  # Empty categories have none.
    return {label: int(majority[counts[label].argmax()]) for label in range(counts.shape[0])
            if counts[label].sum() and label not in used}


def median_seed(seeds: List[dict]) -> Optional[int]:
    """The seed with the median c1 accuracy (the lower one of two middles), for the figures."""
    scored = sorted((a, r["seed"]) for r in seeds
                    if (a := c1_accuracy(r["metrics"])) is not None)
    return scored[(len(scored) - 1) // 2][1] if scored else None


def code_roles(metrics: dict) -> Dict[str, tuple]:
    """role -> (code name, Spearman rho) for "rotation" (vs slant) and "width" (vs width).

    The names are recomputed from the stored correlations with the current rule
    (digit_measures.name_codes), so runs evaluated under an older rule read the same.
    """
    codes = metrics.get("continuous", {}).get("codes", {})
    names = digit_measures.name_codes(codes)
    roles = {}
    for role, kind in (("rotation", "slant"), ("width", "width")):
        name = names.get(role)
        if name:
            roles[role] = (name, codes[name][kind]["spearman"])
    return roles


def c1_accuracy(metrics: dict) -> Optional[float]:
    """c1's Hungarian test accuracy from an evaluation's metrics, if there."""
    return metrics.get("categorical", {}).get("c1", {}).get("accuracy")


def quality(metrics: dict, source: str, key: str) -> Optional[float]:
    """A sample-quality number (e.g. frechet_distance) for `source`, if there."""
    return metrics.get("sample_quality", {}).get(source, {}).get(key)


def figure1_summary(curve: dict, horizon: int = 1000) -> dict:
    """Numbers read off an L_I curve of c1 over its first `horizon` iterations.

    max_early: the best value within the first 100 iterations; late_mean: the
    mean over the 100 iterations before the horizon (or before the curve's end,
    if shorter), robust to the batch-to-batch noise of one logged value.
    """
    steps, values = np.asarray(curve["steps"]), np.asarray(curve["values"], np.float64)
    if not len(steps):
        return {"max_early": float("nan"), "late_mean": float("nan"), "max": float("nan"),
                "end": 0}
    end = min(horizon, int(steps.max()))
    early = values[steps <= FIGURE1_EARLY_STEPS]
    late = values[(steps > end - 100) & (steps <= end)]
    within = values[steps <= end]  # Empty for a run continued from a later step.
    return {"max_early": float(early.max()) if len(early) else float("nan"),
            "late_mean": float(late.mean()) if len(late) else float("nan"),
            "max": float(within.max()) if len(within) else float("nan"), "end": end}
