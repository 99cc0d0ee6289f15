"""Label-free choice of a run's result among its late checkpoints (--choose_checkpoint_from).

Why: late in an MNIST run G's categories stay put (99.6 % of a category's
samples one digit), but how Q reads *real* digits drifts by a point or more
between checkpoints (a real 1 read as the 8-category, a 7 as the 2). The
information Q's categories carry about real training images, I(x; c) =
H(mean_x Q(c|x)) - mean_x H(Q(c|x)) (the score candidates.py chooses restarts
by), sees that drift without labels: see docs/RESULTS.md, "Choosing the
result among late checkpoints", for how it orders checkpoints against test
accuracy.

After training, `choose_final_checkpoint` scores every kept checkpoint at
step >= from_step on real training images, keeps the most informative one
(ties: Q's mean confidence) and writes <model_dir>/final_checkpoint.json.
`model_io.load_trained_model` (so evaluate, export and score_checkpoints) then
uses that checkpoint by default, until the run trains on past the choice.
Training itself is untouched: resuming still continues the latest checkpoint.
A run trained again without the flag sets the choice aside (`withdraw_choice`).
"""

import datetime
import json
import os
from typing import Callable, List, Optional, Tuple

import tensorflow as tf

from infogan_tf import candidates
from infogan_tf import checkpointing
from infogan_tf import data as data_lib
from infogan_tf import recovery
from infogan_tf.config import ConfigError
from infogan_tf.model_io import load_run_config
from infogan_tf.run_lock import RunLock

RULE = ("among the kept checkpoints at step >= from_step, the highest mutual_information "
        "between real training images and Q's categories, then the highest "
        "mean_confidence; no labels")


def kept_checkpoints(model_dir: str, from_step: int) -> List[Tuple[int, str]]:
    """(step, path) of the checkpoints the run's state file keeps at step >= from_step."""
    directory = checkpointing.checkpoint_dir(model_dir)
    state = tf.train.get_checkpoint_state(directory)
    paths = list(state.all_model_checkpoint_paths) if state else []
    kept = [(int(os.path.basename(p).rsplit("-", 1)[1]), p) for p in paths]
    return sorted((step, path) for step, path in kept
                  if step >= from_step and os.path.exists(path + ".index"))


def choose_final_checkpoint(model_dir: str, from_step: int, data_dir: Optional[str] = None,
                            log: Callable[[str], None] = print) -> dict:
    """Chooses the run's result among its late checkpoints; writes FINAL_CHOICE_FILE.

    Args:
      model_dir: a trained run.
      from_step: the first step a checkpoint may come from.
      data_dir: where its dataset is (default: the run's own --data_dir).
      log: where progress lines go.

    Returns:
      What the file holds: the rule, every scored checkpoint and the chosen one.
      A choice already made for the same latest checkpoint and from_step is
      returned as it is, without scoring again.

    Raises:
      ConfigError: the run keeps no checkpoint at step >= from_step, or has no
        categorical code.
      ModelDirLockedError: a trainer is using model_dir.
    """
    # Under the model_dir's lock: a trainer started meanwhile would move the checkpoints.
    with RunLock(model_dir):
        return _choose(model_dir, from_step, data_dir, log)


def _choose(model_dir: str, from_step: int, data_dir: Optional[str],
            log: Callable[[str], None]) -> dict:
    path = os.path.join(model_dir, checkpointing.FINAL_CHOICE_FILE)
    latest = tf.train.latest_checkpoint(checkpointing.checkpoint_dir(model_dir))
    if latest and checkpointing.chosen_checkpoint(model_dir):
        with open(path) as f:
            previous = json.load(f)
        if previous.get("from_step") == from_step:
            return previous
    config = load_run_config(model_dir)
    if not config.latent.num_categorical:
        raise ConfigError(f"{model_dir} has no categorical code for --choose_checkpoint_from "
                          "to score")
    kept = kept_checkpoints(model_dir, from_step)
    if not kept:
        raise ConfigError(
            f"{model_dir} keeps no checkpoint at step >= {from_step} (--choose_checkpoint_from)"
            f"; its checkpoints are in {checkpointing.checkpoint_dir(model_dir)}")
    images = data_lib.load_dataset(config.dataset, data_dir or config.data_dir, "train",
                                   config.dataset_options()).images[:candidates.SCORE_IMAGES]
    scores = []
    for _, checkpoint in kept:
        score = candidates.score_checkpoint(model_dir, images, checkpoint)
        score["checkpoint"] = os.path.basename(checkpoint)
        log(f"checkpoint {score['checkpoint']}: I(x; c) {score['mutual_information']:.4f} "
            f"nats, Q confidence {score['mean_confidence']:.4f}")
        scores.append(score)
    choice = {"rule": RULE, "from_step": from_step, "score_images": int(len(images)),
              "latest_checkpoint": os.path.basename(latest), "candidates": scores,
              "chosen": scores[candidates.choose(scores)]}
    recovery.write_json_atomically(path, choice)
    log(f"the run's result is {choice['chosen']['checkpoint']} (written to {path})")
    return choice


def withdraw_choice(model_dir: str, log: Callable[[str], None] = print) -> Optional[str]:
    """Makes the latest checkpoint the result again, for a run trained without the flag.

    The choice file is renamed, not deleted, so the scores stay readable.

    Returns:
      Where the choice was moved, or None if the run had none.
    """
    path = os.path.join(model_dir, checkpointing.FINAL_CHOICE_FILE)
    if not os.path.exists(path):
        return None
    with RunLock(model_dir):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        moved = os.path.join(model_dir, f"final_checkpoint.withdrawn-{stamp}.json")
        os.replace(path, moved)
    log(f"trained without --choose_checkpoint_from: the latest checkpoint is the result "
        f"again; the earlier choice is kept in {moved}")
    return moved
