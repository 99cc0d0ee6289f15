"""The players' Adam optimizers, built before the first step, and their float16 loss scale.

Keras 3 under `tf.distribute` needs an optimizer's variables created inside
`strategy.scope()` before the first distributed step or restore; building them
here, when the trainer is made in scope, guarantees it.
"""

import keras


def adam(learning_rate: float, beta1: float, variables) -> keras.optimizers.Adam:
    """Adam (the paper's optimizer) built for `variables`."""
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta1)
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
