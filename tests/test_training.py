"""A short real run on MNIST: finite losses, checkpoints, TensorBoard, resume, refusals."""

import glob
import hashlib
import os
import subprocess

import numpy as np
import pytest
import tensorflow as tf

from run_helpers import run_main

from infogan_tf import checkpointing
from infogan_tf.checkpointing import CheckpointMismatchError
from infogan_tf.config import ConfigError, TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.training import train

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config(model_dir, data_dir, **overrides):
    values = dict(model_dir=str(model_dir), data_dir=data_dir,
                  latent=LatentSpec.from_counts(62, [10], 2), batch_size=16, train_steps=6,
                  steps_per_loop=2, log_every=2, checkpoint_every=3, image_every=3,
                  progress=False, seed=1)
    values.update(overrides)
    return TrainConfig(**values)


def _tags(model_dir):
    tags = {}
    for path in sorted(glob.glob(os.path.join(model_dir, "train", "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    return tags


def _checksums(folder):
    return {p: hashlib.md5(open(p, "rb").read()).hexdigest()
            for p in glob.glob(os.path.join(folder, "**", "*"), recursive=True)
            if os.path.isfile(p)}


@pytest.fixture(scope="module")
def trained(tmp_path_factory, mnist_dir):
    model_dir = tmp_path_factory.mktemp("run")
    first = train(_config(model_dir, mnist_dir))
    return model_dir, mnist_dir, first


def test_short_run_logs_finite_losses_checkpoints_and_events(trained):
    model_dir, _, result = trained
    assert result["step"] == 6
    for name in ("d_loss", "g_loss", "L_I", "mi_c1", "mi_c2", "mi_c3", "d_real", "d_fake"):
        assert np.isfinite(result[name]), name
    assert 0.0 < result["d_real"] < 1.0
    latest = tf.train.latest_checkpoint(checkpointing.checkpoint_dir(str(model_dir)))
    assert latest.endswith("ckpt-6")
    assert checkpointing.saved_signature(latest)["latent_spec"]["noise_dim"] == 62
    tags = _tags(str(model_dir))
    for tag in ("loss/d_loss", "loss/g_loss", "information/L_I", "information/mi_c1",
                "discriminator/d_real", "speed/steps_per_sec"):
        assert tags[tag] == [2, 4, 6], tag
    for tag in ("traversal/c1", "traversal/c2", "traversal/c3"):
        assert tags[tag] == [3, 6], tag
    assert os.path.exists(os.path.join(model_dir, "run_config.json"))


def test_resume_continues_the_step_counter(trained):
    model_dir, mnist_dir, _ = trained
    result = train(_config(model_dir, mnist_dir, train_steps=9))
    assert result["step"] == 9
    latest = tf.train.latest_checkpoint(checkpointing.checkpoint_dir(str(model_dir)))
    assert latest.endswith("ckpt-9")
    assert _tags(str(model_dir))["loss/d_loss"][-2:] == [8, 9]


@pytest.mark.parametrize("overrides, setting", [
    (dict(latent=LatentSpec.from_counts(62, [5], 2)), "latent_spec"),
    (dict(latent=LatentSpec.from_counts(60, [10], 2)), "latent_spec"),
])
def test_mismatched_model_dir_is_refused_and_left_intact(trained, overrides, setting):
    model_dir, mnist_dir, _ = trained
    before = _checksums(str(model_dir))
    with pytest.raises(CheckpointMismatchError, match=setting):
        train(_config(model_dir, mnist_dir, train_steps=20, **overrides))
    assert _checksums(str(model_dir)) == before


@pytest.mark.parametrize("overrides, message", [
    (dict(batch_size=0), "--batch_size must be a positive integer"),
    (dict(train_steps=-5), "--train_steps must be a positive integer"),
    (dict(dataset="imagenet"), "--dataset='imagenet' is unknown"),
    (dict(architecture="resnet"), "--architecture='resnet' is unknown"),
    (dict(d_learning_rate=0.0), "--d_learning_rate must be positive"),
    (dict(lambda_continuous=-1.0), "--lambda_continuous must be >= 0"),
    (dict(beta1=1.5), "--beta1 must be in"),
    (dict(batch_size=15, cpu_replicas=2), "does not divide evenly"),
])
def test_bad_settings_are_refused_before_anything_is_written(tmp_path, mnist_dir, overrides,
                                                              message):
    model_dir = tmp_path / "never"
    with pytest.raises(ConfigError, match=message):
        train(_config(model_dir, mnist_dir, **overrides))
    assert not model_dir.exists()


def _cli(args, python_env):
    env, python = python_env
    return subprocess.run([python, "-m", "infogan_tf.main"] + args, env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_cli_bad_flags_exit_nonzero_with_one_message(tmp_path, capsys):
    # In this process (a subprocess each would add ~7 s of imports; test_cli_trains_a_few_steps
    # runs the real command line): an uncaught exception would fail the test.
    model_dir = tmp_path / "m"
    for args, message in (
            (["--categorical=ten"], "--categorical='ten': expected comma separated"),
            (["--batch_size=-3"], "--batch_size must be a positive integer"),
            (["--continuous=-1"], "continuous codes must be >= 0"),
            (["--data_dir=" + str(tmp_path / "nowhere")], "MNIST not found. Looked for "
                                                          "train-images-idx3-ubyte.gz")):
        status, err = run_main([f"--flagfile={REPO}/flags/mnist.cfg",
                                f"--model_dir={model_dir}"] + args, capsys)
        assert status == 2, err[-2000:]
        assert message in err and err.count("infogan_tf: error:") == 1
        assert not model_dir.exists()


def test_cli_trains_a_few_steps(tmp_path, python_env, mnist_dir):
    result = _cli(["--flagfile=flags/mnist.cfg", f"--data_dir={mnist_dir}",
                   f"--model_dir={tmp_path / 'cli'}", "--train_steps=2", "--batch_size=8",
                   "--log_every=1", "--progress=false"], python_env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "done: step 2" in result.stdout
    assert tf.train.latest_checkpoint(str(tmp_path / "cli" / "checkpoints")).endswith("ckpt-2")


def test_trained_model_loads_with_the_run_settings(trained):
    from infogan_tf.model_io import load_trained_model
    model_dir, _, _ = trained
    loaded = load_trained_model(str(model_dir))
    assert loaded.config.latent == LatentSpec.from_counts(62, [10], 2)
    assert loaded.step >= 6 and loaded.checkpoint_path.endswith(f"ckpt-{loaded.step}")
    trainer_images = loaded.generator(tf.zeros([2, 74]), training=False)
    assert trainer_images.shape == (2, 28, 28, 1)
