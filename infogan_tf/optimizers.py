"""The players' Adam optimizers, built before the first step, and their float16 loss scale.

Keras 3 under `tf.distribute` needs an optimizer's variables created inside
`strategy.scope()` before the first distributed step or restore; building them
here, when the trainer is made in scope, guarantees it.

`FusedAdam` is Keras' Adam with the same variables, checkpoints and formula,
whose update runs as TensorFlow's fused `ResourceApplyAdam` kernel: one pass
over each variable instead of Keras' eight element-wise ops, each a pass over
memory. On the MNIST networks (13 M parameters, two updates a step) Keras'
ops took a third of a CPU step (docs/PERFORMANCE.md).
"""

import keras
import tensorflow as tf


class FusedAdam(keras.optimizers.Adam):
    """Adam whose dense update is one `ResourceApplyAdam` kernel per variable.

    The same algorithm as `keras.optimizers.Adam` (Kingma & Ba's bias-corrected
    step size, epsilon outside the square root), so it restores Keras Adam
    checkpoints and vice versa. The kernel computes `1 - beta` in float32 where
    Keras rounds it from a double, so the two differ in the last bits, not in
    behaviour. AMSGrad and sparse gradients fall back to Keras' ops.
    """

    def update_step(self, gradient, variable, learning_rate):
        if self.amsgrad or isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        local_step = tf.cast(self.iterations + 1, dtype)
        index = self._get_variable_index(variable)
        # Inside strategy.extended.update the handles are this device's copies.
        return tf.raw_ops.ResourceApplyAdam(
            var=_handle(variable), m=_handle(self._momentums[index]),
            v=_handle(self._velocities[index]),
            beta1_power=tf.pow(tf.cast(self.beta_1, dtype), local_step),
            beta2_power=tf.pow(tf.cast(self.beta_2, dtype), local_step),
            lr=tf.cast(learning_rate, dtype), beta1=tf.cast(self.beta_1, dtype),
            beta2=tf.cast(self.beta_2, dtype), epsilon=tf.cast(self.epsilon, dtype),
            grad=tf.cast(gradient, dtype), use_locking=False, use_nesterov=False)


def _handle(variable) -> tf.Tensor:
    if isinstance(variable, keras.Variable):
        variable = variable.value  # The tf.Variable (or distributed variable) behind it.
    return variable.handle


def adam(learning_rate: float, beta1: float, variables, fused: bool = True):
    """Adam (the paper's optimizer) built for `variables`; `fused` picks FusedAdam."""
    optimizer = (FusedAdam if fused else keras.optimizers.Adam)(learning_rate, beta_1=beta1)
    optimizer.build(variables)
    return optimizer


def loss_scale(optimizer, variables, mixed_precision: str):
    """A dynamic loss-scaling wrapper of the optimizer for float16, else None.

    Only the inner optimizer is checkpointed: a run resumes with any precision,
    and the loss scale re-adapts within a few steps.
    """
    if mixed_precision != "mixed_float16":
        return None
    scaled = keras.optimizers.LossScaleOptimizer(optimizer)
    scaled.build(variables)
    return scaled
