"""Scores checkpoints as `--candidates` would, to study the choice: `python -m
infogan_tf.score_checkpoints --data_dir=../shared/data/mnist runs/a:2000 runs/b:2000`.

Prints, per checkpoint, the label-free scores on real training images that
candidates.py chooses by (I(x; c), Q's mean confidence, the argmax entropy) and,
with --with_test_accuracy, c1's Hungarian accuracy on the labelled test set and its
three largest confusions ([digit, digit whose category reads it, images]): a check
of the rule for the analysis in docs/RESULTS.md, never part of a choice. With
--with_factor_check, also the label-free factor check --candidate_factor_check
chooses by (code_consistency.factor_check on G's sweeps, the same latents as there).
With --weights=trained,averaged each checkpoint of a run trained with
--weight_average_decay is scored once per kind of weights.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

flags.DEFINE_string("data_dir", None, "The dataset folder of the runs (as for training).")
flags.DEFINE_boolean("with_test_accuracy", False, "Also score c1 against the test labels "
                     "and name its largest confusions.")
flags.DEFINE_boolean("with_factor_check", False, "Also run the factor check of "
                     "--candidate_factor_check (runs with a categorical and two continuous "
                     "codes).")
flags.DEFINE_integer("score_images", None, "Real training images to score on (default: as "
                     "many as --candidates uses, candidates.SCORE_IMAGES).", lower_bound=1)
flags.DEFINE_list("weights", [], "Which weights to score, comma separated: averaged, trained "
                  "(default: each run's result, averaged if it kept averages). The scores "
                  "read only D/Q, so averaged_discriminator scores as averaged.")
flags.register_validator("weights", lambda v: set(v) <= {"averaged", "trained"},
                         message="--weights takes averaged and/or trained")
FLAGS = flags.FLAGS


def _test_scores(model, test) -> dict:
    """c1's Hungarian test accuracy and its three largest confusions."""
    from infogan_tf import evaluation, metrics
    first = evaluation.categorical_as_classifier(model, test)[model.config.latent.code_names()[0]]
    return {"test_accuracy": first["accuracy"],
            "largest_confusions": metrics.largest_confusions(first["contingency"], 3)}


def _factor_check(model, spec: str) -> dict:
    """factors_shown and factor_check as --candidate_factor_check records them."""
    from infogan_tf import code_consistency
    from infogan_tf.config import ConfigError
    latent = model.config.latent
    if not latent.num_categorical or latent.num_continuous < 2:
        raise ConfigError(f"{spec}: --with_factor_check needs a run with a categorical code and "
                          f"two continuous codes (this one has {latent.describe()})")
    check = code_consistency.factor_check(code_consistency.sweep_model(model, seed=0))
    return {"factors_shown": check["factors_shown"], "factor_check": check["factors"]}


def main(argv):
    if len(argv) < 2:
        raise app.UsageError("name checkpoints as MODEL_DIR:STEP (or MODEL_DIR for its result)")
    from infogan_tf import candidates
    from infogan_tf import data as data_lib
    from infogan_tf.checkpointing import CheckpointMismatchError
    from infogan_tf.config import ConfigError
    from infogan_tf.data import DataError
    from infogan_tf.model_io import load_run_config, load_trained_model
    datasets = {}  # (dataset, data_dir, split) -> images and labels, read once.

    def load(config, data_dir, split):
        key = (config.dataset, data_dir, split)
        if key not in datasets:
            datasets[key] = data_lib.load_dataset(config.dataset, data_dir, split,
                                                  config.dataset_options())
        return datasets[key]

    try:
        for spec in argv[1:]:
            model_dir, _, step = spec.partition(":")
            path = os.path.join(model_dir, "checkpoints", f"ckpt-{step}") if step else None
            if path and not os.path.exists(path + ".index"):
                raise FileNotFoundError(f"{spec}: no checkpoint {path} (kept checkpoints are "
                                        f"listed in {os.path.dirname(path)})")
            config = load_run_config(model_dir)
            data_dir = FLAGS.data_dir or config.data_dir
            for weights in FLAGS.weights or [None]:
                model = load_trained_model(model_dir, path, weights)
                count = FLAGS.score_images or candidates.SCORE_IMAGES
                row = candidates.score_model(model, load(config, data_dir, "train").images[:count])
                if FLAGS.with_test_accuracy:
                    row.update(_test_scores(model, load(config, data_dir, "test")))
                if FLAGS.with_factor_check:
                    row.update(_factor_check(model, spec))
                print(json.dumps(dict(row, checkpoint=spec, weights=model.weights),
                                 sort_keys=True), flush=True)
    except (CheckpointMismatchError, ConfigError, DataError, FileNotFoundError) as e:
        print(f"infogan_tf: error: {e}", file=sys.stderr)
        sys.exit(2)


def run():
    app.run(main)


if __name__ == "__main__":
    run()
