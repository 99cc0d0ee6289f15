"""Evaluation metrics as pure numpy/scipy functions.

Clustering: the categorical code read by Q is a clustering of the test images;
it is scored against the labels by one-to-one (Hungarian) matching accuracy,
normalised mutual information and the adjusted Rand index, all computed from
the contingency matrix. Sample quality: the classifier score (the Inception
score with an MNIST classifier) and the Frechet distance between Gaussians
fitted to classifier features.
"""

from typing import Dict, List, Tuple

import numpy as np
from scipy import optimize
from scipy import special


def contingency_matrix(true_labels, predicted_clusters, num_labels: int = 0,
                       num_clusters: int = 0) -> np.ndarray:
    """Counts [label, cluster] of how often each label fell into each cluster.

    Args:
      true_labels: int array [N] of labels 0..L-1.
      predicted_clusters: int array [N] of clusters 0..K-1.
      num_labels: L (at least max label + 1); 0 infers it from the data.
      num_clusters: K (at least max cluster + 1); 0 infers it from the data.
    """
    true_labels = np.asarray(true_labels, np.int64).ravel()
    predicted_clusters = np.asarray(predicted_clusters, np.int64).ravel()
    if true_labels.shape != predicted_clusters.shape:
        raise ValueError(f"{true_labels.size} labels but {predicted_clusters.size} clusters")
    if true_labels.size and (true_labels.min() < 0 or predicted_clusters.min() < 0):
        raise ValueError("labels and clusters must be non-negative integers")
    rows = max(num_labels, int(true_labels.max(initial=-1)) + 1)
    cols = max(num_clusters, int(predicted_clusters.max(initial=-1)) + 1)
    counts = np.zeros((rows, cols), np.int64)
    np.add.at(counts, (true_labels, predicted_clusters), 1)
    return counts


def hungarian_mapping(contingency: np.ndarray) -> Dict[int, int]:
    """The one-to-one cluster -> label matching that maximises agreement.

    With more clusters than labels, the extra clusters stay unmatched (absent
    from the result); with fewer, some labels get no cluster.
    """
    labels, clusters = optimize.linear_sum_assignment(-np.asarray(contingency))
    return {int(c): int(lab) for lab, c in zip(labels, clusters)}


def largest_confusions(contingency: np.ndarray, top: int) -> List[Tuple[int, int, int]]:
    """The `top` (label, read as, count) errors under the one-to-one Hungarian matching.

    "Read as" is the label whose matched cluster took the examples (a real 7 in the
    cluster matched to 2 is (7, 2, n)); examples in unmatched clusters are not listed.
    Ordered by count, largest first, then by label.

    Args:
      contingency: [labels, clusters] counts, as from contingency_matrix.
      top: how many confusions to return at most.
    """
    counts = np.asarray(contingency)
    mapping = hungarian_mapping(counts)
    confusions = [(label, mapping[cluster], int(counts[label, cluster]))
                  for label in range(counts.shape[0]) for cluster in mapping
                  if mapping[cluster] != label and counts[label, cluster] > 0]
    confusions.sort(key=lambda item: (-item[2], item[0], item[1]))
    return confusions[:top]


def hungarian_accuracy(true_labels, predicted_clusters) -> float:
    """Fraction of examples whose cluster is matched to their label, one-to-one.

    A permutation of a perfect clustering scores 1.0. Examples in a cluster left
    unmatched (more clusters than labels) count as errors. Labels and clusters
    may be any integers (they are renumbered first).
    """
    labels = np.asarray(true_labels).ravel()
    clusters = np.asarray(predicted_clusters).ravel()
    if labels.size == 0:
        raise ValueError("no examples to score")
    counts = contingency_matrix(np.unique(labels, return_inverse=True)[1],
                                np.unique(clusters, return_inverse=True)[1])
    mapping = hungarian_mapping(counts)
    return float(sum(counts[label, cluster] for cluster, label in mapping.items())
                 / counts.sum())


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def mutual_information(contingency: np.ndarray) -> float:
    """I(labels; clusters) in nats of the empirical joint distribution."""
    counts = np.asarray(contingency, np.float64)
    joint = counts / counts.sum()
    outer = joint.sum(axis=1, keepdims=True) * joint.sum(axis=0, keepdims=True)
    nonzero = joint > 0
    return float((joint[nonzero] * np.log(joint[nonzero] / outer[nonzero])).sum())


def normalized_mutual_info(true_labels, predicted_clusters) -> float:
    """I(U; V) / mean(H(U), H(V)), the arithmetic normalisation (scikit-learn's default).

    Two constant labelings are identical and score 1.0.
    """
    counts = contingency_matrix(true_labels, predicted_clusters)
    h_labels, h_clusters = _entropy(counts.sum(axis=1)), _entropy(counts.sum(axis=0))
    if h_labels == 0.0 and h_clusters == 0.0:
        return 1.0
    return mutual_information(counts) / (0.5 * (h_labels + h_clusters))


def adjusted_rand_index(true_labels, predicted_clusters) -> float:
    """Hubert and Arabie's adjusted Rand index: 1 for identical partitions, ~0 by chance."""
    counts = contingency_matrix(true_labels, predicted_clusters)
    n = counts.sum()
    pairs_both = special.comb(counts, 2).sum()
    pairs_labels = special.comb(counts.sum(axis=1), 2).sum()
    pairs_clusters = special.comb(counts.sum(axis=0), 2).sum()
    expected = pairs_labels * pairs_clusters / special.comb(n, 2)
    maximum = 0.5 * (pairs_labels + pairs_clusters)
    if maximum == expected:  # Both partitions trivial (one cluster, or all singletons).
        return 1.0
    return float((pairs_both - expected) / (maximum - expected))


def clustering_scores(true_labels, predicted_clusters) -> dict:
    """Accuracy, NMI, ARI, the matching and the contingency matrix, JSON-ready."""
    counts = contingency_matrix(true_labels, predicted_clusters)
    return {"accuracy": hungarian_accuracy(true_labels, predicted_clusters),
            "nmi": normalized_mutual_info(true_labels, predicted_clusters),
            "ari": adjusted_rand_index(true_labels, predicted_clusters),
            "cluster_to_label": {str(c): lab for c, lab in hungarian_mapping(counts).items()},
            "contingency": counts.tolist()}


def label_free_code_scores(logits: np.ndarray) -> dict:
    """How decisively and how evenly a categorical code's Q assigns real images, without labels.

    Across the MNIST runs of docs/RESULTS.md the mean confidence ranked runs of one
    configuration in the order of their (label-based) accuracy; it is reported so runs
    can be compared, or restarts chosen, without labels.

    Args:
      logits: [N, K] Q's logits for N real images.

    Returns:
      mean_confidence: mean over images of max_k Q(k|x) (1 = every image decided);
      assignment_entropy: entropy in nats of the argmax categories' frequencies
        (ln K when every category is used equally often);
      max_entropy: ln K;
      mutual_information: I(x; c) in nats between the images and Q's category,
        H(mean_x Q(c|x)) - mean_x H(Q(c|x)): high when Q decides each image
        and uses every category equally (at most ln K), the clustering objective
        of Krause et al. 2010 (RIM) and IIC.
    """
    logits = np.asarray(logits, np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    counts = np.bincount(probabilities.argmax(axis=1), minlength=logits.shape[1])
    marginal = probabilities.mean(axis=0)
    conditional = -np.sum(probabilities * np.log(np.maximum(probabilities, 1e-300)), axis=1)
    return {"mean_confidence": float(probabilities.max(axis=1).mean()),
            "assignment_entropy": _entropy(counts),
            "max_entropy": float(np.log(logits.shape[1])),
            "mutual_information": _entropy(marginal) - float(conditional.mean())}


def classifier_score(probabilities: np.ndarray, eps: float = 1e-12) -> float:
    """exp(E_x KL(p(y|x) || p(y))): the Inception score with another classifier.

    It is at most the number of classes, reached when every image is
    classified with certainty and the classes are equally frequent.

    Args:
      probabilities: [N, classes] softmax outputs p(y|x) for N images.
    """
    p = np.asarray(probabilities, np.float64)
    marginal = p.mean(axis=0, keepdims=True)
    kl = (p * (np.log(p + eps) - np.log(marginal + eps))).sum(axis=1)
    return float(np.exp(kl.mean()))


def gaussian_statistics(features: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Mean [D] and unbiased covariance [D, D] of features [N, D]."""
    features = np.asarray(features, np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance(mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray,
                     cov_b: np.ndarray) -> float:
    """Squared Frechet (2-Wasserstein) distance between two Gaussians.

    ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)). The trace of the
    matrix square root is computed as that of the symmetric PSD matrix
    (S_a^(1/2) S_b S_a^(1/2))^(1/2), which has the same eigenvalues, with
    eigh: real and stable where scipy's sqrtm of the product can turn complex.
    """
    cov_a, cov_b = np.atleast_2d(cov_a), np.atleast_2d(cov_b)
    values, vectors = np.linalg.eigh(cov_a)
    sqrt_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    middle = sqrt_a @ cov_b @ sqrt_a
    middle_values = np.linalg.eigvalsh(0.5 * (middle + middle.T))
    trace_sqrt = np.sqrt(np.clip(middle_values, 0.0, None)).sum()
    diff = np.asarray(mean_a, np.float64) - np.asarray(mean_b, np.float64)
    return float(diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_sqrt)


def feature_frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two feature sets [N, D]."""
    return frechet_distance(*gaussian_statistics(features_a), *gaussian_statistics(features_b))
