"""How c1's accuracy develops over a run's checkpoints, and how variants of a run compare.

For every kept checkpoint: Q's Hungarian accuracy on the real test digits, the
accuracy of G's categories as read by the reference classifier (see
`evaluation.generated_categories`), the digit each category draws, and Q's
confidence on real digits (entropy of Q(c|x), a label-free number). Used to
find out why some MNIST runs mix digits in a category and whether a change of
settings prevents it; `render_section` writes the comparison as markdown.
"""

import dataclasses
import glob
import json
import os
import re
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy import special

from infogan_tf import classifier as classifier_lib
from infogan_tf import evaluation
from infogan_tf import metrics
from infogan_tf.data import ImageData
from infogan_tf.model_io import load_run_config, load_trained_model


@dataclasses.dataclass(frozen=True)
class CheckpointScores:
    """c1's scores at one checkpoint (accuracies in [0, 1], entropy in nats)."""

    step: int
    real_accuracy: float
    generated_accuracy: float
    digit_of_category: List[int]
    real_conditional_entropy: float


def checkpoint_steps(model_dir: str) -> List[int]:
    """Steps of the checkpoints kept in a run, ascending."""
    names = glob.glob(os.path.join(model_dir, "checkpoints", "ckpt-*.index"))
    return sorted(int(re.search(r"ckpt-(\d+)\.index$", n).group(1)) for n in names)


def score_checkpoint(model_dir: str, step: int, test: ImageData,
                     reference: classifier_lib.ReferenceClassifier, num_images: int,
                     seed: int) -> CheckpointScores:
    """Scores c1 (the first categorical code) at checkpoint `step` of a run."""
    model = load_trained_model(model_dir, os.path.join(model_dir, "checkpoints", f"ckpt-{step}"))
    logits = evaluation.discriminate(model, evaluation.real_images(model, test))
    probabilities = special.softmax(logits.categorical_logits[0].numpy().astype(np.float64), 1)
    generated = evaluation.generated_categories(model, reference, num_images, seed)["c1"]
    counts = np.asarray(generated["contingency"])  # [label, category]
    entropy = -(probabilities * np.log(np.maximum(probabilities, 1e-30))).sum(axis=1).mean()
    real_accuracy = metrics.hungarian_accuracy(test.labels, probabilities.argmax(axis=1))
    return CheckpointScores(step, real_accuracy, generated["accuracy"],
                            counts.argmax(axis=0).tolist(), float(entropy))


CACHE_FILE = "c1_trajectory.json"  # In <model_dir>/eval: scores already computed.


def cached_score(model_dir: str, step: int, test: ImageData,
                 reference: classifier_lib.ReferenceClassifier, num_images: int,
                 seed: int) -> CheckpointScores:
    """`score_checkpoint`, reusing the result stored in <model_dir>/eval/c1_trajectory.json.

    A stored result is used only if it was computed with the same settings,
    reference classifier and test set, and the checkpoint file is unchanged.
    """
    path = os.path.join(model_dir, "eval", CACHE_FILE)
    settings = {"num_images": num_images, "seed": seed, "test_images": int(len(test.images)),
                "classifier_sha256": reference.info.get("sha256")}
    cache = {}
    if os.path.exists(path):
        with open(path) as f:
            cache = json.load(f)
    if cache.get("settings") != settings:
        cache = {"settings": settings, "steps": {}}
    index = os.stat(os.path.join(model_dir, "checkpoints", f"ckpt-{step}.index"))
    stamp = [index.st_size, index.st_mtime]
    entry = cache["steps"].get(str(step))
    if entry and entry["checkpoint_stamp"] == stamp:
        return CheckpointScores(**entry["scores"])
    scores = score_checkpoint(model_dir, step, test, reference, num_images, seed)
    cache["steps"][str(step)] = {"checkpoint_stamp": stamp, "scores": dataclasses.asdict(scores)}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(cache, f, indent=1)
    os.replace(path + ".tmp", path)
    return scores


def settings_difference(model_dir: str, reference_dir: Optional[str]) -> str:
    """The run's settings that differ from the reference run's, as `key=value` text."""
    if not reference_dir or os.path.abspath(reference_dir) == os.path.abspath(model_dir):
        return "reference"
    ours, theirs = (_flat(load_run_config(d).to_dict()) for d in (model_dir, reference_dir))
    ignored = {"model_dir", "train_steps", "keep_checkpoints", "progress", "seed"}
    changed = [f"{k}={ours.get(k)}" for k in sorted(set(ours) | set(theirs))
               if k not in ignored and ours.get(k) != theirs.get(k)]
    return ", ".join(changed) or "same settings"


def _flat(values: dict, prefix: str = "") -> Dict[str, object]:
    flat = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def duplicated_digits(digits: Sequence[int]) -> List[int]:
    """Digits drawn by more than one category (so other digits have none)."""
    values, counts = np.unique(np.asarray(digits), return_counts=True)
    return [int(v) for v in values[counts > 1]]


def render_section(runs: Dict[str, dict], command: str) -> str:
    """Markdown: one table row per (run, checkpoint).

    Args:
      runs: run label -> {"seed", "difference", "scores": [CheckpointScores]}.
      command: the command that produced the section, recorded in its first line.
    """
    lines = [f"Written by `{command}`; do not edit by hand.", "",
             "Per kept checkpoint: **Q on real** = Hungarian accuracy of Q's c1 argmax on the "
             "10,000 MNIST test images; **G read by classifier** = the same accuracy for G's "
             "own categories, each of its images labelled by the reference classifier (so it "
             "says whether G draws one digit per category); **H(Q)** = mean entropy of Q(c1|x) "
             "on the real test images (nats; label-free); **duplicated** = digits that two or "
             "more categories draw (the digits they crowd out get none).", "",
             "| run | seed | settings vs reference | step | Q on real | G read by classifier "
             "| H(Q) | duplicated |", "|---|---|---|---|---|---|---|---|"]
    for label, run in runs.items():
        for s in run["scores"]:
            duplicates = ", ".join(map(str, duplicated_digits(s.digit_of_category))) or "none"
            lines.append(f"| {label} | {run['seed']} | {run['difference']} | {s.step:,} | "
                         f"{100 * s.real_accuracy:.1f} % | {100 * s.generated_accuracy:.1f} % | "
                         f"{s.real_conditional_entropy:.3f} | {duplicates} |")
    return "\n".join(lines)
