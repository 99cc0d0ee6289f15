"""The evaluate command end to end on a tiny run, and the reference-classifier cache."""

import json
import os
import subprocess

import numpy as np
import pytest
import keras
import tensorflow as tf
from PIL import Image

from infogan_tf import classifier as classifier_lib
from infogan_tf import data as data_lib
from infogan_tf import evaluation
from infogan_tf import events
from infogan_tf import figures
from infogan_tf import model_io
from infogan_tf import networks
from infogan_tf import trajectory
from infogan_tf.checkpointing import CheckpointMismatchError
from infogan_tf.config import TrainConfig
from infogan_tf.evaluate_run import EvalConfig, evaluate
from infogan_tf.latent import LatentSpec
from infogan_tf.training import train

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_CLASSIFIER = classifier_lib.ClassifierSettings(epochs=1, train_examples=256)
TEST_IMAGES = 300


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, mnist_dir):
    model_dir = tmp_path_factory.mktemp("tiny_run")
    train(TrainConfig(model_dir=str(model_dir), data_dir=mnist_dir,
                      latent=LatentSpec.from_counts(62, [10], 2), batch_size=8, train_steps=2,
                      steps_per_loop=1, log_every=1, checkpoint_every=2, image_every=2,
                      progress=False, seed=3))
    return str(model_dir)


def test_evaluate_cli_writes_metrics_figures_and_tensorboard(tiny_run, mnist_dir, tmp_path,
                                                             python_env):
    env, python = python_env
    output_dir = tmp_path / "out"
    # A run trained with --candidates keeps its choice; evaluate carries it to metrics.json.
    selection = {"chosen": {"seed": 3}, "candidates": [{"seed": 3}]}
    with open(os.path.join(tiny_run, "selection.json"), "w") as f:
        json.dump(selection, f)
    result = subprocess.run(
        [python, "-m", "infogan_tf.evaluate", f"--model_dir={tiny_run}",
         f"--output_dir={output_dir}", f"--data_dir={mnist_dir}",
         f"--classifier_dir={tmp_path / 'classifier'}", "--classifier_epochs=1",
         "--classifier_train_examples=256", "--num_samples=200",
         f"--max_test_images={TEST_IMAGES}", "--sweep_rows=6", "--figure_rows=3"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "step 2 (trained weights); c1 accuracy" in result.stdout
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert metrics["step"] == 2 and metrics["selection"] == selection
    assert metrics["weights"] == "trained"  # The run kept no averaged weights.
    c1 = metrics["categorical"]["c1"]
    counts = np.asarray(c1["contingency"])
    labels = data_lib.load_mnist(mnist_dir, "test").labels[:TEST_IMAGES]
    np.testing.assert_array_equal(counts.sum(axis=1), np.bincount(labels, minlength=10))
    matched = sum(counts[label, int(k)] for k, label in c1["cluster_to_label"].items())
    assert c1["accuracy"] == pytest.approx(matched / TEST_IMAGES)
    # The label-free scores describe the same argmax assignment the contingency counts.
    frequencies = counts.sum(axis=0)[counts.sum(axis=0) > 0] / TEST_IMAGES
    assert c1["label_free"]["assignment_entropy"] == pytest.approx(
        -(frequencies * np.log(frequencies)).sum())
    assert 0.1 <= c1["label_free"]["mean_confidence"] <= 1.0
    generated = metrics["generated_categories"]["c1"]
    assert generated["images_per_category"] == 20
    assert np.asarray(generated["contingency"]).sum() == 200
    assert set(metrics["information"]) == {"c1", "c2", "c3"}
    assert metrics["information"]["c1"] <= np.log(10) + 1e-6
    # The tiny run logged every step: its check compares the same codes with those logs.
    check = metrics["information_check"]
    assert set(check["logged"]) == {"c1", "c2", "c3"}
    logged = events.read_scalars(os.path.join(tiny_run, "train"))["information/mi_c1"]
    assert check["logged"]["c1"] == pytest.approx(np.mean(logged[1]))
    assert ("WARNING" in result.stdout) == (not check["consistent"])
    assert set(metrics["continuous"]["codes"]) == {"c2", "c3"}
    assert metrics["continuous"]["names"]["rotation"] in ("c2", "c3")
    assert set(metrics["continuous"]["codes"]["c2"]) == {"slant", "width", "breadth"}
    quality = metrics["sample_quality"]
    assert quality["generated"]["images"] == 200 and quality["real"]["images"] == TEST_IMAGES
    assert 1.0 <= quality["generated"]["classifier_score"] <= 10.0
    assert quality["classifier"]["settings"]["train_examples"] == 256
    for name in ("figure2_c1", "figure2_c2", "figure2_c3", "contingency_c1"):
        assert name in metrics["figures"]
        assert Image.open(output_dir / f"{name}.png").size[0] > 100
    scalars = events.read_scalars(os.path.join(tiny_run, "eval"))
    assert scalars["eval/accuracy_c1"] == ([2], [pytest.approx(c1["accuracy"])])
    assert scalars["eval/frechet_distance_generated"][0] == [2]
    assert scalars["eval/mi_drop_from_training_c1"] == ([2], [pytest.approx(check["drop"]["c1"])])
    assert scalars["eval/mean_confidence_c1"] == (
        [2], [pytest.approx(c1["label_free"]["mean_confidence"])])
    breadth = metrics["continuous"]["codes"]["c3"]["breadth"]["spearman"]
    assert scalars["eval/spearman_breadth_c3"] == ([2], [pytest.approx(breadth, nan_ok=True)])


def test_averaged_weights_of_a_run_without_them_are_refused(tiny_run, tmp_path, python_env):
    env, python = python_env
    result = subprocess.run([python, "-m", "infogan_tf.evaluate", f"--model_dir={tiny_run}",
                             f"--output_dir={tmp_path / 'out'}", "--weights=averaged"],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "without --weight_average_decay" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_or_foreign_model_dir_is_refused(tmp_path, python_env):
    with pytest.raises(CheckpointMismatchError, match="run_config.json not found"):
        evaluate(EvalConfig(model_dir=str(tmp_path)))
    env, python = python_env
    result = subprocess.run([python, "-m", "infogan_tf.evaluate", f"--model_dir={tmp_path}"],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "infogan_tf: error:" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def cached_classifier(tmp_path_factory, mnist_dir):
    folder = str(tmp_path_factory.mktemp("classifier"))
    small = {"train": data_lib.load_mnist(mnist_dir, "train"),
             "test": data_lib.load_mnist(mnist_dir, "test")}
    small["test"] = data_lib.ImageData(small["test"].images[:500], small["test"].labels[:500])
    classifier = classifier_lib.load_or_train(folder, "mnist", TINY_CLASSIFIER, small.get,
                                              log=lambda message: None)
    return folder, small, classifier


def test_cached_classifier_is_reused_and_validated(cached_classifier):
    folder, small, first = cached_classifier
    info_path = os.path.join(folder, "mnist_classifier.json")
    assert json.load(open(info_path))["test_accuracy"] == first.info["test_accuracy"]
    again = classifier_lib.load_or_train(folder, "mnist", TINY_CLASSIFIER, small.get)
    probabilities, features = again.predict(classifier_lib.to_unit_range(
        small["test"].images[:20]))
    assert probabilities.shape == (20, 10) and features.shape == (20, 128)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    other = classifier_lib.ClassifierSettings(epochs=2, train_examples=256)
    with pytest.raises(classifier_lib.ClassifierError, match="Use the same settings"):
        classifier_lib.load_or_train(folder, "mnist", other, small.get)


def test_modified_or_incomplete_classifier_cache_is_refused(cached_classifier, tmp_path):
    import shutil
    folder, small, _ = cached_classifier
    copy = str(tmp_path / "copy")
    shutil.copytree(folder, copy)
    with open(os.path.join(copy, "mnist_classifier.keras"), "ab") as f:
        f.write(b"tampered")
    with pytest.raises(classifier_lib.ClassifierError, match="SHA-256"):
        classifier_lib.load_or_train(copy, "mnist", TINY_CLASSIFIER, small.get)
    os.remove(os.path.join(copy, "mnist_classifier.json"))
    with pytest.raises(classifier_lib.ClassifierError, match="incomplete"):
        classifier_lib.load_or_train(copy, "mnist", TINY_CLASSIFIER, small.get)


def test_category_order_follows_the_matched_labels():
    order, labels = evaluation.category_order({"0": 2, "1": 0, "2": 1}, 4)
    assert order == [1, 2, 0, 3] and labels == ["0", "1", "2", "k3"]
    assert evaluation.category_order(None, 3) == ([0, 1, 2], ["k0", "k1", "k2"])


def test_line_chart_draws_each_series_in_its_colour():
    chart = figures.line_chart({"a": ([0, 10], [0.0, 2.0]), "b": ([0, 10], [1.0, 1.0])},
                               "x", "y", reference=(2.303, "H(c)"))
    pixels = np.asarray(chart)
    for colour in figures.LINE_COLOURS[:2]:
        assert np.all(pixels == colour, axis=-1).sum() > 100
    grid = figures.grid_image(np.zeros((10, 20, 1)), scale=2, column_labels=["a", "b"])
    assert grid.size == (40, 20 + 18)
    heat = figures.heat_map(np.array([[5, 0], [1, 4]]), ["0", "1"], ["a", "b"], "r", "c")
    assert np.asarray(heat)[50 + 4, 70 + 4].tolist() == [8, 48, 107]  # The peak cell.


def test_read_scalars_prefers_the_last_write_of_a_step(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        for step, value in ((1, 0.5), (2, 1.0), (2, 1.5), (3, 2.0)):
            tf.summary.scalar("information/mi_c1", value, step=step)
            writer.flush()
    assert events.read_scalars(str(tmp_path)) == {
        "information/mi_c1": ([1, 2, 3], [0.5, 1.5, 2.0])}


class _BrightnessClassifier:
    """Reads the label off an image's mean brightness: label = round(10 * mean)."""

    def predict(self, images):
        labels = np.clip(np.round(images.mean(axis=(1, 2, 3)) * 10), 0, 9).astype(int)
        return np.eye(10)[labels], np.zeros((len(images), 1))


def test_generated_categories_reads_each_category_with_the_classifier():
    spec = LatentSpec.from_counts(3, [4], 1)
    # Category k draws a uniform image of brightness digit[k] / 10; categories 2 and 3
    # both draw the digit 5, a merge that one-to-one matching must count as errors.
    digit = np.array([7.0, 2.0, 5.0, 5.0], np.float32)
    inputs = keras.Input((spec.input_dim,))
    one_hot = keras.layers.Lambda(lambda x: x[:, 3:7])(inputs)
    level = keras.layers.Dense(1, use_bias=False, kernel_initializer=tf.constant_initializer(
        digit[:, None] / 10))(one_hot)
    images = keras.layers.Lambda(lambda v: tf.tile(v[:, None, None, :], [1, 28, 28, 1]))(level)
    generator = keras.Model(inputs, images)
    config = TrainConfig(model_dir="unused", latent=spec)
    model = model_io.TrainedModel(config, networks.get_architecture("mnist"), generator, None,
                                  "unused", 0)
    result = evaluation.generated_categories(model, _BrightnessClassifier(), 100, seed=1)["c1"]
    assert result["images_per_category"] == 25
    counts = np.asarray(result["contingency"])
    assert counts.sum() == 100 and counts[7, 0] == counts[2, 1] == 25 and counts[5, 2:].sum() == 50
    assert result["accuracy"] == pytest.approx(0.75)
    assert result["cluster_to_label"]["0"] == 7 and result["cluster_to_label"]["1"] == 2


def test_score_checkpoint_of_a_tiny_run(tiny_run, cached_classifier):
    _, small, classifier = cached_classifier
    scores = trajectory.score_checkpoint(tiny_run, 2, small["test"], classifier, 100, seed=0)
    assert scores.step == 2 and len(scores.digit_of_category) == 10
    assert 0.0 < scores.real_accuracy <= 1.0 and 0.0 < scores.generated_accuracy <= 1.0
    assert 0.0 <= scores.real_conditional_entropy <= np.log(10) + 1e-9


def test_cached_score_reuses_only_matching_results(tiny_run, cached_classifier, monkeypatch):
    _, small, classifier = cached_classifier
    first = trajectory.cached_score(tiny_run, 2, small["test"], classifier, 100, seed=0)
    assert os.path.exists(os.path.join(tiny_run, "eval", trajectory.CACHE_FILE))
    calls = []
    original = trajectory.score_checkpoint
    monkeypatch.setattr(trajectory, "score_checkpoint",
                        lambda *args: calls.append(args) or original(*args))
    assert trajectory.cached_score(tiny_run, 2, small["test"], classifier, 100, seed=0) == first
    assert not calls
    trajectory.cached_score(tiny_run, 2, small["test"], classifier, 50, seed=0)
    assert len(calls) == 1  # Other settings: computed again.
