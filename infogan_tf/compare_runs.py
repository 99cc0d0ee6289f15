"""Compares MNIST runs checkpoint by checkpoint: how well c1 reads digits, and why not.

    python -m infogan_tf.compare_runs --model_dirs=runs/a,runs/b [--steps=1000,3000] \
        [--reference=runs/a] [--results_file=docs/RESULTS.md --heading="..."]

Prints a markdown table (see infogan_tf/trajectory.py) and, with --results_file,
writes it as the section --heading of that file. Errors a user can fix end with
one message and exit status 2.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from infogan_tf import cli  # noqa: E402  (absl only)

flags.DEFINE_list("model_dirs", None, "Training runs to compare (MNIST, first code "
                  "categorical).", required=True)
flags.DEFINE_list("steps", [], "Checkpoint steps to score (default: every kept checkpoint).")
flags.DEFINE_string("reference", None, "Run whose settings the others are described against "
                    "(default: the first of --model_dirs).")
flags.DEFINE_string("data_dir", None, "MNIST folder (default: each run's own --data_dir).")
flags.DEFINE_string("classifier_dir", None, "Reference classifier cache (as for evaluate).")
flags.DEFINE_integer("num_images", 5000, "Generated images per checkpoint for G's categories.")
flags.DEFINE_integer("seed", 0, "Seed of the generated images.")
flags.DEFINE_string("results_file", None, "Markdown file to write the section into.")
flags.DEFINE_string("heading", "MNIST: c1 over training", "Section heading in --results_file.")
flags.DEFINE_string("notes_file", None, "Markdown appended to the section (the analysis of "
                    "the table, written by hand).")
FLAGS = flags.FLAGS


def main(argv):
    cli.start(argv)
    from infogan_tf import classifier as classifier_lib
    from infogan_tf import code_accuracy
    from infogan_tf import data as data_lib
    from infogan_tf import trajectory
    from infogan_tf.checkpointing import CheckpointMismatchError
    from infogan_tf.evaluate_run import default_classifier_dir
    from infogan_tf.model_io import load_run_config
    try:
        steps = [int(s) for s in FLAGS.steps]
    except ValueError:
        cli.fail(f"--steps={','.join(FLAGS.steps)}: expected step numbers such as 1000,3000")
    reference_dir = FLAGS.reference or FLAGS.model_dirs[0]
    runs = {}
    try:
        for model_dir in FLAGS.model_dirs:
            config = load_run_config(model_dir)
            if config.dataset != "mnist" or not config.latent.num_categorical:
                cli.fail(f"{model_dir} is a {config.dataset} run without a categorical code; "
                         "compare_runs reads c1 as MNIST digits")
            data_dir = FLAGS.data_dir or config.data_dir
            test = data_lib.load_dataset("mnist", data_dir, "test")
            reference = classifier_lib.load_or_train(
                FLAGS.classifier_dir or default_classifier_dir(), "mnist",
                classifier_lib.ClassifierSettings(),
                lambda split: data_lib.load_dataset("mnist", data_dir, split))
            kept = trajectory.checkpoint_steps(model_dir)
            missing = sorted(set(steps) - set(kept))
            if missing:
                cli.fail(f"{model_dir} has no checkpoint at step(s) {missing}; it keeps {kept}")
            scores = [trajectory.cached_score(model_dir, step, test, reference,
                                                  FLAGS.num_images, FLAGS.seed)
                      for step in (steps or kept)]
            runs[os.path.basename(os.path.normpath(model_dir))] = {
                "seed": config.seed, "scores": scores,
                "difference": trajectory.settings_difference(model_dir, reference_dir)}
    except (CheckpointMismatchError, data_lib.DataError, classifier_lib.ClassifierError) as e:
        cli.fail(str(e))
    command = ("python -m infogan_tf.compare_runs --model_dirs=" + ",".join(FLAGS.model_dirs)
               + (f" --steps={','.join(FLAGS.steps)}" if FLAGS.steps else ""))
    section = trajectory.render_section(runs, command)
    if FLAGS.notes_file:
        if not os.path.exists(FLAGS.notes_file):
            cli.fail(f"--notes_file={FLAGS.notes_file} does not exist")
        with open(FLAGS.notes_file) as f:
            section += "\n\n" + f.read().strip()
    print(section)
    if FLAGS.results_file:
        code_accuracy.replace_section(FLAGS.results_file, FLAGS.heading, section)


def run():
    app.run(main)


if __name__ == "__main__":
    run()
