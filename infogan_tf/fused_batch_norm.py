"""Batch normalization whose training pass is TensorFlow's single fused op.

Keras 3 normalizes with separate ops (moments, then a multiply-add chain, all
upcast to float32), each with its own backward ops; on CPU these small ops cost
a sizeable share of an InfoGAN step. `FusedBatchNormV3` does the forward pass in
one op and the backward in one more, and takes bfloat16/float16 inputs with
float32 statistics. The layer keeps Keras' variables, names and semantics, so
checkpoints and the inference pass are unchanged; the cases the fused op does
not cover (synchronized statistics, renorm, masks, other ranks or axes) fall
back to Keras' own code.
"""

import keras
import tensorflow as tf


def _uses_last_axis(axis, rank: int) -> bool:
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    return len(axes) == 1 and axes[0] in (-1, rank - 1)


class FusedBatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` computed with `FusedBatchNormV3` when training.

    Same constructor, variables and inference behaviour. In training the output
    is normalised with the biased batch variance and the moving variance is
    updated with it, as Keras does (the fused op reports the unbiased one, which
    is converted back).
    """

    def _fused_applies(self, inputs, training, mask) -> bool:
        rank = len(inputs.shape)
        return bool(training and self.trainable and mask is None and not self.synchronized
                    and not self.renorm and self.scale and self.center and rank in (2, 4)
                    and _uses_last_axis(self.axis, rank))

    def call(self, inputs, training=None, mask=None):
        if not self._fused_applies(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        channels = inputs.shape[-1]
        x = inputs if len(inputs.shape) == 4 else tf.reshape(inputs, [-1, 1, 1, channels])
        if x.dtype not in (tf.float16, tf.bfloat16, tf.float32):
            x = tf.cast(x, tf.float32)
        y, batch_mean, unbiased_variance = tf.compat.v1.nn.fused_batch_norm(
            x, tf.cast(self.gamma, tf.float32), tf.cast(self.beta, tf.float32),
            epsilon=self.epsilon, is_training=True, data_format="NHWC")
        count = tf.cast(tf.size(x) // channels, tf.float32)
        batch_variance = unbiased_variance * tf.maximum(count - 1.0, 0.0) / count
        momentum = tf.cast(self.momentum, tf.float32)
        self.moving_mean.assign(self.moving_mean * momentum + batch_mean * (1.0 - momentum))
        self.moving_variance.assign(self.moving_variance * momentum
                                    + batch_variance * (1.0 - momentum))
        if len(inputs.shape) == 2:
            y = tf.reshape(y, tf.shape(inputs))
        return tf.cast(y, self.compute_dtype)
