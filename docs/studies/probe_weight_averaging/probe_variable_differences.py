"""Probe: how far each D/Q variable of the averaged copy is from the trained one (JSON lines).

Usage: python probe_variable_differences.py MODEL_DIR STEP
"""
import json
import sys

import numpy as np

from infogan_tf import model_io

run, step = sys.argv[1], sys.argv[2]
path = f"{run}/checkpoints/ckpt-{step}"
averaged = model_io.load_trained_model(run, path, weights="averaged")
trained = model_io.load_trained_model(run, path, weights="trained")
for a, t in zip(averaged.discriminator.variables, trained.discriminator.variables):
    x, y = a.numpy(), t.numpy()
    print(json.dumps({"variable": t.path, "relative_difference": float(
        np.linalg.norm(x - y) / (np.linalg.norm(y) + 1e-12)), "mean_abs_averaged": float(
        np.abs(x).mean()), "mean_abs_trained": float(np.abs(y).mean())}))
