"""Step-dependent weights of the training objective, as pure functions of (config, step)."""

import tensorflow as tf

from infogan_tf.config import TrainConfig


def generator_mi_weight(config: TrainConfig, step: tf.Tensor) -> tf.Tensor:
    """Factor on L_I in G's loss: min(1, step / --generator_mi_warmup_steps), or 1."""
    if not config.generator_mi_warmup_steps:
        return tf.constant(1.0)
    return tf.minimum(1.0, tf.cast(step, tf.float32) / float(config.generator_mi_warmup_steps))


def instance_noise_std(config: TrainConfig, step: tf.Tensor) -> tf.Tensor:
    """--instance_noise_std, annealed linearly to 0 at --instance_noise_steps (if not 0)."""
    std = tf.constant(config.instance_noise_std, tf.float32)
    if not config.instance_noise_steps:
        return std
    progress = tf.cast(step, tf.float32) / float(config.instance_noise_steps)
    return std * tf.maximum(0.0, 1.0 - progress)
