"""Test setup: two logical CPU devices for the whole session, and the data paths.

The CPU is split before TensorFlow initialises, so tests can build both a
1-replica and a 2-replica MirroredStrategy in one process.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# No machine running the tests can download datasets: fail at once, not after retries.
os.environ["INFOGAN_TF_NO_DOWNLOAD"] = "1"

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(
    _cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

# What --deterministic sets in a fresh process (training._enable_determinism); here
# TensorFlow is initialised by earlier tests before an in-process run could set it.
tf.config.threading.set_inter_op_parallelism_threads(1)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST_DIR = os.environ.get("MNIST_DIR", os.path.join(REPO, "..", "shared", "data", "mnist"))


@pytest.fixture(scope="session")
def mnist_dir():
    if not os.path.exists(os.path.join(MNIST_DIR, "train-images-idx3-ubyte.gz")):
        pytest.fail(f"the MNIST IDX files are not in {MNIST_DIR}; set MNIST_DIR")
    return MNIST_DIR


@pytest.fixture(scope="session")
def python_env():
    """Environment for subprocesses that run the project's commands."""
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env, sys.executable


@pytest.fixture(scope="session")
def untrained_export(tmp_path_factory):
    """An export of untrained MNIST networks, shared by the export tests; do not modify it."""
    from export_helpers import export_untrained  # noqa: PLC0415  (only export tests need it)
    return export_untrained(tmp_path_factory.mktemp("untrained_export") / "mnist")

DSPRITES_DIR = os.path.join(REPO, "..", "shared", "data", "dsprites")


@pytest.fixture(scope="session")
def dsprites_dir():
    if not os.path.exists(os.path.join(DSPRITES_DIR, "dsprites_subset.npz")):
        pytest.fail(f"dsprites_subset.npz is not in {DSPRITES_DIR}")
    return DSPRITES_DIR


def _parse_flags(*argv, flagfile=None):
    """The trainer's absl flags parsed from argv (and flags/<flagfile>.cfg) into a TrainConfig."""
    from absl import flags
    from infogan_tf import train_flags
    if flagfile:
        argv = (f"--flagfile={os.path.join(REPO, 'flags', flagfile + '.cfg')}",) + argv
    flags.FLAGS.unparse_flags()
    try:
        flags.FLAGS(["infogan_tf.main", "--model_dir=unused"] + list(argv))
        return train_flags.config_from_flags()
    finally:
        flags.FLAGS.unparse_flags()


@pytest.fixture(scope="session")
def parse_flags():
    return _parse_flags
