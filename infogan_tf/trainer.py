"""The InfoGAN training step under a `tf.distribute` strategy.

One step = one D/Q update, then one G update (--generator_updates of them, on the
same latents), on the same real batch, each player with its own tape (as in the
keras-io GAN examples). The losses themselves are in objectives.py. With
--share_generated_batch, G's update reuses the batch G generated for D/Q's.

With --contrastive_regularizer (InfoGAN-CR, contrastive.py), steps from
--cr_start_step on also update the contrastive classifier, between the D/Q
and the G update, and G's loss gains lambda_cr times its cross-entropy on
pairs of generated images; those steps run in a second traced loop.
"""

import functools
from typing import Dict, Optional

import keras
import tensorflow as tf

from infogan_tf import contrastive
from infogan_tf import networks
from infogan_tf import objectives
from infogan_tf import optimizers
from infogan_tf import step_metrics
from infogan_tf import weight_averaging
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentBatch


class InfoGANTrainer(objectives.InfoGANObjectives):
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
            self.generator, self.discriminator, classifier = self._build_networks()
            adam = functools.partial(optimizers.adam, beta1=config.beta1,
                                     fused=config.fused_adam)
            scale = functools.partial(optimizers.loss_scale,
                                      mixed_precision=config.mixed_precision)
            self.g_optimizer = adam(config.g_learning_rate,
                                    variables=self.generator.trainable_variables)
            # With --q_learning_rate, Q's own layers get their own Adam; D's covers the rest.
            self.d_variables, self.q_variables = (
                networks.split_q_variables(self.discriminator)
                if config.q_learning_rate is not None
                else (self.discriminator.trainable_variables, []))
            self.d_optimizer = adam(config.d_learning_rate, variables=self.d_variables)
            self.q_optimizer = (adam(config.q_learning_rate, variables=self.q_variables)
                                if self.q_variables else None)
            self._g_loss_scale = scale(self.g_optimizer, self.generator.trainable_variables)
            self._d_loss_scale = scale(self.d_optimizer, self.d_variables)
            self.contrastive = None if classifier is None else contrastive.ClassifierState(
                classifier, functools.partial(adam, config.d_learning_rate), scale)
            self.rng = tf.random.Generator.from_seed(config.seed)
            # Built after everything above, so the networks' initial weights are unchanged.
            self.averages = weight_averaging.WeightAverages(
                config.weight_average_decay, self.generator, self.discriminator,
                *self._build_networks(averaged_copies=True),
                start_step=config.weight_average_start) if config.weight_average_decay else None
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        # XLA compiles each replica's forward and backward pass; the all-reduce
        # inside apply_gradients cannot be compiled, so updates stay outside.
        compile_xla = (lambda f: tf.function(f, jit_compile=True)) if config.jit_compile \
            else (lambda f: f)
        self._d_gradients = compile_xla(self.discriminator_gradients)
        self._g_gradients = compile_xla(self.generator_gradients)
        self._cr_gradients = compile_xla(self.classifier_gradients)
        self.train_loop = tf.function(functools.partial(self._train_loop, contrastive_step=False))
        self.contrastive_train_loop = tf.function(
            functools.partial(self._train_loop, contrastive_step=True))

    def _build_networks(self, averaged_copies: bool = False):
        """G, D/Q and the contrastive classifier (or None) under the run's precision policy;
        the global policy is restored after. With `averaged_copies`, only G and D/Q."""
        previous = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_global_policy(self.config.mixed_precision)
        options = self.config.network
        try:
            if averaged_copies:
                return (networks.build_generator(self.architecture, self.spec, options),
                        networks.build_discriminator(self.architecture, self.spec, options))
            return (networks.build_generator(self.architecture, self.spec, options),
                    networks.build_discriminator(self.architecture, self.spec, options),
                    contrastive.build_classifier(self.architecture, self.spec, options)
                    if self.config.contrastive_regularizer else None)
        finally:
            keras.mixed_precision.set_global_policy(previous)

    @property
    def d_updater(self):
        """Applies D/Q's gradients: the optimizer, or its loss-scaling wrapper (float16)."""
        return self.d_optimizer if self._d_loss_scale is None else self._d_loss_scale

    @property
    def g_updater(self):
        """Applies G's gradients: the optimizer, or its loss-scaling wrapper (float16)."""
        return self.g_optimizer if self._g_loss_scale is None else self._g_loss_scale

    def train_loop_at(self, step: int):
        """The traced loop for the steps from `step` to the next schedule boundary.

        At --cr_gap_end_step the classifier first restarts from its initial weights
        and a fresh optimizer state, as in the authors' code (the weights a run is
        built with, so a resumed run restarts it identically).
        """
        if not contrastive.is_active(self.config, step):
            return self.train_loop
        if self.config.cr_gap and step == self.config.cr_gap_end_step:
            self.contrastive.restart()
        return self.contrastive_train_loop

    @property
    def per_replica_batch_size(self) -> int:
        return self.config.batch_size // self.strategy.num_replicas_in_sync

    def checkpoint_objects(self) -> Dict[str, object]:
        """What a checkpoint must hold to resume exactly."""
        objects = {"step": self.step, "generator": self.generator,
                   "discriminator": self.discriminator, "g_optimizer": self.g_optimizer,
                   "d_optimizer": self.d_optimizer, "rng": self.rng}
        if self.contrastive is not None:
            objects.update(cr_classifier=self.contrastive.model,
                           cr_optimizer=self.contrastive.optimizer)
        if self.q_optimizer is not None:
            objects["q_optimizer"] = self.q_optimizer
        if self.averages is not None:
            objects.update(self.averages.checkpoint_objects())
        return objects

    def metric_names(self, contrastive_step: bool = False):
        names = ["d_loss", "g_loss", "L_I", "d_real", "d_fake"]
        names += [f"mi_{name}" for name in self.spec.code_names()]
        return names + list(contrastive.METRIC_NAMES if contrastive_step else ())

    # ---- one replica's work -------------------------------------------------
    def replica_step(self, real_images: tf.Tensor, d_latents: Optional[LatentBatch] = None,
                     g_latents: Optional[LatentBatch] = None, contrastive_step: bool = False,
                     pairs=None) -> Dict[str, tf.Tensor]:
        """One D/Q update, [one contrastive classifier update,] --generator_updates G updates.

        Latents (and the contrastive `pairs`, (left, right, shared) as
        contrastive.sample_pairs returns) are drawn from the in-scope RNG
        unless given (tests give them). Returns metrics already divided by the
        global batch size: summing them over replicas gives global means. Also
        returns the learned std extrema.
        """
        batch = tf.shape(real_images)[0]
        if d_latents is None:
            d_latents = self.spec.sample(self.rng, batch)
        if self.config.share_generated_batch:  # G's update uses d_latents too.
            return self._shared_batch_step(real_images, d_latents)
        if g_latents is None:
            g_latents = self.spec.sample(self.rng, batch)
        if contrastive_step and pairs is None:
            pairs = contrastive.sample_pairs(self.spec, self.rng, batch,
                                             contrastive.gap_at(self.config, self.step),
                                             self.config.cr_share_noise)
        gradients, metrics = self._d_gradients(real_images, d_latents)
        self._apply_discriminator_gradients(gradients)
        if contrastive_step:
            gradients, cr_metrics = self._cr_gradients(pairs)
            self.contrastive.updater.apply_gradients(
                zip(gradients, self.contrastive.model.trainable_variables))
            metrics.update(cr_metrics)
        # Unrolled: the extra G updates reuse the latents (and pairs), as the
        # InfoGAN-CR code's second G step reuses its feed; g_loss is the last one's.
        for _ in range(self.config.generator_updates):
            gradients, metrics["g_loss"] = self._g_gradients(g_latents, pairs)
            self.g_updater.apply_gradients(zip(gradients, self.generator.trainable_variables))
        return metrics

    def _shared_batch_step(self, real_images: tf.Tensor,
                           latents: LatentBatch) -> Dict[str, tf.Tensor]:
        """replica_step with --share_generated_batch: G generates once, for both players.

        G's tape stays open over its forward pass only; D/Q's update (which does
        not differentiate through G) reads the images, then G's first update
        back-propagates its loss, computed with the updated D, through that same
        pass. Further --generator_updates regenerate, since G has changed.
        """
        with tf.GradientTape() as generator_tape:
            fake_images = self.generate(latents)
        gradients, metrics = self._d_gradients(real_images, latents, fake_images)
        self._apply_discriminator_gradients(gradients)
        gradients, metrics["g_loss"] = self.shared_generator_gradients(
            generator_tape, fake_images, latents)
        self.g_updater.apply_gradients(zip(gradients, self.generator.trainable_variables))
        for _ in range(self.config.generator_updates - 1):
            gradients, metrics["g_loss"] = self._g_gradients(latents)
            self.g_updater.apply_gradients(zip(gradients, self.generator.trainable_variables))
        return metrics

    def shared_generator_gradients(self, generator_tape: tf.GradientTape,
                                   fake_images: tf.Tensor, latents: LatentBatch):
        """G's gradients through an already generated batch, and its loss.

        The loss's gradient with respect to the images (through D/Q as it is
        now) is chained into G's recorded forward pass; the result equals
        generator_gradients(latents) up to float rounding.
        """
        with tf.GradientTape() as image_tape:
            image_tape.watch(fake_images)
            loss = self.generator_objective(latents, fake_images)
            scaled = self._scaled(self._g_loss_scale, loss)
        upstream = image_tape.gradient(scaled, fake_images)
        return self.gradients(generator_tape, fake_images, self.generator.trainable_variables,
                              output_gradients=upstream), loss

    def _apply_discriminator_gradients(self, gradients) -> None:
        pairs = list(zip(gradients, self.discriminator.trainable_variables))
        if self.q_optimizer is None:
            self.d_updater.apply_gradients(pairs)
            return
        own = {id(v) for v in self.q_variables}
        self.d_updater.apply_gradients([(g, v) for g, v in pairs if id(v) not in own])
        self.q_optimizer.apply_gradients([(g, v) for g, v in pairs if id(v) in own])

    @staticmethod
    def gradients(tape: tf.GradientTape, loss: tf.Tensor, variables,
                  output_gradients: Optional[tf.Tensor] = None) -> list:
        """Gradients with zeros, not None, for unused variables (the log-std head
        when the std is fixed): Adam then leaves them unchanged."""
        gradients = tape.gradient(loss, variables, output_gradients=output_gradients)
        return [tf.zeros(v.shape, v.dtype) if g is None else g
                for g, v in zip(gradients, variables)]

    def classifier_gradients(self, pairs):
        """The contrastive classifier's gradients (G fixed) and its loss and accuracy."""
        images = contrastive.generate_pairs(self.generator, self.spec, *pairs[:2])
        with tf.GradientTape() as tape:
            logits = self.contrastive.model(images, training=True)
            loss = self._average(contrastive.cross_entropy(logits, pairs[2]))
            scaled = self._scaled(self.contrastive.loss_scale, loss)
        return self.gradients(tape, scaled, self.contrastive.model.trainable_variables), {
            "cr_loss": loss, "cr_accuracy": self._average(contrastive.correct(logits, pairs[2]))}

    @staticmethod
    def _scaled(loss_scale, loss: tf.Tensor) -> tf.Tensor:
        return loss if loss_scale is None else loss_scale.scale_loss(loss)

    def discriminator_gradients(self, real_images: tf.Tensor, latents: LatentBatch,
                                fake_images: Optional[tf.Tensor] = None):
        """D/Q's gradients on this replica's batch (loss-scaled for float16) and metrics;
        `fake_images`: G's images of `latents`, if generated already."""
        with tf.GradientTape() as tape:
            loss, metrics = self.discriminator_objective(real_images, latents, fake_images)
            scaled = self._scaled(self._d_loss_scale, loss)
        return self.gradients(tape, scaled, self.discriminator.trainable_variables), metrics

    def generator_gradients(self, latents: LatentBatch, pairs=None):
        """G's gradients on this replica's latents (loss-scaled for float16) and its loss."""
        with tf.GradientTape() as tape:
            loss = self.generator_objective(latents)
            if pairs is not None:
                loss += self.contrastive_objective(pairs)
            scaled = self._scaled(self._g_loss_scale, loss)
        return self.gradients(tape, scaled, self.generator.trainable_variables), loss

    # ---- the distributed loop -----------------------------------------------
    def _train_loop(self, iterator, num_steps: tf.Tensor,
                    contrastive_step: bool) -> Dict[str, tf.Tensor]:
        """Runs `num_steps` steps in one graph; returns metrics averaged over them.

        The step is traced once, inside the loop. The loop stops right after the
        first step whose metrics are not all finite, so `self.step` then names
        that step and the averages are non-finite.
        """
        totals = step_metrics.initial_totals(
            self.metric_names(contrastive_step),
            self.config.learn_continuous_std and self.spec.num_continuous > 0)
        steps_run = tf.constant(0, tf.int32)
        step_fn = functools.partial(self.replica_step, contrastive_step=contrastive_step)
        for _ in tf.range(num_steps):
            metrics = step_metrics.reduce_replicas(
                self.strategy, self.strategy.run(step_fn, args=(next(iterator),)))
            self.step.assign_add(1)
            if self.averages is not None:
                self.averages.update(self.step)
            steps_run += 1
            totals = step_metrics.accumulate(totals, metrics)
            if not step_metrics.all_finite(metrics):
                break
        return step_metrics.averages(totals, steps_run)
