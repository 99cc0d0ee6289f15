"""The benchmark command runs a few steps and prints one well-formed JSON line and a row."""

import json
import os
import subprocess

from infogan_tf import benchmarking

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_benchmark_command_prints_a_json_line_and_a_table_row(tmp_path, mnist_dir, python_env):
    env, python = python_env
    output = tmp_path / "results.jsonl"
    result = subprocess.run(
        [python, "-m", "infogan_tf.benchmark", "--flagfile=flags/mnist.cfg",
         f"--data_dir={mnist_dir}", "--batch_size=16", "--warmup_steps=2",
         "--benchmark_steps=4", "--steps_per_loop=2", "--log_every=2", "--synthetic_data",
         "--profile_steps=2", f"--output={output}"],
        env=env, capture_output=True, text=True, timeout=240, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    record = json.loads(lines[-2])
    assert json.loads(output.read_text().strip()) == record
    assert lines[-1] == benchmarking.format_row(record)
    assert record["batch_size"] == 16 and record["benchmark_steps"] == 4
    assert record["synthetic_data"] is True and record["steps_per_loop"] == 2
    assert record["replicas"] == 1 and record["strategy"] == "mirrored"
    # ms/step and images/s describe the same measurement.
    assert abs(record["images_per_sec"] * record["ms_per_step"] / 1000 - 16) < 0.1
    assert record["first_call_s"] >= record["compile_s"] >= 0
    # Megabytes, not KiB or bytes (off by 1024x either way). The peak itself varies: 1-3 GB,
    # higher when another training shares the machine, so the bound is loose.
    assert 100 < record["peak_host_memory_mb"] < 16384
    assert record["tf_version"] and record["device"]
    # The traced steps' op types: the networks' convolutions and matmuls, and Adam.
    ops = record["op_thread_ms_per_step"]
    assert record["profile_steps"] == 2
    assert {"Conv2D", "Conv2DBackpropFilter", "MatMul", "ResourceApplyAdam"} <= set(ops)
    assert all(ms >= 0 for ms in ops.values()) and sum(ops.values()) > 0
    assert "| op type | thread ms/step | share |" in lines


def test_bad_benchmark_flags_give_one_error_line(mnist_dir, python_env):
    env, python = python_env
    result = subprocess.run(
        [python, "-m", "infogan_tf.benchmark", f"--data_dir={mnist_dir}",
         "--benchmark_steps=0"], env=env, capture_output=True, text=True, timeout=120,
        cwd=REPO)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("infogan_tf: error: --benchmark")

