"""code_consistency: continuous codes that move some categories against the others."""

import math

import pytest

from infogan_tf import code_consistency

# Spearman's rho of c2 with slant per category, from docs/studies/study_code_views/
# seed_3_sweeps.jsonl and seed_0_sweeps.jsonl (scripts/code_sweeps.py).
SEED3_STEP5000 = {"0": -0.9997, "1": -0.9097, "2": 0.9093, "3": -1.0, "4": -0.96,
                  "5": -0.995, "6": -0.969, "7": -0.9953, "8": -0.9943, "9": -0.844}
SEED3_CANDIDATE_1003 = {"0": -0.8807, "1": -1.0, "2": -0.939, "3": -0.996, "4": -0.863,
                        "5": -0.9783, "6": -1.0, "7": -0.9957, "8": -0.9917, "9": -1.0}
SEED0_CANDIDATE_0 = {"0": 0.8387, "1": 0.9643, "2": 0.9667, "3": -0.9743, "4": -0.366,
                     "5": 0.778, "6": 0.997, "7": 0.7743, "8": 0.699, "9": 0.9543}


def _measures(**by_kind):
    return {kind: {"by_group": by_group} for kind, by_group in by_kind.items()}


def test_the_category_turned_against_the_others_is_found():
    # Seed 3: the category of the 1s (2) turns the other way; its candidate 1003 did not.
    assert code_consistency.categories_against(SEED3_STEP5000) == ["2"]
    assert code_consistency.categories_against(SEED3_CANDIDATE_1003) == []
    # Seed 0's candidate 0: category 3 clearly against (-0.97); category 4 (-0.37) is too
    # weak to count at the default 0.5, and counts at 0.3.
    assert code_consistency.categories_against(SEED0_CANDIDATE_0) == ["3"]
    assert code_consistency.categories_against(SEED0_CANDIDATE_0, min_rho=0.3) == ["3", "4"]


def test_nan_and_zero_median_categories():
    assert code_consistency.categories_against({"0": 0.9, "1": math.nan, "2": -0.8,
                                                "3": 0.7}) == ["2"]
    assert code_consistency.categories_against({"0": 0.9, "1": -0.9}) == []  # Median 0.
    assert code_consistency.categories_against({"0": math.nan}) == []


def test_dominant_measure_is_the_one_moved_most_in_every_category():
    # A flip lowers the overall rho but not the per-category size: slant stays dominant.
    measures = _measures(slant=SEED3_STEP5000,
                         width={k: 0.3 * (-1) ** int(k) for k in SEED3_STEP5000},
                         breadth={k: math.nan for k in SEED3_STEP5000})
    assert code_consistency.dominant_measure(measures) == "slant"
    assert code_consistency.dominant_measure(_measures(slant={"0": 0.2}, width={"0": -0.9})) \
        == "width"


def test_code_consistency_reports_each_code_and_counts_the_inconsistent_ones():
    sweep = {"codes": {
        "c2": _measures(slant=SEED3_STEP5000, width={k: 0.1 for k in SEED3_STEP5000}),
        "c3": _measures(slant={k: 0.2 for k in SEED3_STEP5000},
                        width={k: -1.0 for k in SEED3_STEP5000})}}
    result = code_consistency.code_consistency(sweep)
    assert result["inconsistent_codes"] == 1
    assert result["codes"]["c2"]["measure"] == "slant"
    assert result["codes"]["c2"]["against"] == ["2"]
    assert result["codes"]["c2"]["by_category"]["2"] == pytest.approx(0.9093)
    assert result["codes"]["c3"] == {"measure": "width", "against": [],
                                     "by_category": {k: -1.0 for k in SEED3_STEP5000}}
