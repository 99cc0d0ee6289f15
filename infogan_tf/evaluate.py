"""Evaluates a trained run: `python -m infogan_tf.evaluate --model_dir=runs/mnist`.

Writes metrics.json and PNG figures to --output_dir (default <model_dir>/eval)
and the same numbers and images to <model_dir>/eval's TensorBoard events.
Errors a user can fix end with one message and exit status 2.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from infogan_tf import cli  # noqa: E402  (absl only)

FLAGS = flags.FLAGS

flags.DEFINE_string("model_dir", None, "The training run's --model_dir.", required=True)
flags.DEFINE_string("output_dir", None, "Where metrics.json and the PNGs go "
                    "(default <model_dir>/eval).")
flags.DEFINE_string("data_dir", None, "Dataset folder (default: the run's own --data_dir).")
flags.DEFINE_string("checkpoint", None, "A checkpoint path (default: the run's result, the "
                    "checkpoint --choose_checkpoint_from chose or else the latest).")
flags.DEFINE_enum("weights", None, ["averaged", "averaged_discriminator", "trained"],
                  "Which weights of the checkpoint to evaluate: the moving averages of a run "
                  "trained with --weight_average_decay, D/Q's averages with G's trained "
                  "weights, or the trained weights (default: averaged if the run kept them, "
                  "else trained).")
flags.DEFINE_string("classifier_dir", None, "Cache folder of the reference classifier, trained "
                    "once per dataset on first use (default $INFOGAN_TF_CACHE or "
                    "~/.cache/infogan_tf).")
flags.DEFINE_integer("classifier_epochs", None, "Epochs of the reference classifier's "
                     "training (default: ClassifierSettings.epochs, 5).")
flags.DEFINE_integer("classifier_train_examples", None, "Train the reference classifier on "
                     "only the first N training images (default 0 = all; for quick tests).")
flags.DEFINE_integer("num_samples", 10000, "Generated images for the classifier score, the "
                     "Frechet distance and L_I.")
flags.DEFINE_integer("max_test_images", 0, "Use only the first N test images (0 = all 10,000).")
flags.DEFINE_integer("sweep_rows", 500, "Fixed (z, c) samples per continuous-code sweep.")
flags.DEFINE_integer("sweep_points", 9, "Code values from -2 to 2 per sweep.")
flags.DEFINE_integer("figure_rows", 10, "Rows (fixed noise samples) of the Figure 2 panels.")
flags.DEFINE_integer("seed", 0, "Seed of the generated samples and sweeps, and of the "
                     "disentanglement metrics' sampling.")
flags.DEFINE_list("metrics", [], "Disentanglement metrics to compute from Q's codes on the "
                  "real images, comma separated: factorvae, mig, dci, sap. Needs a dataset "
                  "with ground-truth factors (dsprites). Default: none.")
flags.DEFINE_integer("disentanglement_images", 0, "Encode a random subset of this many images "
                     "for --metrics (0 = all; 64,834 for the dSprites subset).")


def _positive(name):
    flags.register_validator(name, lambda v: v > 0, message=f"--{name} must be positive")


for _name in ("num_samples", "sweep_rows", "figure_rows"):
    _positive(_name)
flags.register_validator("classifier_epochs", lambda v: v is None or v > 0,
                         message="--classifier_epochs must be positive")
flags.register_validator("sweep_points", lambda v: v >= 3, message="--sweep_points must be >= 3")
flags.register_validator("disentanglement_images", lambda v: v >= 0,
                         message="--disentanglement_images must be >= 0")
flags.register_validator("max_test_images", lambda v: v >= 0,
                         message="--max_test_images must be >= 0")
flags.register_validator("classifier_train_examples", lambda v: v is None or v >= 0,
                         message="--classifier_train_examples must be >= 0")


def main(argv):
    cli.start(argv)
    if FLAGS.checkpoint and not os.path.exists(FLAGS.checkpoint + ".index"):
        cli.fail(f"--checkpoint={FLAGS.checkpoint} does not exist (no "
                 f"{FLAGS.checkpoint}.index); leave it out to evaluate the run's result")
    # Imported once the flags are checked: loading TensorFlow takes seconds.
    from infogan_tf.checkpointing import CheckpointMismatchError
    from infogan_tf.classifier import ClassifierError, ClassifierSettings
    from infogan_tf.data import DataError
    from infogan_tf.disentanglement_eval import DisentanglementError
    from infogan_tf.evaluate_run import EvalConfig, evaluate
    config = EvalConfig(
        model_dir=FLAGS.model_dir, output_dir=FLAGS.output_dir, data_dir=FLAGS.data_dir,
        checkpoint_path=FLAGS.checkpoint, weights=FLAGS.weights,
        classifier_dir=FLAGS.classifier_dir,
        classifier=ClassifierSettings(**{
            name: value for name, value in (("epochs", FLAGS.classifier_epochs),
                                            ("train_examples", FLAGS.classifier_train_examples))
            if value is not None}),
        num_samples=FLAGS.num_samples, max_test_images=FLAGS.max_test_images,
        sweep_rows=FLAGS.sweep_rows, sweep_points=FLAGS.sweep_points,
        figure_rows=FLAGS.figure_rows, seed=FLAGS.seed,
        metrics=tuple(name.strip().lower() for name in FLAGS.metrics if name.strip()),
        disentanglement_images=FLAGS.disentanglement_images)
    try:
        result = evaluate(config)
    except (CheckpointMismatchError, ClassifierError, DataError, DisentanglementError) as e:
        cli.fail(str(e))
    print(summary_line(result))
    print(f"wrote {os.path.join(config.resolved_output_dir, 'metrics.json')}")


def summary_line(result: dict) -> str:
    """One line of headline numbers for the terminal."""
    parts = [f"step {result['step']} ({result.get('weights', 'trained')} weights)"]
    for name, scores in result.get("categorical", {}).items():
        parts.append(f"{name} accuracy {scores['accuracy']:.4f} (NMI {scores['nmi']:.3f}, "
                     f"ARI {scores['ari']:.3f})")
    for name, scores in result.get("generated_categories", {}).items():
        parts.append(f"{name} categories of G read as digits {scores['accuracy']:.4f}")
    names = result.get("continuous", {}).get("names", {})
    codes = result.get("continuous", {}).get("codes", {})
    for role, kind in (("rotation", "slant"), ("width", "width")):
        if role in names:
            rho = codes[names[role]][kind]["spearman"]
            parts.append(f"{role} = {names[role]} (rho {rho:+.2f})")
    scores = result.get("disentanglement", {})
    named = [(label, scores[key]) for label, key in (
        ("FactorVAE score", "factorvae_score"), ("MIG", "mig"), ("DCI", "dci_disentanglement"),
        ("SAP", "sap")) if key in scores]
    if named:
        parts.append(", ".join(f"{label} {value:.3f}" for label, value in named))
    quality = result.get("sample_quality")
    if quality:
        parts.append(f"classifier score {quality['generated']['classifier_score']:.2f}, "
                     f"FD {quality['generated']['frechet_distance']:.2f} "
                     f"(real: {quality['real']['classifier_score']:.2f}, "
                     f"{quality['real']['frechet_distance']:.2f})")
    return "; ".join(parts)


def run():
    app.run(main)


if __name__ == "__main__":
    run()
