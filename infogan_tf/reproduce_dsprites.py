"""The dSprites study: `python -m infogan_tf.reproduce_dsprites --data_dir=../shared/data/dsprites`.

Trains and evaluates InfoGAN (flags/dsprites.cfg) and InfoGAN-CR
(flags/dsprites_cr.cfg) for each seed, then writes the section "dSprites
disentanglement" of docs/RESULTS.md. Running it again skips what is done and
resumes what is not; --report_only only rewrites the section. Each evaluated
run is also kept in the study's archive (default docs/studies/<study_dir's
name>, to be committed), from which the study continues on a new machine.
"""

import os
import shlex

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from infogan_tf import cli  # noqa: E402  (absl only)

FLAGS = flags.FLAGS

flags.DEFINE_string("study_dir", "runs/dsprites_study", "Folder of the study's runs and logs.")
flags.DEFINE_string("results_file", "docs/RESULTS.md", "Markdown file the section goes into.")
flags.DEFINE_string("data_dir", None, "dSprites folder passed to training and evaluation.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds of each model.")
flags.DEFINE_integer("train_steps", 30000, "Steps of every run (batch 64); InfoGAN-CR's "
                     "regularizer starts at the authors' fraction (0.893) of it, rounded to a "
                     "checkpoint (1,000 steps), from the InfoGAN run's checkpoint there.")
flags.DEFINE_list("models", ["infogan", "cr"], "Which models to run: infogan, cr.")
flags.DEFINE_string("train_args", "", "Extra flags for every training run, after the "
                    "flagfile's (e.g. '--lambda_continuous=0.5'); a study keeps them for "
                    "all its runs, so use a new --study_dir to change them.")
flags.DEFINE_string("eval_args", "", "Extra flags for every evaluation.")
flags.DEFINE_string("archive_dir", None, "Where each evaluated run's record and metrics are "
                    "kept for committing (default docs/studies/<study_dir's name>); a run "
                    "found there with the same commands is not trained again. 'none': keep "
                    "no archive.")
flags.DEFINE_boolean("report_only", False, "Only rewrite the section from existing results.")
flags.DEFINE_string("notes_file", "docs/dsprites_notes.md", "Markdown appended to the section "
                    "(the analysis of the runs), if the file exists.")
flags.register_validator("train_steps", lambda v: v > 0, "--train_steps must be positive")
flags.register_validator("models", lambda v: set(v) <= {"infogan", "cr"} and v,
                         "--models takes infogan and/or cr")

HEADING = "dSprites disentanglement: InfoGAN vs InfoGAN-CR"


def _archive_dir():
    from infogan_tf import study_archive
    return study_archive.resolve(FLAGS.archive_dir, FLAGS.study_dir)


def _report_command() -> str:
    """The command that rewrites this section: seeds, steps and every flag that was changed
    from its default (so a section in another --results_file names that file too)."""
    parts = ["python -m infogan_tf.reproduce_dsprites"]
    for name in ("data_dir", "seeds", "train_steps", "study_dir", "models", "train_args",
                 "eval_args", "archive_dir", "results_file", "notes_file"):
        flag = FLAGS[name]
        if name in ("seeds", "train_steps") or flag.value != flag.default:
            value = ",".join(flag.value) if isinstance(flag.value, list) else str(flag.value)
            parts.append(f"--{name}={shlex.quote(value) if value else repr('')}")
    return " ".join(parts)


def main(argv):
    cli.start(argv)
    from infogan_tf import code_accuracy
    from infogan_tf import dsprites_study
    from infogan_tf import study
    try:
        seeds = tuple(int(s) for s in FLAGS.seeds if s.strip())
    except ValueError:
        cli.fail(f"--seeds={','.join(FLAGS.seeds)!r}: expected comma separated integers")
    config = dsprites_study.DspritesStudyConfig(
        study_dir=FLAGS.study_dir, data_dir=FLAGS.data_dir, seeds=seeds,
        train_steps=FLAGS.train_steps, models=tuple(FLAGS.models),
        train_args=tuple(shlex.split(FLAGS.train_args)),
        eval_args=tuple(shlex.split(FLAGS.eval_args)), archive_dir=_archive_dir())
    for _, key, flagfile in dsprites_study.MODELS:
        if key in config.models and not os.path.exists(flagfile):
            cli.fail(f"flagfile {flagfile} not found: run from the repository root")
    try:
        if not FLAGS.report_only:
            dsprites_study.execute(config)
    except study.StudyError as e:
        cli.fail(str(e))
    results = dsprites_study.collect(config)
    if not results:
        cli.fail(f"no evaluated runs in {config.study_dir} or in the archive "
                 f"{config.archive_dir}: run without --report_only first")
    section = dsprites_study.render_section(results, config, _report_command())
    if FLAGS.notes_file and os.path.exists(FLAGS.notes_file):
        with open(FLAGS.notes_file) as f:
            section += f"\n\n### Analysis\n\nFrom `{FLAGS.notes_file}`.\n\n" + f.read().strip()
    code_accuracy.replace_section(FLAGS.results_file, HEADING, section)
    print(f"wrote the section '{HEADING}' of {FLAGS.results_file}")


def run():
    app.run(main)


if __name__ == "__main__":
    run()
