"""Export of a briefly trained MNIST run: round trip outside the project, signatures, CLI."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from export_helpers import env_without_project, tool
from infogan_tf import export_lib
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentBatch, LatentSpec
from infogan_tf.model_io import load_trained_model
from infogan_tf.training import train

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = 50
NUM = 200

# Runs where TF Serving would: only TensorFlow and numpy, no project code importable.
_SERVE_SCRIPT = r"""
import importlib.util, sys
import numpy as np, tensorflow as tf
assert importlib.util.find_spec("infogan_tf") is None, "the project must not be importable"
path, inputs, outputs = sys.argv[1:]
model = tf.saved_model.load(path)
latents = {k: tf.constant(v) for k, v in np.load(inputs).items()}
images = model.signatures["serving_default"](**latents)["images"]
encoded = model.signatures["encode"](images=images)
seed, num = tf.constant(7, tf.int64), tf.constant(6, tf.int32)
first, second = (model.signatures["sample"](seed=seed, num=num) for _ in range(2))
result = {"images": images.numpy()}
result.update({"encode_" + k: v.numpy() for k, v in encoded.items()})
result.update({"sample_" + k: v.numpy() for k, v in first.items()})
result["sample_again_images"] = second["images"].numpy()
np.savez(outputs, **result)
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory, mnist_dir):
    model_dir = str(tmp_path_factory.mktemp("run"))
    config = TrainConfig(model_dir=model_dir, data_dir=mnist_dir,
                         latent=LatentSpec.from_counts(62, [10], 2), batch_size=32,
                         train_steps=STEPS, steps_per_loop=STEPS, log_every=STEPS,
                         checkpoint_every=STEPS, image_every=STEPS, progress=False, seed=0,
                         learn_continuous_std=True)
    train(config)
    trained = load_trained_model(model_dir)
    export_dir = str(tmp_path_factory.mktemp("saved_models") / "mnist")
    result = export_lib.export(trained, export_dir)
    return trained, result


@pytest.fixture(scope="module")
def served(exported, tmp_path_factory):
    """The export's outputs computed in a subprocess without the project, and its inputs."""
    _, result = exported
    work = tmp_path_factory.mktemp("outside_repo")
    rng = np.random.default_rng(3)
    latents = {"noise": rng.uniform(-1, 1, (NUM, 62)).astype(np.float32),
               "categorical": rng.integers(0, 10, (NUM, 1)).astype(np.int32),
               "continuous": rng.uniform(-1, 1, (NUM, 2)).astype(np.float32)}
    np.savez(work / "inputs.npz", **latents)
    script = work / "serve.py"
    script.write_text(_SERVE_SCRIPT)
    subprocess.run([sys.executable, str(script), result.path, "inputs.npz", "outputs.npz"],
                   cwd=work, env=env_without_project(), check=True, timeout=300)
    return latents, dict(np.load(work / "outputs.npz"))


def _in_memory_images(trained, latents):
    spec = trained.config.latent
    batch = LatentBatch(*(tf.constant(latents[k]) for k in ("noise", "categorical", "continuous")))
    return trained.generator(spec.generator_input(batch), training=False).numpy()


def test_generate_reproduces_the_in_memory_generator(exported, served):
    trained, _ = exported
    latents, outputs = served
    # MNIST's generator ends in a sigmoid: its range is already [0, 1].
    assert trained.architecture.output_range == (0.0, 1.0)
    expected = _in_memory_images(trained, latents)
    assert outputs["images"].shape == (NUM, 28, 28, 1)
    np.testing.assert_allclose(outputs["images"], expected, atol=1e-5)


def test_encode_agrees_with_in_memory_q_and_recovers_the_code(exported, served):
    trained, _ = exported
    latents, outputs = served
    heads = trained.discriminator(tf.constant(outputs["images"]), training=False)
    logits = heads["categorical_0"].numpy()
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    np.testing.assert_allclose(outputs["encode_c1_probabilities"], probabilities, atol=1e-5)
    np.testing.assert_array_equal(outputs["encode_categorical"][:, 0], logits.argmax(1))
    np.testing.assert_allclose(outputs["encode_continuous"], heads["continuous_mean"], atol=1e-5)
    floor = trained.config.continuous_std_floor
    std = np.exp(np.clip(heads["continuous_log_std"].numpy(), np.log(floor), 10.0))
    np.testing.assert_allclose(outputs["encode_continuous_std"], std, rtol=1e-5)
    real = 1.0 / (1.0 + np.exp(-heads["validity"].numpy()[:, 0]))
    np.testing.assert_allclose(outputs["encode_real_probability"], real, atol=1e-5)
    # After STEPS steps G and Q already agree on the 10-way code; chance is 0.1.
    accuracy = np.mean(outputs["encode_categorical"][:, 0] == latents["categorical"][:, 0])
    assert accuracy > 0.5, accuracy


def test_sample_is_reproducible_and_draws_from_the_priors(exported, served):
    trained, _ = exported
    _, outputs = served
    np.testing.assert_array_equal(outputs["sample_images"], outputs["sample_again_images"])
    assert outputs["sample_noise"].shape == (6, 62)
    assert np.all(np.abs(outputs["sample_noise"]) <= 1.0)
    assert np.all(np.abs(outputs["sample_continuous"]) <= 1.0)
    assert np.all((outputs["sample_categorical"] >= 0) & (outputs["sample_categorical"] < 10))
    drawn = {k: outputs["sample_" + k] for k in ("noise", "categorical", "continuous")}
    np.testing.assert_allclose(outputs["sample_images"], _in_memory_images(trained, drawn),
                               atol=1e-5)


def _cli_signatures(text):
    """saved_model_cli show --all output -> {signature: {(io, name): (dtype, shape)}}."""
    signatures = {}
    for block in re.split(r"\nsignature_def\['", text)[1:]:
        name = block.split("'", 1)[0]
        entries = re.findall(r"(inputs|outputs)\['(\w+)'\] tensor_info:\s+dtype: (\w+)\s+"
                             r"shape: (\([^)]*\))", block)
        signatures[name] = {(io, key): (dtype, shape) for io, key, dtype, shape in entries}
    return signatures


def test_saved_model_cli_lists_the_documented_signatures(exported):
    _, result = exported
    shown = subprocess.run([tool("saved_model_cli"), "show", "--all", "--dir", result.path],
                           capture_output=True, text=True, check=True, timeout=120,
                           env=env_without_project()).stdout
    signatures = _cli_signatures(shown)
    assert signatures["serving_default"] == {
        ("inputs", "noise"): ("DT_FLOAT", "(-1, 62)"),
        ("inputs", "categorical"): ("DT_INT32", "(-1, 1)"),
        ("inputs", "continuous"): ("DT_FLOAT", "(-1, 2)"),
        ("outputs", "images"): ("DT_FLOAT", "(-1, 28, 28, 1)")}
    assert signatures["sample"] == {
        ("inputs", "seed"): ("DT_INT64", "()"), ("inputs", "num"): ("DT_INT32", "()"),
        ("outputs", "images"): ("DT_FLOAT", "(-1, 28, 28, 1)"),
        ("outputs", "noise"): ("DT_FLOAT", "(-1, 62)"),
        ("outputs", "categorical"): ("DT_INT32", "(-1, 1)"),
        ("outputs", "continuous"): ("DT_FLOAT", "(-1, 2)")}
    assert signatures["encode"] == {
        ("inputs", "images"): ("DT_FLOAT", "(-1, 28, 28, 1)"),
        ("outputs", "c1_probabilities"): ("DT_FLOAT", "(-1, 10)"),
        ("outputs", "categorical"): ("DT_INT32", "(-1, 1)"),
        ("outputs", "continuous"): ("DT_FLOAT", "(-1, 2)"),
        ("outputs", "continuous_std"): ("DT_FLOAT", "(-1, 2)"),
        ("outputs", "real_probability"): ("DT_FLOAT", "(-1)")}
    # The JSON asset documents exactly what the CLI shows.
    with open(os.path.join(result.path, "assets", "infogan_export.json")) as f:
        info = json.load(f)
    for name, table in info["signatures"].items():
        documented = {(io, key): ("DT_" + t["dtype"].upper().replace("FLOAT32", "FLOAT"),
                                  "(" + ", ".join(map(str, t["shape"])) + ")")
                      for io in ("inputs", "outputs") for key, t in table[io].items()}
        assert documented == signatures[name], name
    assert info["training_step"] == STEPS
    assert info["weights"] == "trained"  # The run kept no averaged weights.
    assert info["image_shape"] == [28, 28, 1]


def test_export_command_adds_a_version_above_existing_entries_and_all_load(exported, tmp_path):
    trained, result = exported
    export_dir = os.path.dirname(result.path)
    with open(os.path.join(export_dir, "notes.txt"), "w") as f:
        f.write("mine")
    os.makedirs(os.path.join(export_dir, "2"))  # A broken version: no saved_model.pb.
    env = dict(env_without_project(), PYTHONPATH=REPO)
    run = subprocess.run([sys.executable, "-m", "infogan_tf.export",
                          f"--model_dir={trained.config.model_dir}", f"--export_dir={export_dir}"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "version 3" in run.stdout and f"step {STEPS}" in run.stdout
    assert "also holds 2, which are not SavedModels" in run.stderr
    # Nothing else touched, and no staging folder left behind.
    assert sorted(os.listdir(export_dir)) == ["1", "2", "3", "notes.txt"]
    assert open(os.path.join(export_dir, "notes.txt")).read() == "mine"
    assert os.listdir(os.path.join(export_dir, "2")) == []
    noise = np.zeros((2, 62), np.float32)
    images = [tf.saved_model.load(os.path.join(export_dir, v)).signatures["serving_default"](
        noise=tf.constant(noise), categorical=tf.constant([[1], [8]]),
        continuous=tf.zeros((2, 2)))["images"].numpy() for v in ("1", "3")]
    np.testing.assert_array_equal(images[0], images[1])  # Same checkpoint, same model.
