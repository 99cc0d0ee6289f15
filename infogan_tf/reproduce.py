"""Reproduces the paper's MNIST results: `python -m infogan_tf.reproduce --data_dir=...`.

Trains and evaluates the main configuration for several seeds and the Figure 1
pair, then regenerates docs/RESULTS.md and docs/figures/. Running it again
skips what is done and resumes what is not; --report_only only rewrites the
report from the results already in --study_dir and its archive. The archive
(default docs/studies/<study_dir's name>) keeps each evaluated run's record,
metrics and figures, to be committed: a study then continues on a machine that
has none of its run folders, and the report is regenerated from it.
"""

import os
import shlex

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from infogan_tf import cli  # noqa: E402  (absl only)

FLAGS = flags.FLAGS

flags.DEFINE_string("study_dir", "runs/study", "Folder of the study's runs, logs and the "
                    "cached reference classifier.")
flags.DEFINE_string("docs_dir", "docs", "Where RESULTS.md and figures/ are written.")
flags.DEFINE_string("data_dir", None, "MNIST folder passed to training and evaluation.")
flags.DEFINE_list("seeds", ["0", "1", "2", "3", "4"], "Seeds of the main configuration "
                  "(empty for none).")
flags.DEFINE_string("train_flagfile", "flags/mnist.cfg", "Flagfile of the main configuration.")
flags.DEFINE_string("baseline_flagfile", "flags/mnist_gan_baseline.cfg",
                    "Flagfile of the Figure 1 pair (InfoGAN with --generator_mi=true, the "
                    "baseline with false).")
flags.DEFINE_boolean("skip_figure1", False, "Do not run the Figure 1 pair.")
flags.DEFINE_integer("figure1_steps", 1000, "Iterations of the Figure 1 runs.")
flags.DEFINE_string("train_args", "", "Extra flags for every training, e.g. "
                    "'--learn_continuous_std=true' (changing them retrains into the same "
                    "folders' checkpoints: use a new --study_dir for a new configuration). "
                    "{seed} stands for the run's seed, e.g. '--init_from="
                    "runs/other_study/seed_{seed}/checkpoints/ckpt-4000' continues each seed "
                    "of another study (with --skip_figure1).")
flags.DEFINE_string("eval_args", "", "Extra flags for every evaluation, e.g. "
                    "'--num_samples=1000'.")
flags.DEFINE_string("classifier_dir", None, "Reference classifier cache "
                    "(default <study_dir>/classifier).")
flags.DEFINE_string("archive_dir", None, "Where each evaluated run's record, metrics and "
                    "figures are kept for committing (default docs/studies/<study_dir's "
                    "name>); a run found there with the same commands is not trained again. "
                    "'none': keep no archive.")
flags.DEFINE_boolean("report_only", False, "Only regenerate the report from existing results.")
flags.register_validator("figure1_steps", lambda v: v > 0, "--figure1_steps must be positive")


def _archive_dir():
    from infogan_tf import study_archive
    return study_archive.resolve(FLAGS.archive_dir, FLAGS.study_dir)


def main(argv):
    cli.start(argv)
    from infogan_tf import study
    from infogan_tf import study_results
    try:
        config = study.StudyConfig(
            study_dir=FLAGS.study_dir, docs_dir=FLAGS.docs_dir, data_dir=FLAGS.data_dir,
            seeds=tuple(int(s) for s in FLAGS.seeds if s.strip()),
            train_flagfile=FLAGS.train_flagfile, baseline_flagfile=FLAGS.baseline_flagfile,
            figure1=not FLAGS.skip_figure1, figure1_steps=FLAGS.figure1_steps,
            train_args=tuple(shlex.split(FLAGS.train_args)),
            eval_args=tuple(shlex.split(FLAGS.eval_args)), classifier_dir=FLAGS.classifier_dir,
            archive_dir=_archive_dir())
    except ValueError:
        cli.fail(f"--seeds={','.join(FLAGS.seeds)!r}: expected comma separated integers")
    try:
        if not FLAGS.report_only:
            study.execute(config)
        results = study_results.collect_results(
            config.study_dir, os.path.join(config.docs_dir, "results_notes.md"),
            config.archive_dir)
        if not results["seeds"] and not results["figure1"]:
            raise study.StudyError(f"no evaluated runs in {config.study_dir} or in the "
                                   f"archive {config.archive_dir}: run without --report_only "
                                   "first")
        path = study_results.write_report(results, config.docs_dir)
    except study.StudyError as e:
        cli.fail(str(e))
    print(f"wrote {path}")


def run():
    app.run(main)


if __name__ == "__main__":
    run()
