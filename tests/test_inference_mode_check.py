"""scripts/inference_mode_check.py on a tiny spectrally normalised (dSprites) run."""

import numpy as np

from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.training import train
from run_helpers import load_script


def _script():
    return load_script("inference_mode_check")


def test_reports_sigma_and_both_modes_bounds(tmp_path, dsprites_dir, monkeypatch):
    train(TrainConfig(model_dir=str(tmp_path), data_dir=dsprites_dir, dataset="dsprites",
                      architecture="dsprites", latent=LatentSpec.from_counts(5, [], 5),
                      batch_size=8, train_steps=2, steps_per_loop=1, log_every=1,
                      checkpoint_every=2, image_every=2, progress=False, seed=1))
    script = _script()
    monkeypatch.setattr(script, "NUM_SAMPLES", 64)
    report = script.check(str(tmp_path))
    codes = {"c1", "c2", "c3", "c4", "c5"}
    assert report["step"] == 2 and set(report["bounds_as_stored"]) == codes
    assert set(report["g_batch_statistics"]["bounds"]) == codes
    sigmas = report["spectral_norm"]["sigma_as_stored"]
    assert len(sigmas) >= 5 and all(np.isfinite(sigmas))
    # Kernels a training step renormalised and Adam then moved a little: sigma close to 1.
    assert all(abs(s - 1) < 0.1 for s in sigmas)
    assert set(report["spectral_norm"]["bounds_normalised"]) == codes
