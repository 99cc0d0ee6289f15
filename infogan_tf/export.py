"""Exports a trained run for TF Serving.

    python -m infogan_tf.export --model_dir=runs/mnist --export_dir=saved_models/mnist

writes the next version `saved_models/mnist/<N>/` (N = 1 + the highest existing
one; nothing is overwritten). The run's settings come from its model_dir; no
training flags are needed. Errors a user can fix exit with status 2 and one message.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from infogan_tf import cli  # noqa: E402  (absl only)
from infogan_tf.export_layout import SIGNATURE_NAMES  # noqa: E402  (standard library only)

FLAGS = flags.FLAGS

flags.DEFINE_string("model_dir", None, "The training run's --model_dir (with checkpoints/ "
                    "and run_config.json).")
flags.DEFINE_string("export_dir", None, "Folder of this model's versions, served by TF Serving "
                    "as the model base path. Default: saved_models/<name of model_dir>.")
flags.DEFINE_enum("weights", None, ["averaged", "averaged_discriminator", "trained"],
                  "Which weights to export: the moving averages of a run trained with "
                  "--weight_average_decay, D/Q's averages with G's trained weights, or the "
                  "trained weights (default: averaged if the run kept them, else trained).")
flags.DEFINE_string("checkpoint", None, "A specific checkpoint to export (a path as in the "
                    "'checkpoint' index file); by default the run's result (the one "
                    "--choose_checkpoint_from chose, else the latest).")


def main(argv):
    cli.start(argv)
    if not FLAGS.model_dir:
        cli.fail("--model_dir is required: the folder a training run wrote")
    if FLAGS.checkpoint and not os.path.exists(FLAGS.checkpoint + ".index"):
        cli.fail(f"--checkpoint={FLAGS.checkpoint} does not exist (no "
                 f"{FLAGS.checkpoint}.index); leave it out to export the latest checkpoint")
    export_dir = FLAGS.export_dir or os.path.join(
        "saved_models", os.path.basename(os.path.normpath(FLAGS.model_dir)))
    # Imported once the flags are checked: loading TensorFlow takes seconds.
    from infogan_tf import export_lib  # noqa: PLC0415
    from infogan_tf.checkpointing import CheckpointMismatchError  # noqa: PLC0415
    from infogan_tf.model_io import load_trained_model  # noqa: PLC0415
    try:
        trained = load_trained_model(FLAGS.model_dir, FLAGS.checkpoint, FLAGS.weights)
        result = export_lib.export(trained, export_dir)
    except (CheckpointMismatchError, export_lib.ExportError) as e:
        cli.fail(str(e))
    print(f"exported step {trained.step} of {FLAGS.model_dir}, {trained.weights} weights "
          f"({trained.config.latent.describe()})"
          f"\n  to {result.path} (version {result.version}; signatures: "
          f"{', '.join(SIGNATURE_NAMES)})")
    if result.broken_versions:
        print(f"note: {export_dir} also holds {', '.join(map(str, result.broken_versions))}, "
              "which are not SavedModels (left untouched); remove them if they are leftovers",
              file=sys.stderr)


def run():
    app.run(main)


if __name__ == "__main__":
    run()
