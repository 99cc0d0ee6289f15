"""Loading a trained run's networks from its model_dir, for evaluation and export."""

import json
import os
from typing import NamedTuple, Optional

import keras
import tensorflow as tf

from infogan_tf import checkpointing
from infogan_tf import networks
from infogan_tf import weight_averaging
from infogan_tf.config import TrainConfig


class TrainedModel(NamedTuple):
    """A run's settings and its restored networks (no optimizer state)."""

    config: TrainConfig
    architecture: networks.Architecture
    generator: keras.Model
    discriminator: keras.Model
    checkpoint_path: str
    step: int
    weights: str = "trained"  # Or one of weight_averaging.WEIGHT_CHOICES' averaged kinds.


def load_run_config(model_dir: str) -> TrainConfig:
    """The settings a model_dir was trained with (its run_config.json)."""
    path = os.path.join(model_dir, "run_config.json")
    if not os.path.exists(path):
        raise checkpointing.CheckpointMismatchError(
            f"{path} not found: --model_dir must be a folder written by infogan_tf.main")
    with open(path) as f:
        return TrainConfig.from_dict(json.load(f))


def load_trained_model(model_dir: str, checkpoint_path: Optional[str] = None,
                       weights: Optional[str] = None) -> TrainedModel:
    """Builds G and D/Q as the run did and restores them from a checkpoint.

    Args:
      model_dir: the training run's --model_dir.
      checkpoint_path: a specific checkpoint; by default the run's result: the one
        --choose_checkpoint_from chose (checkpointing.chosen_checkpoint), else the latest.
      weights: "averaged" (the moving averages of a run with --weight_average_decay),
        "averaged_discriminator" (D/Q's moving averages, G's trained weights), "trained",
        or None: averaged if the run kept averages, else trained.

    Raises:
      CheckpointMismatchError: no checkpoint, one that does not match run_config.json,
        or averaged weights asked of a run without them.
    """
    config = load_run_config(model_dir)
    checkpoint_path = (checkpoint_path or checkpointing.chosen_checkpoint(model_dir)
                       or tf.train.latest_checkpoint(checkpointing.checkpoint_dir(model_dir)))
    if not checkpoint_path:
        raise checkpointing.CheckpointMismatchError(
            f"no checkpoint in {checkpointing.checkpoint_dir(model_dir)}: train first")
    checkpointing.check_signature(model_dir, checkpoint_path, config.run_signature())
    weights = _weights_to_load(model_dir, config, weights)
    architecture = networks.get_architecture(config.architecture)
    generator = networks.build_generator(architecture, config.latent, config.network)
    discriminator = networks.build_discriminator(architecture, config.latent, config.network)
    step = tf.Variable(0, dtype=tf.int64)
    names = ("averaged_generator" if weights == "averaged" else "generator",
             "discriminator" if weights == "trained" else "averaged_discriminator")
    checkpoint = tf.train.Checkpoint(step=step, **dict(zip(names, (generator, discriminator))))
    # Optimizer slots and the RNG are in the checkpoint too but not needed here.
    checkpoint.restore(checkpoint_path).expect_partial().assert_existing_objects_matched()
    return TrainedModel(config, architecture, generator, discriminator, checkpoint_path,
                        int(step.numpy()), weights)


def _weights_to_load(model_dir: str, config: TrainConfig, weights: Optional[str]) -> str:
    """Resolves load_trained_model's `weights` for this run; refuses impossible requests."""
    if weights is not None and weights not in weight_averaging.WEIGHT_CHOICES:
        raise ValueError(f"weights={weights!r}; expected one of "
                         f"{', '.join(weight_averaging.WEIGHT_CHOICES)}")
    if weights not in (None, "trained") and not config.weight_average_decay:
        raise checkpointing.CheckpointMismatchError(
            f"{model_dir} was trained without --weight_average_decay, so it has no "
            "averaged weights: load its trained weights (--weights=trained)")
    return weights or ("averaged" if config.weight_average_decay else "trained")
