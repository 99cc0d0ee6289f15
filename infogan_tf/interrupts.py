"""SIGINT and SIGTERM as a request to stop cleanly at the next step boundary.

A signal handler only records the request; the training loop checks it
between `tf.function` calls, saves a checkpoint and exits. The handler then
puts back the previous one, so a second Ctrl-C (or SIGTERM) acts as it always
did and ends the process at once, without saving.
"""

import signal
import sys
import threading
from typing import Optional

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(Exception):
    """The run stopped on a signal after saving; `exit_status` is 128 + the signal number."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.exit_status = 128 + signum


class StopSignals:
    """Context manager: while active, SIGINT/SIGTERM set `received` instead of ending.

    Signal handlers can only be installed from the main thread; elsewhere
    (e.g. a trainer run from a worker thread) the signals keep their handlers, as do
    signals the process was started ignoring.
    """

    def __init__(self):
        self.received: Optional[int] = None
        self._previous = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            # A signal ignored at the start stays ignored (`nohup`, or a job a script started
            # in the background, which its shell shields from Ctrl-C), as Python itself does.
            self._previous = {s: signal.signal(s, self._handle) for s in STOP_SIGNALS
                              if signal.getsignal(s) is not signal.SIG_IGN}
        return self

    def _handle(self, signum, frame) -> None:
        self.received = signum
        signal.signal(signum, self._previous[signum])
        print(f"\ninfogan_tf: {signal.Signals(signum).name} received: saving a checkpoint "
              "after the current steps (send it again to quit without saving)",
              file=sys.stderr, flush=True)

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    @property
    def name(self) -> str:
        return signal.Signals(self.received).name if self.received else ""
