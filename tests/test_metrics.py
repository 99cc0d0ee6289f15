"""Clustering and sample-quality metrics against hand and brute-force computations."""

import itertools
import math

import numpy as np
import pytest
from scipy import linalg

from infogan_tf import metrics


def _brute_force_accuracy(labels, clusters, k):
    """Best accuracy over every one-to-one relabelling of k clusters."""
    return max(np.mean(np.asarray(perm)[clusters] == labels)
               for perm in itertools.permutations(range(k)))


def _pair_counting_ari(labels, clusters):
    """The ARI from its definition: agreements over all pairs of examples."""
    n = len(labels)
    both = same_label = same_cluster = 0
    for i, j in itertools.combinations(range(n), 2):
        a, b = labels[i] == labels[j], clusters[i] == clusters[j]
        both += a and b
        same_label += a
        same_cluster += b
    pairs = n * (n - 1) / 2
    expected = same_label * same_cluster / pairs
    return (both - expected) / (0.5 * (same_label + same_cluster) - expected)


def _loop_nmi(labels, clusters):
    """I/mean(H) with explicit sums over the joint distribution."""
    n = len(labels)
    mi = 0.0
    for u in set(labels):
        for v in set(clusters):
            joint = np.sum((labels == u) & (clusters == v)) / n
            if joint:
                mi += joint * math.log(joint / (np.mean(labels == u) * np.mean(clusters == v)))
    entropy = lambda x: -sum(np.mean(x == s) * math.log(np.mean(x == s)) for s in set(x))
    return mi / (0.5 * (entropy(labels) + entropy(clusters)))


def test_permuted_perfect_clustering_scores_one():
    labels = np.repeat(np.arange(10), 7)
    clusters = np.array([3, 7, 0, 9, 1, 2, 8, 4, 6, 5])[labels]
    assert metrics.hungarian_accuracy(labels, clusters) == 1.0
    assert metrics.normalized_mutual_info(labels, clusters) == pytest.approx(1.0)
    assert metrics.adjusted_rand_index(labels, clusters) == pytest.approx(1.0)
    assert metrics.hungarian_mapping(metrics.contingency_matrix(labels, clusters))[3] == 0


def test_hand_computed_values():
    labels, clusters = np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2])
    # 3 of 4 matched one-to-one; I = ln 2, H(U) = ln 2, H(V) = 1.5 ln 2 -> NMI 0.8;
    # pairs: 1 agreeing, 2 same-label, 1 same-cluster of 6 -> (1 - 1/3) / (1.5 - 1/3) = 4/7.
    assert metrics.hungarian_accuracy(labels, clusters) == 0.75
    assert metrics.normalized_mutual_info(labels, clusters) == pytest.approx(0.8)
    assert metrics.adjusted_rand_index(labels, clusters) == pytest.approx(4 / 7)
    # Two digits merged into one category, a third split over two (the 4/9 failure).
    labels = np.array([4, 4, 9, 9, 7, 7])
    clusters = np.array([0, 0, 0, 0, 1, 2])
    assert metrics.hungarian_accuracy(labels, clusters) == pytest.approx(3 / 6)


def test_against_brute_force_on_random_clusterings():
    rng = np.random.RandomState(0)
    for _ in range(5):
        labels = rng.randint(0, 5, size=60)
        clusters = np.where(rng.rand(60) < 0.6, (labels + 2) % 5, rng.randint(0, 5, size=60))
        assert metrics.hungarian_accuracy(labels, clusters) == pytest.approx(
            _brute_force_accuracy(labels, clusters, 5))
        assert metrics.adjusted_rand_index(labels, clusters) == pytest.approx(
            _pair_counting_ari(labels, clusters))
        assert metrics.normalized_mutual_info(labels, clusters) == pytest.approx(
            _loop_nmi(labels, clusters))


def test_more_clusters_than_labels_leaves_extra_clusters_unmatched():
    labels = np.array([0, 0, 1, 1, 1, 1])
    clusters = np.array([0, 0, 1, 1, 2, 2])
    assert metrics.hungarian_accuracy(labels, clusters) == pytest.approx(4 / 6)
    counts = metrics.contingency_matrix(labels, clusters, num_labels=3)
    assert counts.shape == (3, 3) and counts[1].tolist() == [0, 2, 2]
    scores = metrics.clustering_scores(labels, clusters)
    assert len(scores["cluster_to_label"]) == 2


def test_independent_clusterings_score_near_zero():
    rng = np.random.RandomState(1)
    labels, clusters = rng.randint(0, 10, 20000), rng.randint(0, 10, 20000)
    assert abs(metrics.adjusted_rand_index(labels, clusters)) < 0.005
    assert metrics.normalized_mutual_info(labels, clusters) < 0.01
    assert metrics.hungarian_accuracy(labels, clusters) < 0.13


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="3 labels but 2 clusters"):
        metrics.hungarian_accuracy([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="no examples"):
        metrics.hungarian_accuracy([], [])
    assert metrics.hungarian_accuracy([-1, 5, 5], [7, 3, 3]) == 1.0  # Any integer ids.
    with pytest.raises(ValueError, match="non-negative"):
        metrics.contingency_matrix([0, -1], [0, 1])


def test_classifier_score_extremes():
    certain_uniform = np.eye(10)[np.arange(1000) % 10]
    assert metrics.classifier_score(certain_uniform) == pytest.approx(10.0, rel=1e-6)
    assert metrics.classifier_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)
    one_class = np.eye(10)[np.zeros(100, int)]
    assert metrics.classifier_score(one_class) == pytest.approx(1.0)
    # Two equally frequent classes, each predicted with certainty: exp(ln 2) = 2.
    assert metrics.classifier_score(np.eye(10)[np.arange(100) % 2]) == pytest.approx(2.0)


def _direct_frechet(mu_a, cov_a, mu_b, cov_b):
    covmean = linalg.sqrtm(cov_a @ cov_b).real
    return np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * covmean)


def test_frechet_distance_closed_forms():
    # Diagonal covariances: ||dmu||^2 + sum (sqrt(a) - sqrt(b))^2.
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    mu_a, mu_b = np.zeros(3), np.array([1.0, 2.0, 0.0])
    expected = 5.0 + 1.0 + 1.0 + 0.0
    assert metrics.frechet_distance(mu_a, np.diag(a), mu_b, np.diag(b)) == pytest.approx(expected)
    rng = np.random.RandomState(2)
    for _ in range(3):
        x, y = rng.randn(6, 6), rng.randn(6, 6)
        cov_a, cov_b = x @ x.T + 0.1 * np.eye(6), y @ y.T + 0.1 * np.eye(6)
        mu_a, mu_b = rng.randn(6), rng.randn(6)
        assert metrics.frechet_distance(mu_a, cov_a, mu_b, cov_b) == pytest.approx(
            _direct_frechet(mu_a, cov_a, mu_b, cov_b), rel=1e-6)


def test_feature_frechet_distance_is_zero_to_itself_and_grows_with_a_shift():
    rng = np.random.RandomState(3)
    features = rng.randn(4000, 8) @ rng.randn(8, 8)
    assert abs(metrics.feature_frechet_distance(features, features)) < 1e-6
    distances = []
    for shift in (0.5, 1.0, 2.0):
        moved = features + shift * np.ones(8)
        # A pure shift leaves the covariance: the distance is exactly ||shift||^2 = 8 shift^2.
        distances.append(metrics.feature_frechet_distance(features, moved))
        assert distances[-1] == pytest.approx(8 * shift ** 2, rel=1e-6)
        mu, cov = metrics.gaussian_statistics(moved)
        np.testing.assert_allclose(cov, np.cov(features.T), rtol=1e-9)
    assert distances == sorted(distances)
    scaled = metrics.feature_frechet_distance(features, 2.0 * features)
    mu_a, cov_a = features.mean(0), np.cov(features.T)
    assert scaled == pytest.approx(_direct_frechet(mu_a, cov_a, 2 * mu_a, 4 * cov_a), rel=1e-6)


def test_label_free_code_scores_by_hand():
    # Row 1: softmax(ln 3, 0, 0) = (0.6, 0.2, 0.2); row 2: uniform (1/3 each, argmax 0);
    # row 3: softmax(0, ln 4, 0) = (1/6, 4/6, 1/6); row 4: certain category 2.
    logits = np.array([[np.log(3.0), 0.0, 0.0], [5.0, 5.0, 5.0], [0.0, np.log(4.0), 0.0],
                       [0.0, 0.0, 200.0]])
    scores = metrics.label_free_code_scores(logits)
    assert scores["mean_confidence"] == pytest.approx((0.6 + 1 / 3 + 4 / 6 + 1.0) / 4)
    # Argmax categories 0, 0, 1, 2: frequencies 1/2, 1/4, 1/4.
    assert scores["assignment_entropy"] == pytest.approx(
        -(0.5 * np.log(0.5) + 2 * 0.25 * np.log(0.25)))
    assert scores["max_entropy"] == pytest.approx(np.log(3.0))
    # Mean of the four rows: (1.1, 1.2, 1.7) / 4; minus the mean of the rows' entropies.
    marginal_entropy = -sum(p * np.log(p) for p in (0.275, 0.3, 0.425))
    row_entropies = [-(0.6 * np.log(0.6) + 2 * 0.2 * np.log(0.2)), np.log(3.0),
                     -(2 / 6 * np.log(1 / 6) + 4 / 6 * np.log(4 / 6)), 0.0]
    assert scores["mutual_information"] == pytest.approx(
        marginal_entropy - np.mean(row_entropies), abs=1e-9)


def test_label_free_code_scores_extremes():
    decided = np.eye(4)[np.arange(8) % 4] * 50.0
    scores = metrics.label_free_code_scores(decided)
    assert scores["mean_confidence"] == pytest.approx(1.0)
    assert scores["assignment_entropy"] == pytest.approx(np.log(4.0))
    assert scores["mutual_information"] == pytest.approx(np.log(4.0))
    collapsed = metrics.label_free_code_scores(np.tile([9.0, 0.0, 0.0, 0.0], (8, 1)))
    assert collapsed["assignment_entropy"] == 0.0
    assert collapsed["mutual_information"] == pytest.approx(0.0, abs=1e-12)
    undecided = metrics.label_free_code_scores(np.zeros((8, 4)))
    assert undecided["mutual_information"] == pytest.approx(0.0, abs=1e-12)


def test_largest_confusions_follow_the_matched_labels():
    # Clusters are digits shifted by 3; 20 sevens sit in the 2s' cluster, 5 fours in the
    # 9s', 5 ones in the 8s'. Ties are ordered by label.
    labels = np.repeat(np.arange(10), 100)
    clusters = (labels + 3) % 10
    clusters[np.where(labels == 7)[0][:20]] = (2 + 3) % 10
    clusters[np.where(labels == 4)[0][:5]] = (9 + 3) % 10
    clusters[np.where(labels == 1)[0][:5]] = (8 + 3) % 10
    counts = metrics.contingency_matrix(labels, clusters, 10, 10)
    assert metrics.largest_confusions(counts, 3) == [(7, 2, 20), (1, 8, 5), (4, 9, 5)]
    assert metrics.largest_confusions(counts, 1) == [(7, 2, 20)]
    assert metrics.largest_confusions(metrics.contingency_matrix(labels, labels), 3) == []
