"""`evaluate --metrics=factorvae,mig,dci,sap` end to end on a tiny dSprites run, and its errors."""

import json
import os
import subprocess

import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import data as data_lib
from infogan_tf import disentanglement
from infogan_tf import disentanglement_linear
from infogan_tf import events
from infogan_tf.disentanglement_eval import DisentanglementError, check_metrics
from infogan_tf.evaluate_run import EvalConfig, evaluate
from infogan_tf.latent import LatentSpec
from infogan_tf.model_io import load_trained_model
from infogan_tf.training import train
from run_helpers import REPO, short_config

IMAGES = 1500
SEED = 4


@pytest.fixture(scope="module")
def dsprites_run(tmp_path_factory, dsprites_dir):
    """Two steps on dSprites with one 3-way categorical and four continuous codes."""
    model_dir = tmp_path_factory.mktemp("dsprites_run")
    train(short_config(model_dir, dsprites_dir, dataset="dsprites", architecture="dsprites",
                       latent=LatentSpec.from_counts(2, [3], 4), train_steps=2,
                       checkpoint_every=2, image_every=2, deterministic=False))
    return str(model_dir)


def _evaluate_cli(python_env, model_dir, output_dir, *extra):
    env, python = python_env
    return subprocess.run(
        [python, "-m", "infogan_tf.evaluate", f"--model_dir={model_dir}",
         f"--output_dir={output_dir}", "--num_samples=64", "--figure_rows=2",
         f"--seed={SEED}"] + list(extra),
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300)


def _codes_by_hand(model_dir, images):
    """Q's categorical argmax and continuous means, computed here without the library."""
    model = load_trained_model(model_dir)
    parts = []
    for start in range(0, len(images), 1000):  # The evaluator's batches: same float rounding.
        outputs = model.discriminator(
            tf.cast(images[start:start + 1000], tf.float32) * (1.0 / 255.0), training=False)
        parts.append(np.concatenate([np.argmax(outputs["categorical_0"], axis=1)[:, None],
                                     outputs["continuous_mean"].numpy()], axis=1))
    return np.concatenate(parts)


def test_metrics_reach_json_tensorboard_and_the_summary_line(dsprites_run, dsprites_dir,
                                                              tmp_path, python_env):
    output_dir = tmp_path / "eval"
    result = _evaluate_cli(python_env, dsprites_run, output_dir,
                           "--metrics=factorvae,mig,dci,sap",
                           f"--disentanglement_images={IMAGES}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FactorVAE score" in result.stdout and "MIG" in result.stdout
    metrics = json.loads((output_dir / "metrics.json").read_text())
    scores = metrics["disentanglement"]
    assert scores["images"] == IMAGES and scores["codes"] == ["c1", "c2", "c3", "c4", "c5"]
    assert scores["factors"] == ["shape", "scale", "orientation", "x_position", "y_position"]
    for key in ("factorvae_score", "mig", "dci_disentanglement", "dci_completeness", "sap"):
        assert 0.0 <= scores[key] <= 1.0, key
    assert scores["details"]["factorvae"]["settings"]["batch_size"] == 64
    assert scores["details"]["sap"]["settings"]["classifier"] == "LinearSVC"
    # dSprites has no held-out images and no digits: no reference classifier, no sweeps.
    assert "sample_quality" not in metrics and "continuous" not in metrics
    assert "figure2_c2" in metrics["figures"]
    scalars = events.read_scalars(os.path.join(dsprites_run, "eval"))
    assert scalars["eval/factorvae_score"] == ([2], [pytest.approx(scores["factorvae_score"])])
    assert scalars["eval/sap"] == ([2], [pytest.approx(scores["sap"])])

    # The same rows, codes and seeds fed to the metric functions directly give the same scores.
    data = data_lib.load_dataset("dsprites", dsprites_dir, "test")
    rows = np.sort(np.random.RandomState(SEED).permutation(len(data.images))[:IMAGES])
    codes = _codes_by_hand(dsprites_run, data.images[rows])
    factors = np.stack([data.factors[name][rows] for name in scores["factors"]], axis=1)
    assert disentanglement.factor_vae_score(codes, factors, np.random.RandomState([SEED, 1]))[
        "eval_accuracy"] == pytest.approx(scores["factorvae_score"])
    assert disentanglement.mutual_information_gap(
        codes, factors, np.random.RandomState([SEED, 2]))["mig"] == pytest.approx(scores["mig"])
    assert disentanglement_linear.sap_score(codes, factors, np.random.RandomState([SEED, 4]))[
        "sap"] == pytest.approx(scores["sap"])


def test_unknown_metric_is_refused_with_one_line(dsprites_run, tmp_path, python_env):
    result = _evaluate_cli(python_env, dsprites_run, tmp_path / "eval", "--metrics=mig,beta")
    assert result.returncode == 2
    assert "infogan_tf: error: --metrics: unknown metric beta" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "eval").exists()


def test_metrics_on_a_dataset_without_factors_are_refused(tmp_path, mnist_dir):
    model_dir = tmp_path / "mnist"
    train(short_config(model_dir, mnist_dir, train_steps=1, checkpoint_every=1))
    with pytest.raises(DisentanglementError, match="needs ground-truth factors, and "
                                                   "--dataset=mnist has none"):
        evaluate(EvalConfig(model_dir=str(model_dir), metrics=("mig",)))
    assert not (model_dir / "eval").exists()


def test_too_few_codes_are_refused():
    data = data_lib.ImageData(np.zeros((4, 2, 2, 1), np.uint8), None,
                              {"shape": np.array([0, 1, 0, 1])})
    with pytest.raises(DisentanglementError, match="--metrics=mig,sap needs at least 2"):
        check_metrics(("factorvae", "mig", "sap"), "dsprites", data, num_codes=1)
    check_metrics(("factorvae",), "dsprites", data, num_codes=1)
    with pytest.raises(data_lib.DataError, match="no ground-truth factors that vary"):
        data_lib.ImageData(data.images, None, {"colour": np.zeros(4, int)}).factor_matrix()
