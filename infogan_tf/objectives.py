"""The players' objectives on one replica's batch: what each InfoGAN update minimises.

Following the authors' code, lambda * L_I is subtracted from both the D/Q loss
(so Q and the shared trunk learn it) and the G loss. Per-example losses are
averaged with `tf.nn.compute_average_loss` over the GLOBAL batch, so the
gradients the optimizer sums across replicas are those of the global mean.
`InfoGANTrainer` (trainer.py) inherits these and adds the tapes, optimizers and
the distributed loop.
"""

from typing import Optional

import tensorflow as tf

from infogan_tf import code_augmentation
from infogan_tf import continuous_views
from infogan_tf import contrastive
from infogan_tf import losses
from infogan_tf import networks
from infogan_tf import schedules
from infogan_tf import view_settings
from infogan_tf.latent import LatentBatch


class InfoGANObjectives:
    """The D/Q, G and contrastive losses, scaled by the global batch, with their metrics.

    Uses the attributes `InfoGANTrainer` creates: config, spec, architecture,
    generator, discriminator, rng, step and contrastive.
    """

    def _average(self, per_example: tf.Tensor) -> tf.Tensor:
        return tf.nn.compute_average_loss(per_example, global_batch_size=self.config.batch_size)

    def _information(self, latents: LatentBatch, outputs: networks.DiscriminatorOutputs):
        bounds = losses.mutual_information_lower_bound(
            self.spec, latents, outputs.categorical_logits, outputs.continuous_mean,
            outputs.continuous_log_std, self.config.learn_continuous_std,
            self.config.continuous_std_floor)
        weighted = losses.weighted_information(self.spec, bounds, self.config.lambda_categorical,
                                               self.config.lambda_continuous)
        return bounds, weighted

    def _discriminate(self, images: tf.Tensor) -> networks.DiscriminatorOutputs:
        return networks.split_discriminator_outputs(
            self.discriminator(self.add_instance_noise(images), training=True), self.spec)

    def _for_information(self, fake: networks.DiscriminatorOutputs, fake_images: tf.Tensor):
        """D/Q's outputs for L_I: the categorical logits read from randomly distorted
        copies of the images when that is on; the continuous codes of
        --continuous_codes_from_views from those or from their own rotated and/or shifted
        copies (continuous_views.continuous_view); and those of
        --continuous_codes_from_stroke_views from copies with changed strokes."""
        moved = code_augmentation.categorical_view(self.config, self.architecture, self.rng,
                                                   fake_images)
        viewed = None
        if moved is not None:
            viewed = self._discriminate(moved)
            fake = fake._replace(categorical_logits=viewed.categorical_logits)
        if self.config.continuous_codes_from_views:
            rotated = continuous_views.continuous_view(self.config, self.architecture,
                                                        self.rng, fake_images)
            if rotated is not None:
                viewed = self._discriminate(rotated)
            fake = self._continuous_from(fake, viewed, self.config.continuous_codes_from_views)
        stroked = continuous_views.stroke_view(self.config, self.rng, fake_images)
        if stroked is not None:
            fake = self._continuous_from(fake, self._discriminate(stroked),
                                         self.config.continuous_codes_from_stroke_views)
        return fake

    def _continuous_from(self, fake: networks.DiscriminatorOutputs,
                         viewed: networks.DiscriminatorOutputs, names):
        """`fake` with the continuous codes `names` (e.g. ("c3",)) read from `viewed`."""
        indices = view_settings.continuous_view_indices(self.spec, names)
        from_view = tf.constant([j in indices for j in range(self.spec.num_continuous)])
        return fake._replace(
            continuous_mean=tf.where(from_view, viewed.continuous_mean, fake.continuous_mean),
            continuous_log_std=tf.where(from_view, viewed.continuous_log_std,
                                        fake.continuous_log_std))

    def generator_mi_weight(self) -> tf.Tensor:
        return schedules.generator_mi_weight(self.config, self.step)

    def instance_noise_std(self) -> tf.Tensor:
        return schedules.instance_noise_std(self.config, self.step)

    def add_instance_noise(self, images: tf.Tensor) -> tf.Tensor:
        """Gaussian noise on an input of D (seed 004, section 6; Sonderby 2016).

        Real and generated images both get it, in D's and in G's update (G is
        judged by the D that learned on noisy images), so the two distributions
        overlap and D cannot become certain and drive the losses to NaN.
        """
        if not self.config.instance_noise_std:
            return images
        return images + self.instance_noise_std() * self.rng.normal(tf.shape(images))

    def generate(self, latents: LatentBatch) -> tf.Tensor:
        """G's images of `latents` (training mode: batch statistics)."""
        return self.generator(self.spec.generator_input(latents), training=True)

    def discriminator_objective(self, real_images: tf.Tensor, latents: LatentBatch,
                                fake_images: Optional[tf.Tensor] = None):
        """D/Q's loss on this replica's batch (scaled by the global batch) and metrics.

        Call it under a tape watching the discriminator to get D/Q's gradients.
        `fake_images`, if given, are G's images of `latents` generated already.
        """
        if fake_images is None:
            fake_images = self.generate(latents)
        real = self._discriminate(real_images)
        fake = self._discriminate(fake_images)
        bounds, weighted = self._information(latents, self._for_information(fake, fake_images))
        per_example = losses.discriminator_loss(real.validity_logits,
                                                fake.validity_logits) - weighted
        loss = self._average(per_example)
        metrics = {"d_loss": loss,
                   "L_I": self._average(tf.add_n(list(bounds.values())) if bounds
                                        else tf.zeros_like(per_example)),
                   "d_real": self._average(tf.sigmoid(real.validity_logits)),
                   "d_fake": self._average(tf.sigmoid(fake.validity_logits))}
        metrics.update({f"mi_{name}": self._average(b) for name, b in bounds.items()})
        if self.config.learn_continuous_std and self.spec.num_continuous:
            std = losses.continuous_std(fake.continuous_log_std, True,
                                        self.config.continuous_std_floor)
            metrics["q_std_min"] = tf.reduce_min(std)
            metrics["q_std_max"] = tf.reduce_max(std)
        return loss, metrics

    def generator_objective(self, latents: LatentBatch,
                            fake_images: Optional[tf.Tensor] = None) -> tf.Tensor:
        """G's loss on this replica's latents, scaled by the global batch.

        `fake_images`, if given, are G's images of `latents` generated already
        (their gradient then flows to G through the tape that generated them).
        """
        if fake_images is None:
            fake_images = self.generate(latents)
        fake = self._discriminate(fake_images)
        per_example = losses.generator_loss(fake.validity_logits)
        if self.config.generator_mi:
            per_example -= self.generator_mi_weight() * self._information(
                latents, self._for_information(fake, fake_images))[1]
        return self._average(per_example)

    def contrastive_objective(self, pairs) -> tf.Tensor:
        """G's contrastive term: lambda_cr times the classifier's cross-entropy on G's
        images of the (left, right, shared) pairs, scaled by the global batch."""
        logits = self.contrastive.model(
            contrastive.generate_pairs(self.generator, self.spec, *pairs[:2]), training=True)
        return self.config.contrastive_regularizer * self._average(
            contrastive.cross_entropy(logits, pairs[2]))
