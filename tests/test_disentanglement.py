"""Disentanglement metrics on synthetic codes with known answers and hand-computed cases."""

import math
import os

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from infogan_tf import disentanglement as dis
from infogan_tf import disentanglement_linear as lin

DSPRITES = "/work/shared/data/dsprites/dsprites_subset.npz"
SMALL = dict(num_train=600, num_eval=300, num_variance_estimate=2000)


def synthetic_factors(num_rows=3000, sizes=(3, 8, 8), seed=0):
    """A constant factor (like dSprites colour) then independent uniform factors."""
    rng = np.random.RandomState(seed)
    columns = [np.zeros(num_rows, np.int64)] + [rng.randint(s, size=num_rows) for s in sizes]
    return np.stack(columns, axis=1)


def standardized(factors):
    values = factors[:, 1:].astype(np.float64)
    return (values - values.mean(0)) / values.std(0)


def mixed_codes(factors):
    """Codes 1 and 2 rotate factors 1 and 2 by 45 degrees; code 0 is factor 0."""
    values = standardized(factors)
    rotation = np.array([[1, 1], [-1, 1]]) / math.sqrt(2)
    return np.concatenate([values[:, :1], values[:, 1:] @ rotation], axis=1)


def all_scores(codes, factors, seed=1):
    rng = np.random.RandomState(seed)
    return {"factorvae": dis.factor_vae_score(codes, factors, rng, **SMALL)["eval_accuracy"],
            "mig": dis.mutual_information_gap(codes, factors, rng)["mig"],
            "dci": lin.dci(codes, factors, rng)["disentanglement"],
            "sap": lin.sap_score(codes, factors, rng)["sap"]}


def test_codes_equal_to_factors_are_perfectly_disentangled():
    factors = synthetic_factors()
    scores = all_scores(standardized(factors), factors)
    assert scores["factorvae"] == 1.0
    assert scores["mig"] > 0.95
    assert scores["dci"] > 0.99
    # SAP: factor 0 (3 classes) gap 1 - about 1/3. An 8-class factor read from its own code by a
    # 1-D one-vs-rest linear SVM gets only its two end classes right (about 2/8 vs chance 1/8).
    assert scores["sap"] > 0.25
    result = dis.factor_vae_score(standardized(factors), factors, np.random.RandomState(0), **SMALL)
    assert result["code_to_factor"] == [0, 1, 2] and result["train_accuracy"] == 1.0


def test_random_codes_score_near_chance():
    factors = synthetic_factors()
    codes = np.random.RandomState(5).normal(size=(factors.shape[0], 3))
    scores = all_scores(codes, factors)
    assert scores["factorvae"] < 0.5  # chance is 1/3 for three factors
    assert scores["mig"] < 0.02
    assert scores["dci"] < 0.35
    assert scores["sap"] < 0.05


def test_rotation_mixing_two_factors_lowers_every_score():
    factors = synthetic_factors()
    perfect = all_scores(standardized(factors), factors)
    mixed = all_scores(mixed_codes(factors), factors)
    # Factors 1 and 2 each spread equally over codes 1 and 2: only factor 0 stays clean.
    assert mixed["factorvae"] < 0.85
    assert mixed["mig"] < 0.45
    # DCI: code 0 has importance 1 on factor 0, codes 1 and 2 importance 1/sqrt(2) on each
    # of factors 1 and 2, so 1 - H = 1 - log 2 / log 3 for them, weighted by their share.
    share = 2 * math.sqrt(2)
    assert mixed["dci"] == pytest.approx(
        (1 + share * (1 - math.log(2) / math.log(3))) / (1 + share), abs=0.02)
    for name in ("factorvae", "mig", "dci"):
        assert mixed[name] < perfect[name] - 0.15, name


def test_rotation_removes_the_sap_gap_of_the_mixed_factors():
    factors = synthetic_factors()
    perfect = lin.sap_score(standardized(factors), factors, np.random.RandomState(1))
    mixed = lin.sap_score(mixed_codes(factors), factors, np.random.RandomState(1))
    assert perfect["per_factor"][0] > 0.6 and mixed["per_factor"][0] > 0.6  # factor 0 untouched
    # Factors 1 and 2 each read equally well from codes 1 and 2 once mixed: no gap left.
    assert min(perfect["per_factor"][1:]) > 0.08
    assert max(mixed["per_factor"][1:]) < 0.05
    assert mixed["sap"] < perfect["sap"] - 0.04


def test_results_are_reproducible_from_the_random_state():
    factors = synthetic_factors(num_rows=500)
    codes = mixed_codes(factors) + np.random.RandomState(2).normal(0, 0.3, (500, 3))
    assert all_scores(codes, factors, seed=7) == all_scores(codes, factors, seed=7)


def test_discrete_mutual_info_and_entropy_match_hand_computation():
    binned = np.array([[0], [0], [1], [1]])
    factor = np.array([[0], [1], [1], [1]])
    # p(x, y): (0,0) 1/4, (0,1) 1/4, (1,1) 1/2; p(x) = (1/2, 1/2); p(y) = (1/4, 3/4).
    expected_mi = (0.25 * math.log(0.25 / (0.5 * 0.25)) + 0.25 * math.log(0.25 / (0.5 * 0.75))
                   + 0.5 * math.log(0.5 / (0.5 * 0.75)))
    expected_h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert dis.discrete_mutual_info(binned, factor)[0, 0] == pytest.approx(expected_mi, abs=1e-12)
    assert dis.discrete_entropy(factor)[0] == pytest.approx(expected_h, abs=1e-12)


def test_histogram_bins_are_equal_width_over_the_range():
    codes = np.array([[0.0, 10.0], [0.49, 10.0], [0.5, 12.0], [1.0, 14.0]])
    assert dis.histogram_discretize(codes, 2).tolist() == [[1, 1], [1, 1], [2, 2], [2, 2]]


def loop_mutual_information(x, y):
    """MI in nats by explicit counting over value pairs (independent of the library)."""
    n = len(x)
    total = 0.0
    for a in set(x):
        for b in set(y):
            joint = sum(1 for i in range(n) if x[i] == a and y[i] == b) / n
            if joint:
                total += joint * math.log(joint / ((list(x).count(a) / n) * (list(y).count(b) / n)))
    return total


def test_mig_matches_a_direct_computation():
    rng = np.random.RandomState(3)
    factors = np.stack([rng.randint(3, size=60), rng.randint(4, size=60)], axis=1)
    codes = np.stack([factors[:, 0] + rng.normal(0, 0.3, 60), rng.normal(size=60),
                      factors[:, 1] * 2.0 + rng.normal(0, 0.5, 60)], axis=1)
    binned = [[int(np.digitize(v, np.linspace(c.min(), c.max(), 21)[:-1])) for v in c]
              for c in codes.T]
    gaps = []
    for j in range(2):
        infos = sorted((loop_mutual_information(b, factors[:, j]) for b in binned), reverse=True)
        gaps.append((infos[0] - infos[1]) / loop_mutual_information(factors[:, j], factors[:, j]))
    result = dis.mutual_information_gap(codes, factors, np.random.RandomState(0))
    assert result["per_factor"] == pytest.approx(gaps, abs=1e-9)
    assert result["mig"] == pytest.approx(np.mean(gaps), abs=1e-9)


def test_majority_vote_accuracy_by_hand():
    train = np.array([[5, 1], [2, 4], [0, 3]])
    evaluation = np.array([[1, 0], [1, 2], [0, 6]])
    train_acc, eval_acc, predicted = dis.majority_vote_accuracy(train, evaluation)
    assert predicted.tolist() == [0, 1]
    assert train_acc == pytest.approx(9 / 15) and eval_acc == pytest.approx(3 / 10)


def test_collapsed_codes_are_ignored_by_the_factorvae_score():
    factors = synthetic_factors(num_rows=1000)
    codes = np.concatenate([standardized(factors), np.full((1000, 1), 3.0)], axis=1)
    result = dis.factor_vae_score(codes, factors, np.random.RandomState(0), **SMALL)
    assert result["num_active_codes"] == 3 and result["code_to_factor"][3] == -1
    assert result["eval_accuracy"] == 1.0
    constant = dis.factor_vae_score(np.zeros((1000, 2)), factors, np.random.RandomState(0))
    assert constant["eval_accuracy"] == 0.0 and constant["num_active_codes"] == 0


def test_lasso_soft_thresholds_orthogonal_features_and_equals_least_squares_at_zero():
    rng = np.random.RandomState(4)
    raw = rng.normal(size=(200, 3))
    q, _ = np.linalg.qr(raw - raw.mean(0))
    features = q * math.sqrt(200)  # zero mean, X^T X / N = identity
    target = features @ np.array([0.8, -0.05, 0.3]) + rng.normal(0, 0.1, 200)
    correlation = features.T @ target / 200
    expected = np.sign(correlation) * np.maximum(np.abs(correlation) - 0.1, 0)
    assert lin.lasso(features, target, 0.1) == pytest.approx(expected, abs=1e-10)
    assert expected[1] == 0.0
    correlated = lin.standardize(raw @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1]]))
    least_squares = np.linalg.lstsq(correlated, target - target.mean(), rcond=None)[0]
    assert lin.lasso(correlated, target - target.mean(), 0.0) == pytest.approx(least_squares,
                                                                               abs=1e-6)


def test_dci_from_importance_by_hand():
    assert lin.dci_from_importance(np.eye(2)) == pytest.approx((1.0, 1.0))
    assert lin.dci_from_importance(np.zeros((2, 2))) == (0.0, 0.0)
    # Code 0 (weight 3/4): p = (2/3, 1/3); code 1 (1/4): (0, 1). Factor 0 (1/2): (1, 0);
    # factor 1 (1/2): (1/2, 1/2), entropy log 2 / log 2 = 1.
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)) / math.log(2)
    dis_expected = 0.75 * (1 - h) + 0.25 * 1.0
    completeness_expected = 0.5 * 1.0 + 0.5 * 0.0
    assert lin.dci_from_importance(np.array([[2.0, 1.0], [0.0, 1.0]])) == pytest.approx(
        (dis_expected, completeness_expected))


def hand_made_codes(rng, factor_a):
    """Code 0 separates factor a with a wide margin, code 1 is constant, code 2 is a noisy a."""
    n = len(factor_a)
    return np.stack([4.0 * factor_a - 2 + rng.uniform(-0.5, 0.5, n), np.full(n, 0.7),
                     factor_a + rng.normal(0, 1, n)], axis=1)


def test_sap_score_matrix_matches_disentanglement_libs_classifier_and_obvious_values():
    rng = np.random.RandomState(0)
    # Training factor a is imbalanced (about 20 % ones), so class balancing matters; the
    # test rows are exactly balanced, so a classifier that predicts one class scores 1/K.
    train_factors = np.stack([(rng.rand(400) < 0.2).astype(int), rng.randint(3, size=400)], 1)
    test_factors = np.stack([np.tile([0, 1], 30), rng.permutation(np.repeat([0, 1, 2], 20))], 1)
    train_codes = hand_made_codes(rng, train_factors[:, 0])
    test_codes = hand_made_codes(rng, test_factors[:, 0])
    matrix = lin.sap_score_matrix(train_codes, train_factors, test_codes, test_factors)

    def direct(i, j, class_weight):  # disentanglement_lib's call, fitted here
        classifier = LinearSVC(C=0.01, class_weight=class_weight)
        classifier.fit(train_codes[:, i:i + 1], train_factors[:, j])
        return np.mean(classifier.predict(test_codes[:, i:i + 1]) == test_factors[:, j])

    assert matrix.shape == (3, 2)
    assert matrix.tolist() == [[direct(i, j, "balanced") for j in range(2)] for i in range(3)]
    assert matrix[0, 0] == 1.0  # a perfectly separating code
    assert matrix[1].tolist() == [1 / 2, 1 / 3]  # a constant code: one class, chance
    assert matrix[2, 0] > direct(2, 0, None) + 0.1  # balancing lets the minority class be chosen


def test_sap_is_the_mean_gap_between_the_two_best_codes():
    factors = synthetic_factors(num_rows=600)
    codes = mixed_codes(factors) + np.random.RandomState(2).normal(0, 0.3, (600, 3))
    result = lin.sap_score(codes, factors, np.random.RandomState(0))
    columns = np.array(result["accuracy"]).T.tolist()
    gaps = [sorted(column)[-1] - sorted(column)[-2] for column in columns]
    assert result["per_factor"] == pytest.approx(gaps, abs=1e-12)
    assert result["sap"] == pytest.approx(sum(gaps) / len(gaps), abs=1e-12)


def test_linear_svc_accuracy_with_a_single_training_class_predicts_that_class():
    accuracy = lin.linear_svc_accuracy(np.array([0.0, 1.0]), np.array([4, 4]),
                                       np.array([0.3, 0.6, 0.9, 2.0]), np.array([4, 1, 4, 4]))
    assert accuracy == 0.75


def test_bad_inputs_are_refused():
    factors = synthetic_factors(num_rows=10)
    with pytest.raises(ValueError, match="same number"):
        dis.factor_vae_score(np.zeros((9, 2)), factors, np.random.RandomState(0))
    with pytest.raises(ValueError, match="more than one value"):
        dis.mutual_information_gap(np.zeros((10, 2)), np.zeros((10, 2), np.int64),
                                   np.random.RandomState(0))
    with pytest.raises(ValueError, match="integer"):
        lin.dci(np.zeros((10, 2)), factors.astype(float), np.random.RandomState(0))


@pytest.mark.skipif(not os.path.exists(DSPRITES), reason="dSprites subset not available")
def test_dsprites_subset_batches_share_a_factor_value():
    factors = np.load(DSPRITES)["latents_classes"]
    groups = dis.FactorGroups(factors[:, 1:])
    assert [len(g) for g in groups.groups] == [3, 6, 40, 32, 32]
    rng = np.random.RandomState(0)
    for factor in range(5):
        batch = groups.sample_batch(factor, 64, rng)
        assert np.unique(factors[batch, factor + 1]).size == 1
        assert np.unique(batch).size == 64  # every value has at least 64 images here
    result = dis.factor_vae_score(factors.astype(np.float64), factors, rng, **SMALL)
    assert result["eval_accuracy"] == 1.0 and result["code_to_factor"][0] == -1
