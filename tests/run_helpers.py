"""Helpers shared by the tests: short runs, checksums, checkpoint contents, strategies."""

import glob
import hashlib
import importlib.util
import itertools
import os

import numpy as np
import tensorflow as tf
from absl import flags

from infogan_tf import main as main_lib
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.trainer import InfoGANTrainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_KEY_BLOCKS = itertools.count(1)


def load_script(name: str):
    """scripts/<name>.py imported as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, "scripts",
                                                                     f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def two_replica_strategy() -> tf.distribute.MirroredStrategy:
    """A 2-logical-CPU strategy with collective keys no earlier strategy in the process used.

    TensorFlow caches each all-reduce's shape by its (group, instance) key per
    process, and every new MirroredStrategy restarts the keys: another model's
    all-reduces would collide with the cache ("Shape mismatch in the collective
    instance"). A training process makes one strategy and is not affected.
    """
    base = tf.distribute.MirroredStrategy._collective_key_base
    tf.distribute.MirroredStrategy._collective_key_base = base + 100_000 * next(_KEY_BLOCKS)
    try:
        return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    finally:
        tf.distribute.MirroredStrategy._collective_key_base = base


TINY_BATCH = 8
TINY_SPEC = LatentSpec.from_counts(6, [10], 2)


def tiny_trainer(**overrides):
    """An InfoGAN trainer on the MNIST networks with a batch of 8, seed 3, default strategy."""
    config = TrainConfig(model_dir="unused", latent=TINY_SPEC, batch_size=TINY_BATCH, seed=3,
                         **overrides)
    return InfoGANTrainer(config, tf.distribute.get_strategy())


def tiny_images(count=TINY_BATCH):
    """`count` fixed uniform-noise 28x28 images."""
    return np.random.RandomState(0).uniform(0, 1, (count, 28, 28, 1)).astype(np.float32)


def cli_flags(model_dir, data_dir, *extra):
    """Flags of a 4-step deterministic MNIST run with checkpoints at steps 2 and 4."""
    return [f"--flagfile={REPO}/flags/mnist.cfg", f"--data_dir={data_dir}",
            f"--model_dir={model_dir}", "--train_steps=4", "--batch_size=8",
            "--steps_per_loop=1", "--log_every=1", "--checkpoint_every=2",
            "--image_every=1000", "--seed=5", "--progress=false", "--deterministic"] + list(extra)


def short_config(model_dir, data_dir, **overrides) -> TrainConfig:
    """The TrainConfig of `cli_flags`, with overrides."""
    values = dict(model_dir=str(model_dir), data_dir=data_dir,
                  latent=LatentSpec.from_counts(62, [10], 2), batch_size=8, train_steps=4,
                  steps_per_loop=1, log_every=1, checkpoint_every=2, image_every=1000,
                  progress=False, seed=5, deterministic=True,
                  # mnist.cfg's views (test_flagfiles checks these values).
                  categorical_rotation_degrees=25.0, categorical_shear=0.3,
                  categorical_elastic_alpha=34.0)
    values.update(overrides)
    return TrainConfig(**values)


def run_main(args, capsys):
    """Runs the training CLI in this process; returns (exit status, stderr)."""
    capsys.readouterr()
    flags.FLAGS.unparse_flags()
    flags.FLAGS(["infogan_tf"] + args)
    try:
        main_lib.main(["infogan_tf"])
        status = 0
    except SystemExit as e:
        status = e.code
    finally:
        flags.FLAGS.unparse_flags()
    return status, capsys.readouterr().err


def checksums(folder):
    """MD5 of every file under folder, hidden ones (the lock) included."""
    sums = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                sums[os.path.relpath(path, folder)] = hashlib.md5(f.read()).hexdigest()
    return sums


def checkpoint_values(checkpoint_path):
    """Every value of a checkpoint but the save counter (a count of saves, which differs
    between a resumed and an uninterrupted run) and the object graph (it holds Keras'
    layer names, numbered on when one process builds a second model)."""
    reader = tf.train.load_checkpoint(checkpoint_path)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
            if not name.startswith(("save_counter", "_CHECKPOINTABLE_OBJECT_GRAPH"))}


def logged_steps(model_dir, tag="loss/d_loss"):
    """The steps at which `tag` was logged, in file order."""
    steps = []
    for path in sorted(glob.glob(os.path.join(model_dir, "train", "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            steps += [event.step for value in event.summary.value if value.tag == tag]
    return steps


def apply_summed_half_gradients(trainer, players) -> None:
    """What one step on 2 replicas of half the batch must do, on one device.

    For each (optimizer, variables, loss) in order, `loss(i)` being half i's loss
    (already scaled by the global batch), applies the sum of the two halves' gradients.
    """
    for optimizer, variables, loss in players:
        total = None
        for i in range(2):
            with tf.GradientTape() as tape:
                value = loss(i)
            grads = trainer.gradients(tape, value, variables)
            total = grads if total is None else [a + b for a, b in zip(total, grads)]
        optimizer.apply_gradients(zip(total, variables))
