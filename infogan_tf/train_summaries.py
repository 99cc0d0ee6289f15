"""What the training loop writes to TensorBoard: scalars by group, and code traversals."""

from typing import Dict

import tensorflow as tf

from infogan_tf import contrastive
from infogan_tf import visualize
from infogan_tf.latent import LatentBatch
from infogan_tf.trainer import InfoGANTrainer


def write_images(trainer: InfoGANTrainer, step: int) -> None:
    """Traversal grids of every code (fixed latents, inference mode) as traversal/<code> images."""
    spec = trainer.spec
    for name, latents, cols in visualize.traversals(spec, rows=10, seed=1234):
        inputs = spec.generator_input(LatentBatch(**latents))
        images = trainer.generator(inputs, training=False).numpy()
        grid = visualize.tile_grid(images, len(images) // cols, cols,
                                   output_range=trainer.architecture.output_range)
        tf.summary.image(f"traversal/{name}", grid[None], step=step)


def write_scalars(values: Dict[str, float], steps_per_sec: float, step: int) -> None:
    """Logged losses and bounds, grouped for TensorBoard by what they measure."""
    for name, value in values.items():
        group = ("information" if name.startswith("mi_") or name == "L_I" else
                 "q_std" if name.startswith("q_std") else
                 "contrastive" if name in contrastive.METRIC_NAMES else
                 "discriminator" if name in ("d_real", "d_fake") else "loss")
        tf.summary.scalar(f"{group}/{name}", value, step=step)
    tf.summary.scalar("speed/steps_per_sec", steps_per_sec, step=step)
