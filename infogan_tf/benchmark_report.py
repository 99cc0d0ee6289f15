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
import subprocess
import sys

from absl import app
from absl import flags

from infogan_tf import benchmarking
from infogan_tf import cli
from infogan_tf.local_cluster import run_workers
from infogan_tf.performance_report import MATRIX, latest_records, render

flags.DEFINE_string("data_dir", None, "MNIST folder (the four IDX files).")
flags.DEFINE_boolean("run", False, "Run the matrix (else only re-render the Markdown).")
flags.DEFINE_list("only", [], "Run only the cells with these names.")
flags.DEFINE_string("results", "docs/performance.jsonl", "Benchmark records (JSON lines).")
flags.DEFINE_string("markdown", "docs/PERFORMANCE.md", "The report to write.")
flags.DEFINE_integer("warmup_steps", 10, "Warm-up steps of each cell.")
flags.DEFINE_integer("benchmark_steps", 60, "Timed steps of each cell.")

FLAGS = flags.FLAGS


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
