"""Does a checkpoint behave in inference mode as it did in training mode? Prints JSON.

Two ways a restored InfoGAN can differ from the networks training measured:
- Keras' SpectralNormalization renormalises its kernel only in training mode, so
  inference uses the kernel as the last Adam step left it: reported as the largest
  singular value of every spectrally normalised kernel of D/Q as stored, and as
  each code's bound with those kernels divided by it.
- Batch norm uses moving averages in inference mode: reported as each code's
  bound on images G makes with its batch statistics (batches of the run's size)
  against images from its moving averages, and their mean pixel difference.

Usage: python scripts/inference_mode_check.py MODEL_DIR [CHECKPOINT]
(used for docs/dsprites_notes.md, "What CR seed 2's zero is").
"""

import json
import sys

import keras
import numpy as np
import tensorflow as tf

from infogan_tf import evaluation, model_io
from infogan_tf.latent import LatentBatch

NUM_SAMPLES = 5000


def _bounds(model, latents, images):
    return {k: round(v, 4) for k, v in evaluation.information_bounds(model, latents,
                                                                     images).items()}


def _largest_singular_value(layer) -> float:
    kernel = layer.kernel.numpy()
    return float(np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0])


def check(model_dir: str, checkpoint=None) -> dict:
    """The report described in the module docstring, as a dict."""
    model = model_io.load_trained_model(model_dir, checkpoint)
    latents = evaluation.sample_latents(model.config.latent, NUM_SAMPLES, seed=0)
    images = evaluation.generate(model, latents)
    report = {"checkpoint": model.checkpoint_path, "step": model.step,
              "bounds_as_stored": _bounds(model, latents, images)}
    batch = model.config.batch_size
    inputs = model.config.latent.generator_input(
        LatentBatch(**{k: tf.constant(v) for k, v in latents.items()}))
    # Training mode updates G's moving averages; they are used by nothing after this.
    batch_statistics = np.concatenate([model.generator(inputs[i:i + batch], training=True)
                                       .numpy() for i in range(0, NUM_SAMPLES, batch)])
    report["g_batch_statistics"] = {
        "mean_abs_pixel_difference": float(np.mean(np.abs(batch_statistics - images))),
        "bounds": _bounds(model, latents, batch_statistics)}
    normalised = [layer for layer in model.discriminator._flatten_layers()
                  if isinstance(layer, keras.layers.SpectralNormalization)]
    if normalised:
        sigmas = [_largest_singular_value(layer) for layer in normalised]
        for layer, sigma in zip(normalised, sigmas):
            layer.kernel.assign(layer.kernel / sigma)
        report["spectral_norm"] = {"sigma_as_stored": [round(s, 4) for s in sigmas],
                                   "bounds_normalised": _bounds(model, latents, images)}
    return report


if __name__ == "__main__":
    print(json.dumps(check(*sys.argv[1:3]), indent=1))
