"""Loading a trained run's networks from its model_dir, for evaluation and export."""

import json
import os
from typing import NamedTuple, Optional

import keras
import tensorflow as tf

from infogan_tf import checkpointing
from infogan_tf import networks
from infogan_tf.config import TrainConfig


class TrainedModel(NamedTuple):
    """A run's settings and its restored networks (no optimizer state)."""

    config: TrainConfig
    architecture: networks.Architecture
    generator: keras.Model
    discriminator: keras.Model
    checkpoint_path: str
    step: int


def load_run_config(model_dir: str) -> TrainConfig:
    """The settings a model_dir was trained with (its run_config.json)."""
    path = os.path.join(model_dir, "run_config.json")
    if not os.path.exists(path):
        raise checkpointing.CheckpointMismatchError(
            f"{path} not found: --model_dir must be a folder written by infogan_tf.main")
    with open(path) as f:
        return TrainConfig.from_dict(json.load(f))


def load_trained_model(model_dir: str, checkpoint_path: Optional[str] = None) -> TrainedModel:
    """Builds G and D/Q as the run did and restores them from a checkpoint.

    Args:
      model_dir: the training run's --model_dir.
      checkpoint_path: a specific checkpoint; by default the run's result: the one
        --choose_checkpoint_from chose (checkpointing.chosen_checkpoint), else the latest.

    Raises:
      CheckpointMismatchError: no checkpoint, or one that does not match run_config.json.
    """
    config = load_run_config(model_dir)
    checkpoint_path = (checkpoint_path or checkpointing.chosen_checkpoint(model_dir)
                       or tf.train.latest_checkpoint(checkpointing.checkpoint_dir(model_dir)))
    if not checkpoint_path:
        raise checkpointing.CheckpointMismatchError(
            f"no checkpoint in {checkpointing.checkpoint_dir(model_dir)}: train first")
    checkpointing.check_signature(model_dir, checkpoint_path, config.run_signature())
    architecture = networks.get_architecture(config.architecture)
    generator = networks.build_generator(architecture, config.latent, config.network)
    discriminator = networks.build_discriminator(architecture, config.latent, config.network)
    step = tf.Variable(0, dtype=tf.int64)
    checkpoint = tf.train.Checkpoint(generator=generator, discriminator=discriminator, step=step)
    # Optimizer slots and the RNG are in the checkpoint too but not needed here.
    checkpoint.restore(checkpoint_path).expect_partial().assert_existing_objects_matched()
    return TrainedModel(config, architecture, generator, discriminator, checkpoint_path,
                        int(step.numpy()))
