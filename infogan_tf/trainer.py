"""The InfoGAN training step under a `tf.distribute` strategy.

One step = one D/Q update, then one G update, on the same real batch, each
player with its own tape (as in the keras-io GAN examples). Following the
authors' code, lambda * L_I is subtracted from both the D/Q loss (so Q and the
shared trunk learn it) and the G loss. Per-example losses are averaged with
`tf.nn.compute_average_loss` over the GLOBAL batch, so the gradients the
optimizer sums across replicas are those of the global mean.
"""

from typing import Dict, Optional

import keras
import tensorflow as tf

from infogan_tf import losses
from infogan_tf import networks
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentBatch


class InfoGANTrainer:
    """Owns the networks, optimizers, latent RNG and step counter.

    Everything stateful is created inside `strategy.scope()`, and the
    optimizers are built there before the first step or restore (Keras 3
    otherwise creates their variables inside the first distributed step).
    """

    def __init__(self, config: TrainConfig, strategy: tf.distribute.Strategy):
        self.config = config
        self.strategy = strategy
        self.spec = config.latent
        self.architecture = networks.get_architecture(config.architecture)
        keras.utils.set_random_seed(config.seed)  # Deterministic weight init.
        with strategy.scope():
            self.generator, self.discriminator = self._build_networks()
            self.g_optimizer = keras.optimizers.Adam(config.g_learning_rate,
                                                     beta_1=config.beta1)
            self.d_optimizer = keras.optimizers.Adam(config.d_learning_rate,
                                                     beta_1=config.beta1)
            self.g_optimizer.build(self.generator.trainable_variables)
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self._g_loss_scale = self._loss_scale(self.g_optimizer,
                                                  self.generator.trainable_variables)
            self._d_loss_scale = self._loss_scale(self.d_optimizer,
                                                  self.discriminator.trainable_variables)
            self.rng = tf.random.Generator.from_seed(config.seed)
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        # XLA compiles each replica's forward and backward pass; the all-reduce
        # inside apply_gradients cannot be compiled, so updates stay outside.
        compile_xla = (lambda f: tf.function(f, jit_compile=True)) if config.jit_compile \
            else (lambda f: f)
        self._d_gradients = compile_xla(self.discriminator_gradients)
        self._g_gradients = compile_xla(self.generator_gradients)
        self.train_loop = tf.function(self._train_loop)

    def _build_networks(self):
        """G and D/Q under the run's precision policy; the global policy is restored after."""
        previous = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_global_policy(self.config.mixed_precision)
        try:
            return (networks.build_generator(self.architecture, self.spec, self.config.network),
                    networks.build_discriminator(self.architecture, self.spec,
                                                 self.config.network))
        finally:
            keras.mixed_precision.set_global_policy(previous)

    def _loss_scale(self, optimizer, variables):
        """A dynamic loss-scaling wrapper of the optimizer for float16, else None.

        Only the inner optimizer is checkpointed: a run resumes with any precision,
        and the loss scale re-adapts within a few steps.
        """
        if self.config.mixed_precision != "mixed_float16":
            return None
        scaled = keras.optimizers.LossScaleOptimizer(optimizer)
        scaled.build(variables)
        return scaled

    @property
    def d_updater(self):
        """Applies D/Q's gradients: the optimizer, or its loss-scaling wrapper (float16)."""
        return self.d_optimizer if self._d_loss_scale is None else self._d_loss_scale

    @property
    def g_updater(self):
        """Applies G's gradients: the optimizer, or its loss-scaling wrapper (float16)."""
        return self.g_optimizer if self._g_loss_scale is None else self._g_loss_scale

    @property
    def per_replica_batch_size(self) -> int:
        return self.config.batch_size // self.strategy.num_replicas_in_sync

    def checkpoint_objects(self) -> Dict[str, object]:
        """What a checkpoint must hold to resume exactly."""
        return {"step": self.step, "generator": self.generator,
                "discriminator": self.discriminator, "g_optimizer": self.g_optimizer,
                "d_optimizer": self.d_optimizer, "rng": self.rng}

    def metric_names(self):
        names = ["d_loss", "g_loss", "L_I", "d_real", "d_fake"]
        return names + [f"mi_{name}" for name in self.spec.code_names()]

    # ---- one replica's work -------------------------------------------------
    def replica_step(self, real_images: tf.Tensor, d_latents: Optional[LatentBatch] = None,
                     g_latents: Optional[LatentBatch] = None) -> Dict[str, tf.Tensor]:
        """One D/Q update and one G update on this replica's share of the batch.

        Latents are drawn from the in-scope RNG unless given (tests give them).
        Returns metrics already divided by the global batch size: summing them
        over replicas gives global means. Also returns the learned std extrema.
        """
        batch = tf.shape(real_images)[0]
        if d_latents is None:
            d_latents = self.spec.sample(self.rng, batch)
        if g_latents is None:
            g_latents = self.spec.sample(self.rng, batch)
        gradients, metrics = self._d_gradients(real_images, d_latents)
        self.d_updater.apply_gradients(zip(gradients, self.discriminator.trainable_variables))
        gradients, metrics["g_loss"] = self._g_gradients(g_latents)
        self.g_updater.apply_gradients(zip(gradients, self.generator.trainable_variables))
        return metrics

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

    def generator_mi_weight(self) -> tf.Tensor:
        """Factor on L_I in G's loss: min(1, step / --generator_mi_warmup_steps)."""
        if not self.config.generator_mi_warmup_steps:
            return tf.constant(1.0)
        progress = tf.cast(self.step, tf.float32) / float(self.config.generator_mi_warmup_steps)
        return tf.minimum(1.0, progress)

    def instance_noise_std(self) -> tf.Tensor:
        """Instance-noise std at the current step: --instance_noise_std, annealed
        linearly to 0 at step --instance_noise_steps (constant if that is 0)."""
        std = tf.constant(self.config.instance_noise_std, tf.float32)
        if not self.config.instance_noise_steps:
            return std
        progress = tf.cast(self.step, tf.float32) / float(self.config.instance_noise_steps)
        return std * tf.maximum(0.0, 1.0 - progress)

    def add_instance_noise(self, images: tf.Tensor) -> tf.Tensor:
        """Gaussian noise on an input of D (seed 004, section 6; Sonderby 2016).

        Real and generated images both get it, in D's and in G's update (G is
        judged by the D that learned on noisy images), so the two distributions
        overlap and D cannot become certain and drive the losses to NaN.
        """
        if not self.config.instance_noise_std:
            return images
        return images + self.instance_noise_std() * self.rng.normal(tf.shape(images))

    @staticmethod
    def gradients(tape: tf.GradientTape, loss: tf.Tensor, variables) -> list:
        """Gradients with zeros, not None, for unused variables (the log-std head
        when the std is fixed): Adam then leaves them unchanged."""
        gradients = tape.gradient(loss, variables)
        return [tf.zeros(v.shape, v.dtype) if g is None else g
                for g, v in zip(gradients, variables)]

    def discriminator_objective(self, real_images: tf.Tensor, latents: LatentBatch):
        """D/Q's loss on this replica's batch (scaled by the global batch) and metrics.

        Call it under a tape watching the discriminator to get D/Q's gradients.
        """
        fake_images = self.generator(self.spec.generator_input(latents), training=True)
        real = self._discriminate(real_images)
        fake = self._discriminate(fake_images)
        bounds, weighted = self._information(latents, fake)
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

    def generator_objective(self, latents: LatentBatch) -> tf.Tensor:
        """G's loss on this replica's latents, scaled by the global batch."""
        fake_images = self.generator(self.spec.generator_input(latents), training=True)
        fake = self._discriminate(fake_images)
        per_example = losses.generator_loss(fake.validity_logits)
        if self.config.generator_mi:
            per_example -= self.generator_mi_weight() * self._information(latents, fake)[1]
        return self._average(per_example)

    @staticmethod
    def _scaled(loss_scale, loss: tf.Tensor) -> tf.Tensor:
        return loss if loss_scale is None else loss_scale.scale_loss(loss)

    def discriminator_gradients(self, real_images: tf.Tensor, latents: LatentBatch):
        """D/Q's gradients on this replica's batch (loss-scaled for float16) and metrics."""
        with tf.GradientTape() as tape:
            loss, metrics = self.discriminator_objective(real_images, latents)
            scaled = self._scaled(self._d_loss_scale, loss)
        return self.gradients(tape, scaled, self.discriminator.trainable_variables), metrics

    def generator_gradients(self, latents: LatentBatch):
        """G's gradients on this replica's latents (loss-scaled for float16) and its loss."""
        with tf.GradientTape() as tape:
            loss = self.generator_objective(latents)
            scaled = self._scaled(self._g_loss_scale, loss)
        return self.gradients(tape, scaled, self.generator.trainable_variables), loss

    # ---- the distributed loop -----------------------------------------------
    def _reduce(self, per_replica: Dict[str, tf.Tensor]) -> Dict[str, tf.Tensor]:
        reduced = {}
        for name, value in per_replica.items():
            if name == "q_std_min":
                reduced[name] = tf.reduce_min(self.strategy.experimental_local_results(value))
            elif name == "q_std_max":
                reduced[name] = tf.reduce_max(self.strategy.experimental_local_results(value))
            else:
                reduced[name] = self.strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)
        return reduced

    def _initial_totals(self) -> Dict[str, tf.Tensor]:
        """Identity values of each metric's accumulation (sum, or min/max of the stds)."""
        totals = {name: tf.constant(0.0) for name in self.metric_names()}
        if self.config.learn_continuous_std and self.spec.num_continuous:
            totals.update(q_std_min=tf.constant(float("inf")),
                          q_std_max=tf.constant(-float("inf")))
        return totals

    def _train_loop(self, iterator, num_steps: tf.Tensor) -> Dict[str, tf.Tensor]:
        """Runs `num_steps` steps in one graph; returns metrics averaged over them.

        The step is traced once, inside the loop. The loop stops right after the
        first step whose metrics are not all finite, so `self.step` then names
        that step and the averages are non-finite.
        """
        totals = self._initial_totals()
        steps_run = tf.constant(0, tf.int32)
        for _ in tf.range(num_steps):
            metrics = self._reduce(self.strategy.run(self.replica_step, args=(next(iterator),)))
            self.step.assign_add(1)
            steps_run += 1
            totals = {name: (tf.minimum(total, metrics[name]) if name == "q_std_min" else
                             tf.maximum(total, metrics[name]) if name == "q_std_max" else
                             total + metrics[name])
                      for name, total in totals.items()}
            if not _all_finite(metrics):
                break
        count = tf.cast(steps_run, tf.float32)
        return {name: (value if name.startswith("q_std_") else value / count)
                for name, value in totals.items()}


def _all_finite(metrics: Dict[str, tf.Tensor]) -> tf.Tensor:
    return tf.reduce_all([tf.reduce_all(tf.math.is_finite(v)) for v in metrics.values()])
