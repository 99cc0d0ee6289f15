"""Does each continuous code move every category the same way? Label-free, from G's images.

Why: L_I is the same whichever way a continuous code turns each category's images (Q sees
the category too), so a code can turn the 1s clockwise and every other digit the other way.
Its overall correlation with slant then falls below the paper's reading ("one code is
rotation") although every category follows slant. On MNIST such a code was decided by step
2,000 in three of nine candidates swept and stayed to the end of the one that was continued
(docs/studies/study_code_views/results_notes.md, seeds 0 and 3), while the candidate choice
(candidates.py), which scores the categorical code only, cannot see it.

`code_consistency` reads the sweep of `evaluation.continuous_codes` (Spearman's rho of each
code with slant, stroke width and breadth, per category of the first categorical code): for
each code it takes the measure the code moves most in every category (largest mean |rho|)
and lists the categories moved against the majority. Only generated images are measured: no
data, no labels.

`factor_check` asks the stricter question the paper's Figure 2 answers: does the code named
"rotation" (evaluation's naming, digit_measures.name_codes) clearly follow slant, and the code
named "width" stroke width, each the same way in every category? Over the eleven continued
MNIST candidates of three studies whose codes were swept at step 2,000, it foretold the run's
end every time: the six whose candidate showed both factors met the issue's code target at
the end, the five that did not missed it (docs/studies/probe_factor_check/). The dominant-
measure check above missed two of those five: a width code that thinned the 1s while
slant, which it also followed, was its dominant measure, and a code that followed breadth and
no width at all.
"""

from typing import Dict, List, Mapping

import numpy as np

from infogan_tf import evaluation
from infogan_tf.model_io import TrainedModel

# A category counts as moved against the others only if it clearly follows the measure
# (|rho| >= this) with the sign opposite to the median category's; weaker ones are noise.
MIN_OPPOSED_RHO = 0.5
# A code clearly follows a measure when the median category's |rho| is at least this.
MIN_FOLLOWED_RHO = 0.5
FACTORS = (("rotation", "slant"), ("width", "width"))  # The paper's two MNIST codes.
SWEEP_ROWS = 200  # 20 rows per category of a 10-way code; seconds on a CPU.
SWEEP_POINTS = 9


def _finite(by_group: Mapping[str, float]) -> Dict[str, float]:
    return {k: float(v) for k, v in by_group.items() if np.isfinite(v)}


def dominant_measure(measures: Mapping[str, Mapping]) -> str:
    """The measure a code moves most consistently in size: the largest mean |rho| per category.

    Args:
      measures: {kind: sweep_correlations result with "by_group"} of one code.
    """
    def strength(kind: str) -> float:
        rhos = _finite(measures[kind]["by_group"])
        return float(np.mean(np.abs(list(rhos.values())))) if rhos else 0.0
    return max(sorted(measures), key=strength)


def categories_against(by_group: Mapping[str, float],
                       min_rho: float = MIN_OPPOSED_RHO) -> List[str]:
    """Categories whose rho has the sign opposite to the median category's, with |rho| >= min_rho.

    Args:
      by_group: category -> Spearman's rho of the code with one measure in that category.
      min_rho: how clearly a category must follow the measure to count.

    Returns:
      The categories (keys of by_group), sorted; [] when the median rho is 0. Categories
      whose rho is NaN (a measure constant over every row) are left out.
    """
    finite = _finite(by_group)
    median = float(np.median(list(finite.values()))) if finite else 0.0
    if median == 0.0:
        return []
    return sorted(category for category, rho in finite.items()
                  if rho * median < 0 and abs(rho) >= min_rho)


def code_consistency(sweep: Mapping, min_rho: float = MIN_OPPOSED_RHO) -> Dict:
    """Which continuous codes move some categories against the others.

    Args:
      sweep: evaluation.continuous_codes's result (its measures need "by_group", i.e. the
        model has a categorical code).
      min_rho: see categories_against.

    Returns:
      {"codes": {name: {"measure": kind, "against": [categories], "by_category": {...}}},
       "inconsistent_codes": how many codes have a category against the others}.
    """
    codes = {}
    for name, measures in sweep["codes"].items():
        kind = dominant_measure(measures)
        by_group = measures[kind]["by_group"]
        codes[name] = {"measure": kind, "against": categories_against(by_group, min_rho),
                       "by_category": {k: round(float(v), 4) for k, v in by_group.items()}}
    return {"codes": codes,
            "inconsistent_codes": sum(1 for code in codes.values() if code["against"])}


def factor_check(sweep: Mapping, min_rho: float = MIN_OPPOSED_RHO,
                 min_followed: float = MIN_FOLLOWED_RHO) -> Dict:
    """Whether the codes named rotation and width each follow their factor in every category.

    Args:
      sweep: evaluation.continuous_codes's result, with its "names" (rotation, width) and
        "by_group" per measure (the model has a categorical code).
      min_rho: see categories_against.
      min_followed: how large the median category's |rho| must be for the code to follow
        its measure at all.

    Returns:
      {"factors": {role: {"code", "measure", "median_rho", "against", "shown",
       "by_category"}}, "factors_shown": how many roles are shown (0-2)}. A role is shown
      when its code follows the measure (|median rho| >= min_followed) with no category
      against the others.
    """
    factors = {}
    for role, measure in FACTORS:
        code = sweep["names"].get(role)
        if code is None:  # A single continuous code has only one name.
            continue
        by_group = sweep["codes"][code][measure]["by_group"]
        finite = _finite(by_group)
        median = float(np.median(list(finite.values()))) if finite else 0.0
        against = categories_against(by_group, min_rho)
        factors[role] = {"code": code, "measure": measure, "median_rho": round(median, 4),
                         "against": against,
                         "shown": bool(abs(median) >= min_followed and not against),
                         "by_category": {k: round(float(v), 4) for k, v in by_group.items()}}
    return {"factors": factors,
            "factors_shown": sum(1 for factor in factors.values() if factor["shown"])}


def sweep_model(model: TrainedModel, rows: int = SWEEP_ROWS, seed: int = 0) -> Dict:
    """evaluation.continuous_codes of restored networks: each code swept from -2 to 2."""
    return evaluation.continuous_codes(model, rows, evaluation.sweep_values(SWEEP_POINTS), seed)


def score_model(model: TrainedModel, rows: int = SWEEP_ROWS, seed: int = 0) -> Dict:
    """code_consistency of restored networks, from a sweep of each code from -2 to 2."""
    return code_consistency(sweep_model(model, rows, seed))
