"""Measures training speed: `python -m infogan_tf.benchmark --flagfile=flags/mnist.cfg
--data_dir=../shared/data/mnist [--benchmark_steps=60 --warmup_steps=20 --synthetic_data
--jit_compile --steps_per_loop=10 --mixed_precision=... --strategy=... --cpu_replicas=2
--batch_size=128] [--profile_steps=20] [--output=results.jsonl]`.

Takes every training flag; trains for a fixed number of steps without writing
checkpoints, then prints one JSON line and one Markdown table row (and appends
the JSON line to --output). In a multi-worker job only the chief reports.
"""

import dataclasses
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from infogan_tf import cli  # noqa: E402
from infogan_tf import train_flags  # noqa: E402  (defines the training flags)

flags.DEFINE_integer("benchmark_steps", 60, "Timed steps, after the warm-up.")
flags.DEFINE_integer("warmup_steps", 20, "Untimed steps first (the first call, which traces "
                     "and compiles, is reported separately).")
flags.DEFINE_boolean("synthetic_data", False, "Feed one batch kept on the devices instead of "
                     "the input pipeline (the difference is the pipeline's cost).")
flags.DEFINE_string("output", None, "Also append the JSON line to this file.")
flags.DEFINE_integer("profile_steps", 0, "After the timed steps, trace this many with the "
                     "TensorFlow profiler and report executor-thread ms per op type (the "
                     "JSON's op_thread_ms_per_step and a table); 0 = no trace.")

FLAGS = flags.FLAGS


def main(argv):
    cli.start(argv)
    from infogan_tf import benchmarking  # noqa: PLC0415  (loads TensorFlow)
    from infogan_tf import strategies  # noqa: PLC0415
    from infogan_tf.config import ConfigError  # noqa: PLC0415
    from infogan_tf.data import DataError  # noqa: PLC0415
    try:
        config = train_flags.config_from_flags()
        # Nothing is written: the model_dir only has to satisfy the validation.
        config = dataclasses.replace(config, model_dir=config.model_dir or "(unused)",
                                     progress=False)
        strategy = strategies.make_strategy(config.strategy, config.cpu_replicas)
        record = benchmarking.run_benchmark(config, benchmarking.BenchmarkOptions(
            FLAGS.benchmark_steps, FLAGS.warmup_steps, FLAGS.synthetic_data,
            FLAGS.profile_steps), strategy)
    except (ConfigError, DataError) as e:
        cli.fail(str(e))
    if not strategies.is_chief(strategy):
        return
    line = benchmarking.to_json_line(record)
    if "op_thread_ms_per_step" in record:
        from infogan_tf import op_profile  # noqa: PLC0415
        print(op_profile.format_table(
            op_profile.top_op_types(record["op_thread_ms_per_step"], steps=1)))
    print(line)
    print(benchmarking.format_row(record))
    if FLAGS.output:
        with open(FLAGS.output, "a") as f:
            f.write(line + "\n")


def run():
    app.run(main)


if __name__ == "__main__":
    run()
