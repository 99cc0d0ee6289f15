"""InfoGAN-CR's contrastive regularizer: the pairs, the loss, the classifier, its settings."""

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import contrastive
from infogan_tf import networks
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.latent import LatentSpec

SPEC = LatentSpec.from_counts(3, [4], 3)  # z: 3, c1: Cat(4), c2..c4: Unif(-1, 1).


def _draws(batch=6, seed=0):
    rng = tf.random.Generator.from_seed(seed)
    return SPEC.sample(rng, batch), SPEC.sample(rng, batch)


def test_pairs_share_exactly_the_chosen_code_and_take_the_rest_from_independent_draws():
    first, second = _draws()
    shared = tf.constant([0, 1, 2, 0, 1, 2])
    left, right = contrastive.pair_latents(SPEC, first, second, shared)
    for part in ("noise", "categorical", "continuous"):  # Without a gap the left is `first`.
        np.testing.assert_array_equal(getattr(left, part), getattr(first, part))
    np.testing.assert_array_equal(right.noise, first.noise)  # The authors share z.
    np.testing.assert_array_equal(right.categorical, second.categorical)
    expected = second.continuous.numpy().copy()
    expected[np.arange(6), shared.numpy()] = first.continuous.numpy()[np.arange(6), shared]
    np.testing.assert_array_equal(right.continuous, expected)
    equal = left.continuous.numpy() == right.continuous.numpy()
    np.testing.assert_array_equal(np.argwhere(equal)[:, 1], shared)  # One equal code per row.
    _, own_noise = contrastive.pair_latents(SPEC, first, second, shared, share_noise=False)
    np.testing.assert_array_equal(own_noise.noise, second.noise)


def test_a_gap_keeps_the_other_codes_apart_in_range_and_in_order():
    first, second = _draws(batch=400, seed=3)
    shared = tf.random.Generator.from_seed(1).uniform([400], 0, 3, dtype=tf.int32)
    left, right = contrastive.pair_latents(SPEC, first, second, shared, gap=1.5)
    a, b = left.continuous.numpy(), right.continuous.numpy()
    other = ~np.eye(3, dtype=bool)[shared.numpy()]
    assert np.all(np.abs(a - b)[other] >= 1.5 - 1e-6)
    assert a.min() >= -1 and b.min() >= -1 and a.max() <= 1 and b.max() <= 1
    order = np.sign(first.continuous.numpy() - second.continuous.numpy())
    np.testing.assert_array_equal(np.sign(a - b)[other], order[other])
    chosen = ~other
    np.testing.assert_array_equal(a[chosen], first.continuous.numpy()[chosen])
    np.testing.assert_array_equal(b[chosen], a[chosen])
    # Shrunk into [-0.25, 0.25], then moved 0.75 up or down: |code| >= 0.5.
    assert np.abs(a[other]).min() >= 0.5 - 1e-6 and np.abs(b[other]).min() >= 0.5 - 1e-6


def test_sampled_pairs_label_the_shared_code():
    left, right, shared = contrastive.sample_pairs(SPEC, tf.random.Generator.from_seed(7), 300)
    equal = left.continuous.numpy() == right.continuous.numpy()
    assert equal.sum(axis=1).tolist() == [1] * 300
    np.testing.assert_array_equal(np.argmax(equal, axis=1), shared)
    assert set(shared.numpy().tolist()) == {0, 1, 2}
    assert np.array_equal(left.noise, right.noise)


def test_loss_and_accuracy_match_numpy():
    logits = np.random.RandomState(0).normal(size=(5, 4)).astype(np.float32) * 3
    shared = np.array([0, 3, 1, 1, 2])
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    expected = -log_softmax[np.arange(5), shared]
    np.testing.assert_allclose(contrastive.cross_entropy(tf.constant(logits), shared),
                               expected, rtol=1e-5)
    np.testing.assert_array_equal(contrastive.correct(tf.constant(logits), shared),
                                  (logits.argmax(axis=1) == shared).astype(np.float32))


def test_classifier_takes_image_pairs_and_names_each_continuous_code():
    arch = networks.get_architecture("dsprites")
    spec = LatentSpec.from_counts(5, [], 5)
    classifier = contrastive.build_classifier(arch, spec, networks.NetworkOptions())
    assert classifier.input_shape == (None, 64, 64, 2) and classifier.output_shape == (None, 5)
    generator = networks.build_generator(arch, spec, networks.NetworkOptions())
    left, right, _ = contrastive.sample_pairs(spec, tf.random.Generator.from_seed(0), 3)
    pairs = contrastive.generate_pairs(generator, spec, left, right)
    assert pairs.shape == (3, 64, 64, 2) and classifier(pairs).shape == (3, 5)
    assert not np.allclose(pairs[..., 0], pairs[..., 1])  # The two images of each pair.


def test_schedule_boundaries_and_gap():
    config = TrainConfig(model_dir="m", latent=SPEC, contrastive_regularizer=2.0,
                         cr_start_step=10, cr_gap=1.0, cr_gap_end_step=20)
    assert contrastive.schedule_boundaries(config) == (10, 20)
    assert not contrastive.is_active(config, 9) and contrastive.is_active(config, 10)
    assert [float(contrastive.gap_at(config, tf.constant(s, tf.int64))) for s in (19, 20)] == \
        [1.0, 0.0]
    assert contrastive.schedule_boundaries(TrainConfig(model_dir="m", latent=SPEC)) == ()


@pytest.mark.parametrize("overrides, message", [
    (dict(contrastive_regularizer=-1.0), "--contrastive_regularizer must be >= 0"),
    (dict(contrastive_regularizer=1.0, latent=LatentSpec.from_counts(5, [10], 1)),
     "needs >= 2; got 1"),
    (dict(cr_start_step=100), "--cr_start_step only act with --contrastive_regularizer > 0"),
    (dict(contrastive_regularizer=1.0, cr_gap=2.0), "--cr_gap must be in"),
    (dict(contrastive_regularizer=1.0, cr_gap=0.5,
          latent=LatentSpec.from_counts(5, [], 3, continuous_prior="normal")),
     "--cr_gap needs --continuous_prior=uniform"),
    (dict(contrastive_regularizer=1.0, cr_gap=0.5, cr_start_step=50, cr_gap_end_step=40),
     "--cr_gap_end_step=40 needs --cr_gap > 0 and a step after --cr_start_step=50"),
    (dict(contrastive_regularizer=1.0, cr_gap_end_step=40), "needs --cr_gap > 0"),
])
def test_bad_contrastive_settings_are_refused(overrides, message):
    values = dict(model_dir="m", latent=SPEC)
    values.update(overrides)
    with pytest.raises(ConfigError, match=message):
        validate_config(TrainConfig(**values))


def test_dsprites_cr_flagfile_adds_the_authors_settings(parse_flags):
    base, cr = parse_flags(flagfile="dsprites"), parse_flags(flagfile="dsprites_cr")
    validate_config(cr)
    assert (cr.contrastive_regularizer, cr.cr_gap, cr.cr_share_noise) == (2.0, 0.0, True)
    # The authors' switch at step 288,000 of 322,560, at the same fraction of our run
    # (26786) rounded to dsprites.cfg's checkpoints, so --init_from can start there.
    assert abs(cr.cr_start_step - cr.train_steps * 288000 / 322560) <= cr.checkpoint_every / 2
    assert cr.cr_start_step % base.checkpoint_every == 0
    assert cr.run_signature() == dict(base.run_signature(), contrastive_classifier=True)
    differing = {k for k, v in cr.to_dict().items() if base.to_dict()[k] != v}
    assert differing == {"contrastive_regularizer", "cr_start_step"}

