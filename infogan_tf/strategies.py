"""Which `tf.distribute` strategy a run uses, and which worker writes the files.

- `mirrored`: all local GPUs, or `cpu_replicas` logical CPU devices on a machine
  without GPUs (one replica each; gradients are all-reduced every step).
- `one_device`: one GPU (the first) or the CPU, no all-reduce at all.
- `multi_worker`: `tf.distribute.MultiWorkerMirroredStrategy`, one process per
  machine, configured by the standard `TF_CONFIG` environment variable (without
  it, a single local worker). Every worker runs the same program; only the chief
  writes checkpoints and summaries (see `checkpoint_write_dir`).

`distributed_dataset` feeds any of them: one input pipeline per worker, each batch split
over that worker's replicas, starting at a given step so a resumed run sees the same batches.
"""

import json
import os
import shutil
import tempfile

import tensorflow as tf

from infogan_tf import data as data_lib
from infogan_tf.config import STRATEGIES, ConfigError


def make_strategy(kind: str = "mirrored", cpu_replicas: int = 1) -> tf.distribute.Strategy:
    """Builds the strategy named by --strategy.

    `multi_worker` must be built before TensorFlow runs any op in the process
    (collective ops are configured at start-up), so entry points build the
    strategy before they load data.

    Raises:
      ConfigError: unknown name, a setting the strategy cannot honour, a malformed
        TF_CONFIG, or a TensorFlow runtime that is already initialised.
    """
    if kind not in STRATEGIES:
        raise ConfigError(f"--strategy={kind!r} is unknown; use one of {', '.join(STRATEGIES)}")
    if kind != "mirrored" and cpu_replicas != 1:
        raise ConfigError(f"--cpu_replicas={cpu_replicas} needs --strategy=mirrored "
                          f"(--strategy={kind} uses one device per process)")
    gpus = tf.config.list_physical_devices("GPU")
    if kind == "one_device":
        return tf.distribute.OneDeviceStrategy("/gpu:0" if gpus else "/cpu:0")
    if kind == "multi_worker":
        return _multi_worker_strategy()
    if gpus:
        return tf.distribute.MirroredStrategy()
    if cpu_replicas > 1:
        return tf.distribute.MirroredStrategy(_logical_cpus(cpu_replicas))
    return tf.distribute.MirroredStrategy(["/cpu:0"])


def _logical_cpus(count: int):
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        pass  # Already initialised (e.g. by a test); use the logical devices there are.
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < count:
        raise ConfigError(f"--cpu_replicas={count} but TensorFlow was already "
                          f"initialised with {len(devices)} CPU device(s)")
    return devices[:count]


def _multi_worker_strategy() -> tf.distribute.Strategy:
    text = os.environ.get("TF_CONFIG", "")
    if text:
        try:
            tf_config = json.loads(text)
            workers = tf_config["cluster"]["worker"]
            tf_config["task"]["type"], tf_config["task"]["index"]  # noqa: B018  (must exist)
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(
                f"TF_CONFIG is malformed ({type(e).__name__}: {e}); expected JSON like "
                '{"cluster": {"worker": ["host1:port", "host2:port"]}, '
                '"task": {"type": "worker", "index": 0}}') from None
        if not isinstance(workers, list) or not workers:
            raise ConfigError("TF_CONFIG's cluster has no worker addresses")
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as e:
        raise ConfigError(f"--strategy=multi_worker must be set up before TensorFlow runs "
                          f"anything in the process: {e}") from None


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """True for the one process that writes checkpoints, summaries and run records.

    With MultiWorkerMirroredStrategy that is the task of type "chief", or worker 0
    when the cluster has no chief; every other strategy runs in a single process.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type is None or task_type == "chief":
        return True
    return task_type == "worker" and task_id == 0 and "chief" not in resolver.cluster_spec().jobs


def checkpoint_write_dir(strategy: tf.distribute.Strategy, directory: str) -> str:
    """Where this worker saves: `directory` on the chief, a fresh temporary folder elsewhere.

    Saving a checkpoint is collective under MultiWorkerMirroredStrategy (every
    worker must call save), but only the chief's copy is kept: the others save to
    a temporary folder that `discard_write_dir` deletes (TF's documented pattern).
    """
    if is_chief(strategy):
        return directory
    return tempfile.mkdtemp(prefix="infogan_tf_worker_")


def discard_write_dir(strategy: tf.distribute.Strategy, directory: str) -> None:
    """Deletes a non-chief worker's temporary save folder; the chief's is kept."""
    if not is_chief(strategy):
        shutil.rmtree(directory, ignore_errors=True)


def describe(strategy: tf.distribute.Strategy) -> str:
    """A short name for reports: mirrored, one_device or multi_worker, with the worker count."""
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return f"multi_worker({num_workers(strategy)})"
    if isinstance(strategy, tf.distribute.OneDeviceStrategy):
        return "one_device"
    return "mirrored"


def num_workers(strategy: tf.distribute.Strategy) -> int:
    """How many worker processes a strategy spans (1 unless multi-worker)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return 1
    return max(1, len(resolver.cluster_spec().as_dict().get("worker", [])) +
               len(resolver.cluster_spec().as_dict().get("chief", [])))


def distributed_dataset(strategy, config, images, output_range, start_step):
    """The training batches from `start_step` on, one input pipeline per worker."""
    def dataset_fn(context: tf.distribute.InputContext):
        # Each pipeline feeds num_replicas / num_pipelines replicas per step, one batch each.
        batches_per_step = strategy.num_replicas_in_sync // context.num_input_pipelines
        return data_lib.training_dataset(
            images, output_range, context.get_per_replica_batch_size(config.batch_size),
            seed=config.seed, start_step=start_step * batches_per_step,
            num_shards=context.num_input_pipelines, shard_index=context.input_pipeline_id)
    return strategy.distribute_datasets_from_function(dataset_fn)
