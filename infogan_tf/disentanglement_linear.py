"""DCI disentanglement (lasso importances) and SAP (disentanglement_lib's LinearSVC).

- SAP (Kumar et al. 2018, discrete factors) is disentanglement_lib's
  (evaluation/metrics/sap_score.py): for each (code i, factor j) a
  scikit-learn `LinearSVC(C=0.01, class_weight="balanced")` (one-vs-rest,
  squared hinge, default tol and max_iter=1000) is fitted on code i alone
  ([N, 1]) of 10,000 training rows against factor j's class index and scored by
  its accuracy on 5,000 other rows; per factor the gap between the two best
  codes; SAP is the mean gap. The solver is liblinear's primal one
  (`dual=False`): it is what `dual="auto"`, scikit-learn's default since 1.5,
  picks for one feature, and it is deterministic (no random_state to seed).
  disentanglement_lib ran older scikit-learn, whose default was the randomised
  dual solver. Both minimise the same strictly convex objective, so they find
  the same classifier up to their stopping tolerances (test accuracies within
  0.006 of each other in our checks), but the dual one slowed from about 1 s
  to 15-64 s for 25 pairs when the codes were far from zero (raw class
  indices, or offset by 50); the primal one took under 1 s throughout. If
  liblinear stops at max_iter, scikit-learn's ConvergenceWarning is left
  visible, not silenced (none was raised in those checks).
  A 1-D one-vs-rest linear classifier gives each class at most one interval of
  the code, and the middle classes of an ordered factor rarely get one: a code
  equal to a 40-class factor scores about 2/40, so SAP stays small for
  many-class factors even when they are perfectly encoded (as it does in
  disentanglement_lib).
- DCI (Eastwood & Williams 2018, who used lasso themselves): the importance of
  code i for factor j is |w_ij| of a lasso regression of the standardised
  factor class index on the standardised codes. disentanglement_lib uses
  scikit-learn's `GradientBoostingClassifier()` per factor instead; with its
  defaults, fitting the five dSprites factors (3, 6, 40, 32, 32 classes) on
  10,000 points of 5 codes took 194 s on this project's 2 shared CPU cores,
  against 0.01 s for the lasso, so DCI stays linear. A linear fit
  sees only monotone relations: a code that encodes a factor non-monotonically
  (the circular dSprites orientation, or the unordered shape whose class index
  order is arbitrary) gets less importance than trees would give it.

Inputs and the dropping of single-valued factors are as in `disentanglement`.
"""

from typing import Dict, Tuple

import numpy as np
from sklearn import svm

from infogan_tf import disentanglement

DCI_NUM_TRAIN = 10000
SAP_NUM_TRAIN = 10000
SAP_NUM_TEST = 5000
SAP_SVC_C = 0.01
LASSO_ALPHA = 0.001
LASSO_MAX_SWEEPS = 1000
LASSO_TOLERANCE = 1e-8


def standardize(values: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance per column; constant columns become 0."""
    std = values.std(axis=0)
    return (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)


def lasso(features: np.ndarray, target: np.ndarray, alpha: float) -> np.ndarray:
    """Weights minimising ||target - features w||^2 / (2N) + alpha ||w||_1.

    Cyclic coordinate descent on the Gram matrix; `features` columns must be
    standardised (unit variance, or all zero for a constant column).
    """
    num_rows = features.shape[0]
    gram = features.T @ features / num_rows
    correlation = features.T @ target / num_rows
    weights = np.zeros(features.shape[1])
    for _ in range(LASSO_MAX_SWEEPS):
        largest_change = 0.0
        for j in np.flatnonzero(np.diag(gram) > 0):
            residual = correlation[j] - gram[j] @ weights + gram[j, j] * weights[j]
            new = np.sign(residual) * max(abs(residual) - alpha, 0.0) / gram[j, j]
            largest_change = max(largest_change, abs(new - weights[j]))
            weights[j] = new
        if largest_change < LASSO_TOLERANCE:
            break
    return weights


def lasso_importance(codes: np.ndarray, factors: np.ndarray,
                     alpha: float = LASSO_ALPHA) -> np.ndarray:
    """Importance matrix [n_codes, n_factors]: |lasso weight| of each code per factor."""
    features = standardize(codes)
    targets = standardize(factors.astype(np.float64))
    return np.stack([np.abs(lasso(features, targets[:, j], alpha))
                     for j in range(factors.shape[1])], axis=1)


def _one_minus_entropy(weights: np.ndarray) -> np.ndarray:
    """1 - H(row / row sum) in base (row length), per row; 0 for all-zero rows."""
    totals = weights.sum(axis=1, keepdims=True)
    probs = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    logs = np.log(probs, out=np.zeros_like(probs), where=probs > 0)
    entropy = -(probs * logs).sum(axis=1) / np.log(weights.shape[1])
    return np.where(totals[:, 0] > 0, 1.0 - entropy, 0.0)


def dci_from_importance(importance: np.ndarray) -> Tuple[float, float]:
    """(disentanglement, completeness) of an importance matrix [n_codes, n_factors].

    Disentanglement: per code 1 - entropy (base n_factors) of its importance
    over factors, weighted by the code's share of the total importance.
    Completeness: per factor 1 - entropy (base n_codes) over codes, weighted
    by the factor's share. Both are 0 when nothing is important.
    """
    total = importance.sum()
    if total <= 0:
        return 0.0, 0.0
    disentanglement = (_one_minus_entropy(importance) * importance.sum(axis=1)).sum() / total
    if importance.shape[0] < 2:
        completeness = 1.0
    else:
        completeness = (_one_minus_entropy(importance.T) * importance.sum(axis=0)).sum() / total
    return float(disentanglement), float(completeness)


def dci(codes, factors, rng: np.random.RandomState, num_train: int = DCI_NUM_TRAIN,
        alpha: float = LASSO_ALPHA) -> Dict[str, object]:
    """DCI disentanglement and completeness from lasso importances on `num_train` rows.

    Returns:
      dict with `disentanglement`, `completeness` and the `importance` matrix
      [n_codes, n_kept_factors].
    """
    codes, factors = disentanglement.check_codes_and_factors(codes, factors)
    rows = disentanglement.sample_rows(codes.shape[0], num_train, rng)
    importance = lasso_importance(codes[rows], factors[rows], alpha)
    dis, completeness = dci_from_importance(importance)
    return {"disentanglement": dis, "completeness": completeness,
            "importance": importance.tolist()}


def linear_svc_accuracy(train_code: np.ndarray, train_factor: np.ndarray,
                        test_code: np.ndarray, test_factor: np.ndarray) -> float:
    """Test accuracy of a `LinearSVC` predicting the factor class from one code value.

    The classifier is disentanglement_lib's (C=0.01, balanced class weights,
    one-vs-rest); see the module docstring for the solver. When the training
    rows hold a single class (possible only on a handful of rows) there is
    nothing to fit and that class is predicted everywhere.
    """
    classes = np.unique(train_factor)
    if classes.size < 2:
        return float(np.mean(test_factor == classes[0]))
    classifier = svm.LinearSVC(C=SAP_SVC_C, class_weight="balanced", dual=False)
    classifier.fit(train_code[:, None], train_factor)
    return float(np.mean(classifier.predict(test_code[:, None]) == test_factor))


def sap_score_matrix(train_codes: np.ndarray, train_factors: np.ndarray,
                     test_codes: np.ndarray, test_factors: np.ndarray) -> np.ndarray:
    """Accuracy matrix [n_codes, n_factors]: `linear_svc_accuracy` of code i for factor j."""
    return np.array([[linear_svc_accuracy(train_codes[:, i], train_factors[:, j],
                                          test_codes[:, i], test_factors[:, j])
                      for j in range(train_factors.shape[1])]
                     for i in range(train_codes.shape[1])])


def sap_score(codes, factors, rng: np.random.RandomState, num_train: int = SAP_NUM_TRAIN,
              num_test: int = SAP_NUM_TEST) -> Dict[str, object]:
    """SAP (Kumar et al. 2018) for discrete factors, as disentanglement_lib computes it.

    Each code alone predicts each factor (`sap_score_matrix`: fitted on
    `num_train` rows, scored on `num_test` other rows); per factor the gap
    between the two best codes' accuracies; SAP is the mean gap. With fewer
    than num_train + num_test rows, the rows are split in the same 2:1 ratio.

    Returns:
      dict with `sap`, `per_factor` gaps and the `accuracy` matrix
      [n_codes, n_kept_factors].
    """
    codes, factors = disentanglement.check_codes_and_factors(codes, factors)
    if codes.shape[1] < 2:
        raise ValueError("SAP needs at least two codes")
    rows = disentanglement.sample_rows(codes.shape[0], num_train + num_test, rng)
    split = rows.size * num_train // (num_train + num_test)
    train, test = rows[:split], rows[split:]
    accuracy = sap_score_matrix(codes[train], factors[train], codes[test], factors[test])
    top_two = np.sort(accuracy, axis=0)[::-1][:2]
    per_factor = top_two[0] - top_two[1]
    return {"sap": float(per_factor.mean()), "per_factor": per_factor.tolist(),
            "accuracy": accuracy.tolist()}
