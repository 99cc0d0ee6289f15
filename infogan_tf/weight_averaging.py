"""Exponential moving averages of G's and D/Q's weights (--weight_average_decay).

Why: on MNIST a clean run's c1 accuracy moves by about a point between checkpoints
1,000 steps apart (docs/results_notes.md, "A clean run's accuracy moves"), and
picking the most informative late checkpoint only chooses among those samples.
Averaging the weights along the trajectory (Yazici et al. 2019, "The Unusual
Effectiveness of Averaging in GAN Training") smooths the fluctuation instead.

The averages live in copies of the two networks, built like them and updated
after every training step as  average <- decay * average + (1 - decay) * weight
for every variable, batch-norm statistics included. They never feed back into
training: a run with averages trains exactly as one without. Checkpoints save
them as `averaged_generator` and `averaged_discriminator`; `model_io` loads them
as the run's result unless told to load the trained weights, or the averaged D/Q
with the trained G ("averaged_discriminator": in the MNIST probe the averaged Q
read real digits better, but the averaged G drew less varied digits).
"""

from typing import Dict, List, Tuple

import keras
import tensorflow as tf

# Checkpoint keys of the averaged copies (also how warm starts recognise them).
AVERAGED_OBJECTS = ("averaged_generator", "averaged_discriminator")
# What model_io can load: both networks averaged, only D/Q averaged (G trained), or neither.
WEIGHT_CHOICES = ("averaged", "averaged_discriminator", "trained")


class WeightAverages:
    """Averaged copies of G and D/Q and the update that keeps them current.

    Create it inside the strategy's scope (the copies' variables must be mirrored
    like the networks'), and call `update` in cross-replica context, after each
    step's updates have been applied.
    """

    def __init__(self, decay: float, generator: keras.Model, discriminator: keras.Model,
                 averaged_generator: keras.Model, averaged_discriminator: keras.Model,
                 start_step: int = 0):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.start_step = start_step
        self.averaged_generator = averaged_generator
        self.averaged_discriminator = averaged_discriminator
        self._pairs = (_paired_variables(averaged_generator, generator)
                       + _paired_variables(averaged_discriminator, discriminator))
        self.reset()

    def reset(self) -> None:
        """Sets every average to the networks' current weights (a fresh start)."""
        for average, weight in self._pairs:
            average.assign(weight)

    def update(self, step: tf.Tensor) -> None:
        """One step of the moving average, for every variable, after step `step`.

        Up to `start_step` the averages are the weights themselves. Why: batch-norm
        variances shrink a thousandfold early on MNIST, and averages kept from step 0
        still carried the early values at step 5,000 (D's first moving variance 0.0069
        against the trained 0.00017), so the averaged Q put every real digit in one
        category (docs/studies/probe_weight_averaging/).
        """
        decay = tf.where(step > self.start_step, self.decay, 0.0)
        for average, weight in self._pairs:
            average.assign(decay * average + (1.0 - decay) * weight)

    def checkpoint_objects(self) -> Dict[str, keras.Model]:
        return dict(zip(AVERAGED_OBJECTS, (self.averaged_generator,
                                           self.averaged_discriminator)))


def _paired_variables(copy: keras.Model, model: keras.Model) -> List[Tuple[object, object]]:
    """(copy's variable, model's variable) in creation order; the two must match."""
    pairs = list(zip(copy.variables, model.variables))
    if len(copy.variables) != len(model.variables) or any(
            tuple(a.shape) != tuple(b.shape) for a, b in pairs):
        raise ValueError(f"the averaged copy of {model.name} is not built like it")
    return pairs


def has_averages(checkpoint_path: str) -> bool:
    """Whether a checkpoint holds averaged weights (a run with --weight_average_decay)."""
    keys = tf.train.load_checkpoint(checkpoint_path).get_variable_to_shape_map()
    return any(key.startswith(AVERAGED_OBJECTS[0] + "/") for key in keys)
