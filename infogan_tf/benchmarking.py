"""Training throughput of a configuration: the library behind `python -m infogan_tf.benchmark`.

The benchmark builds the same trainer and input pipeline as training, runs
`warmup_steps` (the first call traces and compiles; it is timed on its own),
then `benchmark_steps` timed steps in the chunks training would use (at most
`steps_per_loop` steps per call, fetching metrics only at log steps). Nothing
is written to disk. `synthetic_data` replaces the pipeline by one batch kept on
the devices, so the input cost is the difference between the two rates.
"""

import dataclasses
import json
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from typing import Dict, Optional

import tensorflow as tf

from infogan_tf import data as data_lib
from infogan_tf import networks
from infogan_tf import op_profile
from infogan_tf import strategies
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.trainer import InfoGANTrainer


@dataclasses.dataclass(frozen=True)
class BenchmarkOptions:
    """What to measure besides the training configuration."""

    benchmark_steps: int = 60
    warmup_steps: int = 20
    synthetic_data: bool = False
    profile_steps: int = 0  # Traced after the timed steps; 0 = no trace.


class RepeatedBatch:
    """An iterator that yields one distributed batch forever (already on the devices).

    Inside the tf.function the batch becomes a captured constant, so a step
    costs no input work at all.
    """

    def __init__(self, batch):
        self.batch = batch

    def __iter__(self):
        return self

    def __next__(self):
        return self.batch


def _validate(config: TrainConfig, options: BenchmarkOptions) -> None:
    validate_config(config)
    if options.benchmark_steps < 1 or options.warmup_steps < 1:
        raise ConfigError("--benchmark_steps and --warmup_steps must be positive")
    if options.profile_steps < 0:
        raise ConfigError(f"--profile_steps must be >= 0 (0 = no trace), got "
                          f"{options.profile_steps}")


def run_benchmark(config: TrainConfig, options: BenchmarkOptions,
                  strategy: Optional[tf.distribute.Strategy] = None) -> Dict[str, object]:
    """Measures steady-state training speed; returns one record (see `format_row`).

    Raises:
      ConfigError, DataError: invalid settings or data, before anything runs.
    """
    _validate(config, options)
    load_before = os.getloadavg()[0]
    strategy = strategy or strategies.make_strategy(config.strategy, config.cpu_replicas)
    if config.batch_size % strategy.num_replicas_in_sync:
        raise ConfigError(f"--batch_size={config.batch_size} does not divide evenly over "
                          f"{strategy.num_replicas_in_sync} replicas")
    architecture = networks.get_architecture(config.architecture)
    images = data_lib.load_dataset(config.dataset, config.data_dir, "train").images
    trainer = InfoGANTrainer(config, strategy)
    iterator = iter(strategies.distributed_dataset(strategy, config, images,
                                                   architecture.output_range, 0))
    if options.synthetic_data:
        iterator = RepeatedBatch(next(iterator))

    start = time.perf_counter()
    first_steps = min(config.steps_per_loop, options.warmup_steps)
    _run(trainer, iterator, config, 0, first_steps)
    first_call = time.perf_counter() - start
    _run(trainer, iterator, config, first_steps, options.warmup_steps)

    cpu_start, start = time.process_time(), time.perf_counter()
    end_step = options.warmup_steps + options.benchmark_steps
    windows = _run(trainer, iterator, config, options.warmup_steps, end_step)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    # The median window (one per log interval) is the steady state even when other
    # jobs on the machine slow some windows down; the mean is reported next to it.
    step_seconds = statistics.median(t / n for n, t in windows)
    profile = (_profile(trainer, iterator, config, end_step, options.profile_steps)
               if options.profile_steps else None)
    record = {
        "images_per_sec": round(config.batch_size / step_seconds, 1),
        "ms_per_step": round(1000 * step_seconds, 2),
        "mean_ms_per_step": round(1000 * seconds / options.benchmark_steps, 2),
        "cpu_ms_per_step": round(1000 * cpu_seconds / options.benchmark_steps, 2),
        "first_call_s": round(first_call, 2),
        "compile_s": round(max(0.0, first_call - first_steps * step_seconds), 2),
        "peak_host_memory_mb": round(peak_host_memory_mb(), 1),
        "device": device_name(), "tf_version": tf.__version__,
        "strategy": strategies.describe(strategy), "workers": strategies.num_workers(strategy),
        "replicas": strategy.num_replicas_in_sync, "batch_size": config.batch_size,
        "dataset": config.dataset, "jit_compile": config.jit_compile,
        "steps_per_loop": config.steps_per_loop, "mixed_precision": config.mixed_precision,
        "sync_batch_norm": config.network.sync_batch_norm,
        "synthetic_data": options.synthetic_data, "warmup_steps": options.warmup_steps,
        "benchmark_steps": options.benchmark_steps,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if profile is not None:
        record["op_thread_ms_per_step"] = {name: round(ms / options.profile_steps, 2)
                                           for name, ms in profile.items()}
        record["profile_steps"] = options.profile_steps
    return record


def _profile(trainer, iterator, config: TrainConfig, step: int, steps: int) -> Dict[str, float]:
    """Executor-thread milliseconds per op type over `steps` traced steps (op_profile.py)."""
    trace_dir = tempfile.mkdtemp(prefix="infogan_tf_profile_")
    try:
        tf.profiler.experimental.start(trace_dir)
        try:
            _run(trainer, iterator, config, step, step + steps)
        finally:
            tf.profiler.experimental.stop()
        return op_profile.time_by_op_type(op_profile.read_trace(trace_dir))
    finally:
        shutil.rmtree(trace_dir, ignore_errors=True)


def _run(trainer, iterator, config: TrainConfig, step: int, end: int):
    """Steps from `step` to `end` in training's chunks, fetching metrics at log steps.

    Returns (steps, seconds) of each stretch between two fetches.
    """
    windows, window_start, window_time = [], step, time.perf_counter()
    while step < end:
        target = min(end, step + config.steps_per_loop, (step // config.log_every + 1) *
                     config.log_every)
        metrics = trainer.train_loop(iterator, tf.constant(target - step, tf.int32))
        step = target
        if step % config.log_every == 0 or step == end:
            float(metrics["d_loss"])  # Training's host sync; also ends the timing honestly.
            now = time.perf_counter()
            windows.append((step - window_start, now - window_time))
            window_start, window_time = step, now
    return windows


def peak_host_memory_mb() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    scale = 1024 if platform.system() == "Darwin" else 1  # macOS reports bytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale / 1024


def device_name() -> str:
    """The first GPU's name, else the CPU model and core count."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"{len(gpus)} x {details.get('device_name', 'GPU')}"
    model = platform.processor() or "CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model} ({os.cpu_count()} cores)"


COLUMNS = ("batch_size", "replicas", "workers", "jit_compile", "steps_per_loop",
           "mixed_precision", "synthetic_data", "images_per_sec", "ms_per_step",
           "cpu_ms_per_step", "compile_s", "peak_host_memory_mb", "load_average")


def table_header(leading=()) -> str:
    """The Markdown header of `format_row`'s table, after optional `leading` columns."""
    names = tuple(leading) + COLUMNS
    return "| " + " | ".join(names) + " |\n|" + "---|" * len(names)


def format_row(record: Dict[str, object]) -> str:
    """One Markdown table row of a benchmark record."""
    def cell(value):
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return " → ".join(str(v) for v in value)
        return str(value)
    return "| " + " | ".join(cell(record.get(name, "")) for name in COLUMNS) + " |"


def to_json_line(record: Dict[str, object]) -> str:
    """One benchmark record as a JSON line, keys sorted."""
    return json.dumps(record, sort_keys=True)
