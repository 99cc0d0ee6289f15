"""Runs the benchmark matrix and writes docs/PERFORMANCE.md from its results.

    python -m infogan_tf.benchmark_report --data_dir=../shared/data/mnist --run
    python -m infogan_tf.benchmark_report            # re-render from the recorded results

Each cell is one `python -m infogan_tf.benchmark` process (a fresh TensorFlow,
so logical CPU devices and memory peaks do not carry over); the multi-worker
cell is two processes on loopback ports. Results are appended to
docs/performance.jsonl; the Markdown is a pure function of that file (the
newest record of each cell wins), so every number in it comes from a measurement.
"""

import json
import os
import subprocess
import sys
from typing import Dict, List, Optional

from absl import app
from absl import flags

from infogan_tf import benchmarking
from infogan_tf import cli
from infogan_tf.local_cluster import run_workers

flags.DEFINE_string("data_dir", None, "MNIST folder (the four IDX files).")
flags.DEFINE_boolean("run", False, "Run the matrix (else only re-render the Markdown).")
flags.DEFINE_list("only", [], "Run only the cells with these names.")
flags.DEFINE_string("results", "docs/performance.jsonl", "Benchmark records (JSON lines).")
flags.DEFINE_string("markdown", "docs/PERFORMANCE.md", "The report to write.")
flags.DEFINE_integer("warmup_steps", 10, "Warm-up steps of each cell.")
flags.DEFINE_integer("benchmark_steps", 60, "Timed steps of each cell.")

FLAGS = flags.FLAGS
FAST = ["--steps_per_loop=10"]
BASELINE = "baseline"
# The baseline is the step as first committed: one step per call, Keras' batch norm and Adam.
MATRIX: Dict[str, List[str]] = {BASELINE: ["--batch_size=128", "--steps_per_loop=1",
                                           "--nofused_batch_norm", "--nofused_adam"]}
for _batch in (64, 128, 256):
    MATRIX.update({
        f"b{_batch}": [f"--batch_size={_batch}"] + FAST + (
            ["--fused_batch_norm"] if _batch == 128 else []),
        f"b{_batch}_synthetic": [f"--batch_size={_batch}", "--synthetic_data"] + FAST + (
            ["--fused_batch_norm"] if _batch == 128 else []),
        f"b{_batch}_xla": [f"--batch_size={_batch}", "--jit_compile"] + FAST,
        f"b{_batch}_xla_synthetic": [f"--batch_size={_batch}", "--jit_compile",
                                     "--synthetic_data"] + FAST,
        f"b{_batch}_2replicas": [f"--batch_size={_batch}", "--cpu_replicas=2"] + FAST,
        f"b{_batch}_2replicas_synthetic": [f"--batch_size={_batch}", "--cpu_replicas=2",
                                           "--synthetic_data"] + FAST,
    })
MATRIX.update({
    "b128_bf16": ["--batch_size=128", "--mixed_precision=mixed_bfloat16",
                  "--fused_batch_norm"] + FAST,
    "b128_bf16_synthetic": ["--batch_size=128", "--mixed_precision=mixed_bfloat16",
                            "--synthetic_data", "--fused_batch_norm"] + FAST,
    "b128_bf16_xla": ["--batch_size=128", "--mixed_precision=mixed_bfloat16",
                      "--jit_compile"] + FAST,
    # Q reading c1 from rotated/sheared copies: one more D/Q pass over the fakes per update.
    "b128_categorical_views": ["--batch_size=128", "--categorical_rotation_degrees=25",
                               "--categorical_shear=0.3", "--fused_batch_norm"] + FAST,
    # flags/mnist.cfg's views: the same plus the elastic distortion.
    "b128_mnist_cfg_views": ["--batch_size=128", "--categorical_rotation_degrees=25",
                             "--categorical_shear=0.3", "--categorical_elastic_alpha=34",
                             "--fused_batch_norm"] + FAST,
    "b128_keras_bn": ["--batch_size=128", "--nofused_batch_norm"] + FAST,
    "b128_keras_adam": ["--batch_size=128", "--nofused_adam", "--fused_batch_norm"] + FAST,
    "b128_bf16_keras_adam": ["--batch_size=128", "--mixed_precision=mixed_bfloat16",
                             "--nofused_adam", "--fused_batch_norm"] + FAST,
    "b128_bf16_keras_bn": ["--batch_size=128", "--mixed_precision=mixed_bfloat16",
                           "--nofused_batch_norm"] + FAST,
    "b128_2replicas_sync_bn": ["--batch_size=128", "--cpu_replicas=2",
                               "--sync_batch_norm"] + FAST,
    "b128_multi_worker": ["--batch_size=128", "--strategy=multi_worker"] + FAST,
})


def run_cell(name: str, data_dir: str, output: str) -> None:
    """Runs one cell, appending its record (tagged with the cell name) to `output`."""
    command = [sys.executable, "-m", "infogan_tf.benchmark", "--flagfile=flags/mnist_paper.cfg",
               f"--data_dir={data_dir}", f"--warmup_steps={FLAGS.warmup_steps}",
               f"--benchmark_steps={FLAGS.benchmark_steps}"] + MATRIX[name]
    if "--strategy=multi_worker" in MATRIX[name]:
        stdout = run_workers(command, num_workers=2, timeout=900)[0].stdout
    else:
        stdout = subprocess.run(command, check=True, capture_output=True, text=True,
                                timeout=900).stdout
    record = json.loads(stdout.strip().splitlines()[-2])
    record["cell"] = name
    with open(output, "a") as f:
        f.write(benchmarking.to_json_line(record) + "\n")
    print(benchmarking.format_row(record), flush=True)


def latest_records(path: str) -> Dict[str, dict]:
    """The newest record of each cell in a JSON-lines file."""
    records: Dict[str, dict] = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    record = json.loads(line)
                    records[record["cell"]] = record
    return records


def _rate(records, name) -> Optional[float]:
    return records[name]["images_per_sec"] if name in records else None


def _ratio(records, name, reference) -> str:
    a, b = _rate(records, name), _rate(records, reference)
    return f"{a / b:.2f}×" if a and b else "not measured"


def _overhead(records, name) -> str:
    real, synthetic = _rate(records, name), _rate(records, f"{name}_synthetic")
    return f"{100 * (1 - real / synthetic):+.1f}%" if real and synthetic else "not measured"


def _cpu_speedup(record: dict, base: dict) -> float:
    per_image = record["cpu_ms_per_step"] / record["batch_size"]
    return base["cpu_ms_per_step"] / base["batch_size"] / per_image


def summary(records: Dict[str, dict]) -> List[str]:
    """The findings, every number computed from `records`."""
    base = records.get(BASELINE)
    if not base:
        return ["No baseline measured yet: run with --run."]
    rates = {name: r["images_per_sec"] for name, r in records.items()
             if r["batch_size"] == 128 and not r["synthetic_data"]}
    best = max(rates, key=rates.get)
    memory = max(r["peak_host_memory_mb"] for r in records.values())
    loads = [value for r in records.values() for value in r["load_average"]]
    return [
        f"- **Baseline** (`{BASELINE}`): the plain `tf.function` step as first committed, one "
        f"step per call, float32, no XLA, real data, 1 replica, batch 128: "
        f"**{base['images_per_sec']} images/s** ({base['ms_per_step']} ms/step).",
        f"- **Fastest at batch 128 on real data**: `{best}`, {rates[best]} images/s = "
        f"**{rates[best] / base['images_per_sec']:.2f}× the baseline** (target 2×: "
        f"{'met' if rates[best] >= 2 * base['images_per_sec'] else 'not met'}); in CPU time "
        f"per image, which other jobs on the machine disturb less, "
        f"{_cpu_speedup(records[best], base):.2f}×.",
        f"- Float32 with the defaults (10 steps per call, fused Adam) and fused batch norm vs "
        f"the baseline: {_ratio(records, 'b128', BASELINE)}.",
        f"- Fused Adam (`--fused_adam`, on by default) vs Keras' Adam: "
        f"{_ratio(records, 'b128', 'b128_keras_adam')} (float32), "
        f"{_ratio(records, 'b128_bf16', 'b128_bf16_keras_adam')} (bfloat16) at batch 128.",
        f"- Q reading c1 from rotated/sheared copies: "
        f"{_ratio(records, 'b128_categorical_views', 'b128')} of the paper recipe's images/s; "
        f"with flags/mnist.cfg's elastic distortion too: "
        f"{_ratio(records, 'b128_mnist_cfg_views', 'b128')}.",
        f"- Fused batch norm (`--fused_batch_norm`, off by default) vs Keras' batch norm: "
        f"{_ratio(records, 'b128', 'b128_keras_bn')} (float32), "
        f"{_ratio(records, 'b128_bf16', 'b128_bf16_keras_bn')} (bfloat16) at batch 128.",
        f"- XLA (`--jit_compile`): {_ratio(records, 'b64_xla', 'b64')} (batch 64), "
        f"{_ratio(records, 'b128_xla', 'b128')} (128), {_ratio(records, 'b256_xla', 'b256')} "
        "(256) of the images/s without it.",
        f"- bfloat16 (`--mixed_precision=mixed_bfloat16`): {_ratio(records, 'b128_bf16', 'b128')}"
        f" of float32 at batch 128; with XLA {_ratio(records, 'b128_bf16_xla', 'b128')}.",
        f"- 2 replicas (logical CPUs, same 2 cores): {_ratio(records, 'b64_2replicas', 'b64')}, "
        f"{_ratio(records, 'b128_2replicas', 'b128')}, {_ratio(records, 'b256_2replicas', 'b256')}"
        f" of 1 replica at batch 64/128/256; synchronized batch norm "
        f"{_ratio(records, 'b128_2replicas_sync_bn', 'b128_2replicas')} of unsynchronized.",
        f"- Multi-worker (2 processes on this machine, 1 CPU replica each): "
        f"{_ratio(records, 'b128_multi_worker', 'b128')} of one process.",
        f"- **Input pipeline overhead** (1 − real/synthetic images/s): "
        f"{_overhead(records, 'b64')}, {_overhead(records, 'b128')}, {_overhead(records, 'b256')}"
        f" at batch 64/128/256 (target ≤ 5%; bf16 batch 128: {_overhead(records, 'b128_bf16')}).",
        f"- **Peak host memory**: at most {memory:.0f} MB in any cell (target ≤ 2048 MB: "
        f"{'met' if memory <= 2048 else 'not met'}).",
        f"- Load average (1 min) during the runs: {min(loads):.2f} to {max(loads):.2f} on "
        f"{os.cpu_count()} cores; other jobs shared the machine when it is above ~1.",
    ]


def render(records: Dict[str, dict]) -> str:
    """docs/PERFORMANCE.md as a pure function of the records."""
    some = next(iter(records.values()), {})
    lines = ["# Training performance", "",
             "Generated by `python -m infogan_tf.benchmark_report --data_dir=... --run` from "
             "`docs/performance.jsonl`; do not edit by hand. Every cell is "
             "`python -m infogan_tf.benchmark --flagfile=flags/mnist_paper.cfg` with the flags "
             "below, warm-up then timed steps, nothing written to disk.", "",
             f"Machine: {some.get('device', '?')}, TensorFlow {some.get('tf_version', '?')}.",
             "", "## Findings", ""] + summary(records)
    lines += ["", "## All cells", "", benchmarking.table_header(("cell", "flags"))]
    for name in MATRIX:
        if name in records:
            flags_text = " ".join(MATRIX[name]).replace("--", "")
            lines.append(f"| `{name}` | {flags_text} " + benchmarking.format_row(records[name]))
    lines += ["", "Columns: ms/step is the median over the timed steps' log intervals (10 "
              "steps each) of wall-clock time per step, images/s follows from it (the JSON "
              "lines also hold the mean); cpu_ms_per_step "
              "is the process's CPU time per step (less sensitive to other jobs on the "
              "machine); compile_s is the first call's time beyond its steps' steady-state "
              "time (tracing, XLA compilation); peak host memory is ru_maxrss of the "
              "(chief) process; load_average is the 1-minute load before → after the cell.", ""]
    return "\n".join(lines)


def main(argv):
    cli.start(argv)
    if FLAGS.run:
        if not FLAGS.data_dir:
            cli.fail("--run needs --data_dir (the MNIST IDX files)")
        for name in FLAGS.only or MATRIX:
            if name not in MATRIX:
                cli.fail(f"unknown cell {name!r}; cells: {', '.join(MATRIX)}")
            run_cell(name, FLAGS.data_dir, FLAGS.results)
    with open(FLAGS.markdown, "w") as f:
        f.write(render(latest_records(FLAGS.results)))


if __name__ == "__main__":
    app.run(main)
