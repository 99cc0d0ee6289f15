"""Golden-value tests of the losses against independent numpy computations."""

import math

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import losses
from infogan_tf.latent import LatentBatch, LatentSpec


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_discriminator_and_generator_losses_match_log_probabilities():
    real = np.array([2.0, -1.0, 0.0, 7.5], np.float32)
    fake = np.array([-3.0, 0.5, 0.0, -7.5], np.float32)
    r, f = real.astype(np.float64), fake.astype(np.float64)  # exact reference
    expected_d = -np.log(_np_sigmoid(r)) - np.log(1.0 - _np_sigmoid(f))
    expected_g = -np.log(_np_sigmoid(f))
    np.testing.assert_allclose(losses.discriminator_loss(real, fake), expected_d, rtol=1e-5)
    np.testing.assert_allclose(losses.generator_loss(fake), expected_g, rtol=1e-5)
    # At logits 0, D outputs 1/2: each term is ln 2.
    assert float(losses.discriminator_loss(tf.zeros([1]), tf.zeros([1]))[0]) == pytest.approx(
        2 * math.log(2), abs=1e-6)


def test_losses_stay_finite_for_extreme_logits():
    big = tf.constant([200.0, -200.0])
    assert np.all(np.isfinite(losses.discriminator_loss(big, -big)))
    assert np.all(np.isfinite(losses.generator_loss(big)))


def test_categorical_lower_bound_is_entropy_minus_cross_entropy():
    spec = LatentSpec.from_counts(noise_dim=0, categorical=[3])
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5], [0.0, 10.0, 0.0]], np.float32)
    codes = np.array([[0], [2], [1]], np.int32)
    latents = LatentBatch(tf.zeros([3, 0]), tf.constant(codes), tf.zeros([3, 0]))
    bounds = losses.mutual_information_lower_bound(spec, latents, [logits], None, None)
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    cross_entropy = -log_softmax[np.arange(3), codes[:, 0]]
    np.testing.assert_allclose(bounds["c1"], math.log(3) - cross_entropy, rtol=1e-5)
    # Hand values: uniform logits give exactly 0 nats; a confident right answer nearly ln 3.
    assert float(bounds["c1"][1]) == pytest.approx(0.0, abs=1e-6)
    assert float(bounds["c1"][2]) == pytest.approx(math.log(3) - 2 * math.exp(-10), abs=1e-6)


def test_gaussian_lower_bound_with_fixed_std_is_shifted_squared_error():
    spec = LatentSpec.from_counts(noise_dim=4, continuous=2)
    values = np.array([[0.5, -0.2], [-1.0, 0.9]], np.float32)
    mean = np.array([[0.1, -0.2], [0.0, 0.0]], np.float32)
    latents = LatentBatch(tf.zeros([2, 4]), tf.zeros([2, 0], tf.int32), tf.constant(values))
    bounds = losses.mutual_information_lower_bound(
        spec, latents, [], mean, np.full_like(mean, 3.0), learn_continuous_std=False)
    # ln 2 (entropy of Unif(-1,1)) - 0.5 ln(2 pi) - 0.5 (c - mu)^2, std ignored when fixed.
    expected = math.log(2) - 0.5 * math.log(2 * math.pi) - 0.5 * (values - mean) ** 2
    np.testing.assert_allclose(bounds["c1"], expected[:, 0], rtol=1e-5)
    np.testing.assert_allclose(bounds["c2"], expected[:, 1], rtol=1e-5)
    assert float(bounds["c2"][0]) == pytest.approx(-0.2257913526, abs=1e-6)


def test_gaussian_lower_bound_with_learned_std_and_normal_prior():
    spec = LatentSpec.from_counts(noise_dim=0, continuous=1, continuous_prior="normal")
    values = np.array([[1.5], [0.0]], np.float32)
    mean = np.array([[1.0], [0.3]], np.float32)
    log_std = np.array([[math.log(0.5)], [0.2]], np.float32)
    latents = LatentBatch(tf.zeros([2, 0]), tf.zeros([2, 0], tf.int32), tf.constant(values))
    bounds = losses.mutual_information_lower_bound(spec, latents, [], mean, log_std,
                                                   learn_continuous_std=True, std_floor=0.01)
    std = np.exp(log_std)
    log_pdf = -0.5 * np.log(2 * np.pi * std ** 2) - (values - mean) ** 2 / (2 * std ** 2)
    expected = 0.5 * np.log(2 * np.pi * np.e) + log_pdf[:, 0]
    np.testing.assert_allclose(bounds["c1"], expected, rtol=1e-5)
    # Hand value for row 0: 1.4189385 + (-0.9189385 + ln 2 - 0.5) = ln 2.
    assert float(bounds["c1"][0]) == pytest.approx(math.log(2), abs=1e-5)


def test_learned_std_has_a_floor_so_the_bound_stays_finite():
    std = losses.continuous_std(tf.constant([[-1000.0, 1000.0, 0.0]]), True, 0.05)
    np.testing.assert_allclose(std, [[0.05, math.exp(losses.MAX_LOG_STD), 1.0]], rtol=1e-5)
    log_q = losses.gaussian_log_likelihood(tf.constant([[0.3]]), tf.constant([[0.3]]),
                                           losses.continuous_std(tf.constant([[-1e4]]), True, 0.05))
    assert float(log_q[0, 0]) == pytest.approx(-0.5 * math.log(2 * math.pi) - math.log(0.05))
    np.testing.assert_allclose(losses.continuous_std(tf.constant([[4.0]]), False, 0.05), [[1.0]])


def test_weighted_information_uses_separate_lambdas():
    spec = LatentSpec.from_counts(noise_dim=2, categorical=[10], continuous=2)
    bounds = {"c1": tf.constant([2.0]), "c2": tf.constant([-0.5]), "c3": tf.constant([0.25])}
    total = losses.weighted_information(spec, bounds, lambda_categorical=1.0,
                                        lambda_continuous=0.1)
    assert float(total[0]) == pytest.approx(2.0 + 0.1 * (-0.5 + 0.25))


def _bound_of_mixed_codes(angle, learn_std):
    """Summed continuous L_I when two codes are a rotation by `angle` of two factors that
    Q reads with independent errors of std 0.05 and 0.3, Q's std set to each code's rms
    error (learned) or to 1 (fixed)."""
    rng = np.random.RandomState(0)
    factors = rng.uniform(-1, 1, (20000, 2))
    errors = rng.normal(0, 1, (20000, 2)) * np.array([0.05, 0.3])
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    codes, means = factors @ rotation.T, (factors + errors) @ rotation.T
    log_std = np.broadcast_to(np.log(np.sqrt(np.mean((means - codes) ** 2, axis=0))),
                              codes.shape)
    spec = LatentSpec.from_counts(noise_dim=0, continuous=2)
    latents = LatentBatch(tf.zeros([20000, 0]), tf.zeros([20000, 0], tf.int32),
                          tf.constant(codes, tf.float32))
    bounds = losses.mutual_information_lower_bound(
        spec, latents, [], tf.constant(means, tf.float32), tf.constant(log_std, tf.float32),
        learn_continuous_std=learn_std)
    return float(np.mean(bounds["c1"]) + np.mean(bounds["c2"])), np.mean((means - codes) ** 2, 0)


def test_a_learned_diagonal_std_prefers_codes_aligned_with_independently_read_factors():
    # With std fixed, L_I is a squared error, invariant to rotating the codes' plane;
    # a learned diagonal std scores -0.5 * sum(log var_i), which Hadamard's inequality
    # makes largest when each code carries one factor (its errors uncorrelated).
    fixed = [_bound_of_mixed_codes(a, False)[0] for a in (0, np.pi / 8, np.pi / 4)]
    np.testing.assert_allclose(fixed, fixed[0], rtol=1e-5)
    learned = [_bound_of_mixed_codes(a, True) for a in (0, np.pi / 8, np.pi / 4)]
    assert learned[0][0] > learned[1][0] > learned[2][0]
    for bound, variances in learned:  # The bound in closed form, per code: ln 2 - 0.5 ln(2 pi e var).
        expected = np.sum(np.log(2) - 0.5 * np.log(2 * np.pi * np.e * variances))
        assert bound == pytest.approx(expected, abs=1e-3)
    aligned_minus_mixed = learned[0][0] - learned[2][0]
    # At 45 degrees each code's error variance is (0.05^2 + 0.3^2) / 2.
    assert aligned_minus_mixed == pytest.approx(
        -0.5 * np.log(0.05 ** 2 * 0.3 ** 2) + np.log((0.05 ** 2 + 0.3 ** 2) / 2), abs=0.02)
