"""Real trainer processes killed (SIGKILL, SIGTERM) and resumed, against an uninterrupted run.

Each process is started with the CLI and stopped at a moment observed on disk
(a checkpoint being written, a checkpoint just completed, steps being logged),
so the test does not depend on how fast the machine is. Every wait is bounded.
"""

import glob
import hashlib
import os
import signal
import subprocess
import time

import tensorflow as tf
from run_helpers import REPO, checkpoint_values, logged_steps

from infogan_tf import recovery

TOTAL_STEPS = 16
TIMEOUT = 240  # Seconds any one wait may take, far above the few seconds it needs.


def _args(model_dir, data_dir, *extra):
    return (["--flagfile=flags/mnist.cfg", f"--data_dir={data_dir}", f"--model_dir={model_dir}",
             f"--train_steps={TOTAL_STEPS}", "--batch_size=8", "--steps_per_loop=1",
             "--log_every=1", "--checkpoint_every=4", "--image_every=1000", "--seed=3",
             "--progress=false", "--deterministic"] + list(extra))


def _start(args, python_env):
    env, python = python_env
    return subprocess.Popen([python, "-m", "infogan_tf.main"] + args, env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, process, what):
    deadline = time.time() + TIMEOUT
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the trainer exited ({process.returncode}) before {what}:\n"
                                 + process.stderr.read()[-3000:])
        if time.time() > deadline:
            process.kill()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)


def _finish(process):
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, out, err


def _weights_digest(model_dir):
    path = tf.train.latest_checkpoint(os.path.join(model_dir, "checkpoints"))
    digest = hashlib.md5()
    for name, value in sorted(checkpoint_values(path).items()):
        digest.update(name.encode() + (value if isinstance(value, bytes) else value.tobytes()))
    return path, digest.hexdigest()


def _lock_holder(model_dir):
    with open(os.path.join(model_dir, ".lock")) as f:
        return f.read()


def test_killed_and_resumed_run_equals_an_uninterrupted_one(tmp_path, python_env, mnist_dir):
    reference_dir, model_dir = tmp_path / "reference", tmp_path / "killed"
    checkpoints = model_dir / "checkpoints"
    reference = _start(_args(reference_dir, mnist_dir), python_env)

    # 1. SIGKILL while checkpoint 8 is being written (checkpoint 4 is complete).
    first = _start(_args(model_dir, mnist_dir), python_env)
    _wait_for(lambda: (checkpoints / "ckpt-8_temp").exists(), first, "checkpoint 8's write")
    first.send_signal(signal.SIGKILL)
    assert _finish(first)[0] == -signal.SIGKILL
    assert (checkpoints / "ckpt-8_temp").exists(), "the kill came after the write completed"
    assert not (checkpoints / "ckpt-8.index").exists()
    assert f"pid {first.pid} " in _lock_holder(model_dir)  # A dead holder's lock...

    # 2. ...is free again: resume from 4, SIGKILL the moment checkpoint 8's index appears
    # (it may not be fully written: then the next run resumes from 4 again).
    second = _start(_args(model_dir, mnist_dir), python_env)
    _wait_for(lambda: (checkpoints / "ckpt-8.index").exists(), second, "checkpoint 8's index")
    second.send_signal(signal.SIGKILL)
    assert _finish(second)[0] == -signal.SIGKILL

    # 3. Resume and SIGTERM while steps are being logged: it saves where it is.
    events_before = set(glob.glob(str(model_dir / "train" / "events.out.tfevents.*")))
    third = _start(_args(model_dir, mnist_dir), python_env)

    def logging_steps():
        new = set(glob.glob(str(model_dir / "train" / "events.out.tfevents.*"))) - events_before
        return any(os.path.getsize(path) > 200 for path in new)
    _wait_for(logging_steps, third, "steps after resuming")
    third.send_signal(signal.SIGTERM)
    status, _, err = _finish(third)
    assert status == 128 + signal.SIGTERM, err[-3000:]
    stopped = int(err.split("stopped by SIGTERM at step ")[1].split(";")[0])
    assert 4 < stopped < TOTAL_STEPS, err[-3000:]
    assert (f"checkpoint {checkpoints}/ckpt-{stopped} is saved. Run the same command again "
            f"to resume from step {stopped}.") in err
    assert recovery.verify_checkpoint(str(checkpoints / f"ckpt-{stopped}")) is None

    # 4. Resume to the end.
    status, out, err = _finish(_start(_args(model_dir, mnist_dir), python_env))
    assert status == 0, err[-3000:]
    assert f"done: step {TOTAL_STEPS}" in out
    status, _, err = _finish(reference)
    assert status == 0, err[-3000:]

    reference_path, reference_digest = _weights_digest(str(reference_dir))
    path, digest = _weights_digest(str(model_dir))
    assert path.endswith(f"ckpt-{TOTAL_STEPS}") and reference_path.endswith(f"ckpt-{TOTAL_STEPS}")
    assert digest == reference_digest
    # TensorBoard: each step logged once, the killed runs' extra steps purged.
    assert logged_steps(str(model_dir)) == list(range(1, TOTAL_STEPS + 1))
    assert _lock_holder(model_dir) == ""
    assert not glob.glob(str(checkpoints / "*_temp"))  # Interrupted writes were tidied away.
