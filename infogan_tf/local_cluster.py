"""Runs a MultiWorkerMirroredStrategy job as several processes on this machine.

Each worker is the same command with its own `TF_CONFIG` (the cluster's
loopback addresses and the worker's index), as on a real cluster. Used by the
multi-worker test and the benchmark report; a worker that hangs (for example
waiting for a peer that crashed) is killed after `timeout` seconds.
"""

import json
import os
import socket
import subprocess
import time
from typing import Dict, List, NamedTuple, Optional, Sequence


class WorkerResult(NamedTuple):
    """How one local worker process ended, and what it printed."""
    index: int
    returncode: int
    stdout: str
    stderr: str


class ClusterError(RuntimeError):
    """A worker failed or timed out; the message holds every worker's stderr tail."""


def free_ports(count: int) -> List[int]:
    """Ports the OS reports free on 127.0.0.1 (all held open together, so distinct)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_config(addresses: Sequence[str], index: int) -> str:
    """The TF_CONFIG of worker `index` in a cluster of workers only (worker 0 is the chief)."""
    return json.dumps({"cluster": {"worker": list(addresses)},
                       "task": {"type": "worker", "index": index}})


def run_workers(command: Sequence[str], num_workers: int, timeout: float,
                env: Optional[Dict[str, str]] = None,
                worker_args=lambda index: ()) -> List[WorkerResult]:
    """Starts `num_workers` copies of `command` and waits for all of them.

    Args:
      command: argv of one worker, e.g. [python, -m, infogan_tf.main, --flagfile=...].
      num_workers: cluster size.
      timeout: seconds after which every worker still running is killed.
      env: base environment (TF_CONFIG is set per worker).
      worker_args: index -> extra argv for that worker.

    Raises:
      ClusterError: a worker exited with a non-zero status or timed out.
    """
    addresses = [f"127.0.0.1:{port}" for port in free_ports(num_workers)]
    processes = []
    for index in range(num_workers):
        worker_env = dict(env if env is not None else os.environ)
        worker_env["TF_CONFIG"] = tf_config(addresses, index)
        processes.append(subprocess.Popen(
            list(command) + list(worker_args(index)), env=worker_env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + timeout
    results, timed_out = [], False
    for index, process in enumerate(processes):
        try:
            out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            for other in processes:  # A peer of a hung worker waits forever: stop them all.
                if other.poll() is None:
                    other.kill()
            out, err = process.communicate()
        results.append(WorkerResult(index, process.returncode, out, err))
    failed = [r for r in results if r.returncode != 0]
    if timed_out or failed:
        details = "\n".join(f"--- worker {r.index} (exit {r.returncode}):\n{r.stderr[-3000:]}"
                            for r in results)
        reason = f"timed out after {timeout:.0f}s" if timed_out else "a worker failed"
        raise ClusterError(f"local multi-worker run {reason}:\n{details}")
    return results
