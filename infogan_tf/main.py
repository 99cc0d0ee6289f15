"""Trains InfoGAN: `python -m infogan_tf.main --flagfile=flags/mnist.cfg --model_dir=runs/x`.

Errors a user can fix (settings, data, a mismatched or corrupt model_dir, a
model_dir in use, a full disk, divergence) end the run with one message and
exit status 2; nothing saved is touched. SIGINT/SIGTERM save a checkpoint and
exit with 128 + the signal number (130, 143), saying how to resume.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402
from absl import logging  # noqa: E402

from infogan_tf import train_flags  # noqa: E402  (defines the flags)

FLAGS = flags.FLAGS


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    if not FLAGS["verbosity"].present:
        logging.set_verbosity(logging.WARNING)  # TensorFlow's INFO lines drown the progress bar.
    # Imported here so --help and flag errors answer without loading TensorFlow's graph code.
    from infogan_tf.checkpointing import CheckpointMismatchError
    from infogan_tf.config import ConfigError
    from infogan_tf.data import DataError
    from infogan_tf.interrupts import TrainingInterrupted
    from infogan_tf.recovery import CheckpointWriteError, CorruptCheckpointError
    from infogan_tf.run_lock import ModelDirLockedError
    from infogan_tf.training import TrainingDivergedError, train
    try:
        config = train_flags.config_from_flags()
        if config.candidates > 1:
            from infogan_tf import candidates
            result = candidates.train_with_candidates(config, train, log=_log)
        else:
            result = train(config)
        from infogan_tf import final_checkpoint
        if config.choose_checkpoint_from:
            choice = final_checkpoint.choose_final_checkpoint(
                config.model_dir, config.choose_checkpoint_from, config.data_dir, log=_log)
            result["result_checkpoint"] = choice["chosen"]["checkpoint"]
        else:
            final_checkpoint.withdraw_choice(config.model_dir, log=_log)
    except (ConfigError, DataError, CheckpointMismatchError, CorruptCheckpointError,
            ModelDirLockedError, CheckpointWriteError, TrainingDivergedError) as e:
        print(f"infogan_tf: error: {e}", file=sys.stderr)
        sys.exit(2)
    except TrainingInterrupted as e:
        print(f"infogan_tf: {e}", file=sys.stderr)
        sys.exit(e.exit_status)
    chosen = result.get("result_checkpoint")
    print(f"done: step {result.get('step')}, model_dir {config.model_dir}"
          + (f", result {chosen} (--choose_checkpoint_from)" if chosen else ""))


def _log(message: str) -> None:
    print(f"infogan_tf: {message}", flush=True)


def run():
    app.run(main)


if __name__ == "__main__":
    run()
