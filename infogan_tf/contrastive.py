"""InfoGAN-CR's contrastive regularizer (Lin et al. 2020, ICML), as pure functions.

A pair of latent vectors shares the value of one continuous code, chosen
uniformly; G makes both images, and a classifier that sees the two images
stacked along the channels must tell which code is shared. Its cross-entropy is
minimised by the classifier and, weighted by --contrastive_regularizer
(lambda_cr), by G: a G whose codes each change one thing makes the shared code
easy to see. The trainer (trainer.py) runs it; this module builds the pairs,
the loss and the classifier.

What follows the authors' code (github.com/fjxmlzn/InfoGAN-CR, the dSprites
configs and gan/latent.py's sample_cr; the paper's text was not available here):
- The pair shares the noise z as well (sample_same with gap 0); the codes that
  are not shared are drawn independently. Categorical codes (their dSprites
  runs have none) are drawn independently too. `share_noise=False` draws z
  independently for the pair instead.
- Progressive training: lambda_cr is 0 (the classifier is not trained) until
  --cr_start_step, then lambda_cr with a freshly initialised classifier; the
  dSprites configs switch to lambda_cr = 2 at step 288,000 of 322,560.
- The optional contrastive gap (used in their 3D-teapot config, 1.9 until step
  85,000, then 0): until --cr_gap_end_step, every code that is not shared differs
  between the two images by at least --cr_gap, each still in [-1, 1]; at the end
  of the gap the classifier is re-initialised, as theirs is.
"""

from typing import Tuple

import keras
import tensorflow as tf

from infogan_tf.latent import LatentBatch, LatentSpec

METRIC_NAMES = ("cr_loss", "cr_accuracy")


def spread_apart(first: tf.Tensor, second: tf.Tensor, gap) -> Tuple[tf.Tensor, tf.Tensor]:
    """Two independent Unif(-1, 1) draws -> a pair at least `gap` apart, both in [-1, 1].

    Both are shrunk into [-1 + gap/2, 1 - gap/2], then the larger moves up by gap/2
    and the other down: the authors' `sample_different`. A gap of 0 returns them as
    they are.
    """
    half = tf.cast(gap, first.dtype) / 2
    first, second = first * (1 - half), second * (1 - half)
    sign = tf.where(first > second, 1.0, -1.0)
    return first + sign * half, second - sign * half


def pair_latents(spec: LatentSpec, first: LatentBatch, second: LatentBatch, shared: tf.Tensor,
                 gap=0.0, share_noise: bool = True) -> Tuple[LatentBatch, LatentBatch]:
    """Pairs of latents that share continuous code `shared[b]` and differ elsewhere.

    Args:
      spec: the latent space (needs continuous codes).
      first, second: two independent draws from the priors, [B, ...] each.
      shared: int32 [B], the index among the continuous codes each pair shares.
      gap: minimum difference of the codes that are not shared (uniform priors).
      share_noise: whether the pair shares the noise z (the authors' code) or
        takes `second`'s.

    Returns:
      (left, right): row b of both has continuous code shared[b] equal to
      first's; the other continuous codes are first's and second's, spread
      `gap` apart; categorical codes are first's and second's.
    """
    chosen = tf.cast(tf.one_hot(shared, spec.num_continuous), tf.bool)
    left, right = spread_apart(first.continuous, second.continuous, gap)
    left = tf.where(chosen, first.continuous, left)
    right = tf.where(chosen, first.continuous, right)
    noise = first.noise if share_noise else second.noise
    return (LatentBatch(first.noise, first.categorical, left),
            LatentBatch(noise, second.categorical, right))


def sample_pairs(spec: LatentSpec, rng: tf.random.Generator, batch_size, gap=0.0,
                 share_noise: bool = True) -> Tuple[LatentBatch, LatentBatch, tf.Tensor]:
    """`batch_size` pairs from the priors with a uniformly chosen shared code each.

    Returns:
      (left, right, shared) as in `pair_latents`.
    """
    first = spec.sample(rng, batch_size)
    second = spec.sample(rng, batch_size)
    shared = rng.uniform([batch_size], 0, spec.num_continuous, dtype=tf.int32)
    left, right = pair_latents(spec, first, second, shared, gap, share_noise)
    return left, right, shared


def stack_pair(left_images: tf.Tensor, right_images: tf.Tensor) -> tf.Tensor:
    """The classifier's input: the two images of each pair along the channels [B, H, W, 2C]."""
    return tf.concat([left_images, right_images], axis=-1)


def cross_entropy(logits: tf.Tensor, shared: tf.Tensor) -> tf.Tensor:
    """Per-pair softmax cross-entropy (nats) [B] of the classifier's logits [B, n_cont]."""
    return tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(shared, tf.int32), logits=tf.cast(logits, tf.float32))


def correct(logits: tf.Tensor, shared: tf.Tensor) -> tf.Tensor:
    """Per pair, 1.0 if the classifier's most likely code is the shared one, else 0.0."""
    predicted = tf.argmax(logits, axis=1, output_type=tf.int32)
    return tf.cast(tf.equal(predicted, tf.cast(shared, tf.int32)), tf.float32)


def build_classifier(architecture, spec: LatentSpec, options) -> keras.Model:
    """The contrastive classifier: D's trunk on an image pair, one logit per continuous code.

    The trunk is built anew (no weights shared with D), with twice D's input
    channels; on dSprites it is the authors' CrDiscriminator (conv 32, 32, 64, 64,
    FC 128, spectral norm, leaky ReLU, then a linear layer).
    """
    height, width, channels = architecture.image_shape
    pairs = keras.Input(shape=(height, width, 2 * channels), name="image_pairs")
    features = architecture.discriminator_trunk(pairs, options)
    logits = keras.layers.Dense(spec.num_continuous, kernel_initializer=options.initializer(),
                                dtype="float32", name="shared_code_logits")(features)
    return keras.Model(pairs, logits, name="contrastive_classifier")


def schedule_boundaries(config) -> Tuple[int, ...]:
    """Steps at which the training step changes: lambda_cr switches on, the gap ends."""
    if not config.contrastive_regularizer:
        return ()
    return tuple(step for step in (config.cr_start_step, config.cr_gap_end_step) if step > 0)


def is_active(config, step: int) -> bool:
    """Whether the steps from `step` on train with the regularizer."""
    return bool(config.contrastive_regularizer) and step >= config.cr_start_step


def gap_at(config, step: tf.Tensor) -> tf.Tensor:
    """The contrastive gap at `step`: --cr_gap before --cr_gap_end_step (0 = always), then 0."""
    gap = tf.constant(config.cr_gap, tf.float32)
    if not config.cr_gap_end_step:
        return gap
    return tf.where(step < config.cr_gap_end_step, gap, 0.0)


def generate_pairs(generator: keras.Model, spec: LatentSpec, left: LatentBatch,
                   right: LatentBatch) -> tf.Tensor:
    """G's images of latent pairs, stacked for the classifier [B, H, W, 2C].

    G runs in training mode on the 2B latents as one batch (one batch-norm batch).
    """
    both = tf.concat([spec.generator_input(left), spec.generator_input(right)], axis=0)
    return stack_pair(*tf.split(generator(both, training=True), 2))


class ClassifierState:
    """The classifier, its own Adam (D/Q's settings) and loss scale, and its initial weights.

    Created inside `strategy.scope()`; `make_optimizer(variables)` builds the
    optimizer there, before the first step or restore.
    """

    def __init__(self, classifier: keras.Model, make_optimizer, loss_scale_fn):
        self.model = classifier
        self.optimizer = make_optimizer(variables=classifier.trainable_variables)
        self.loss_scale = loss_scale_fn(self.optimizer, classifier.trainable_variables)
        self._initial = [v.numpy() for v in classifier.weights]

    @property
    def updater(self):
        return self.optimizer if self.loss_scale is None else self.loss_scale

    def restart(self) -> None:
        """Back to the initial weights and a fresh optimizer state (not learning rate)."""
        for variable, value in zip(self.model.weights, self._initial):
            variable.assign(value)
        for variable in self.optimizer.variables:
            if not variable.path.endswith("learning_rate"):
                variable.assign(tf.zeros(variable.shape, variable.dtype))
