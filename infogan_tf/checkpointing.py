"""Checkpoints tied to the run's latent spec and architecture.

Each checkpoint stores, next to the weights, optimizers, RNG and step, a JSON
"run signature" (architecture, image shape, latent spec). Before restoring,
the signature saved in the latest checkpoint is compared with the requested
one, so a mismatched model_dir is refused with the differing setting named
instead of failing deep inside the restore (or silently restoring part of it).
"""

import json
import os
from typing import Optional

import tensorflow as tf

from infogan_tf.latent import LatentSpec

_SIGNATURE_KEY = "run_signature/.ATTRIBUTES/VARIABLE_VALUE"


class CheckpointMismatchError(Exception):
    """The model_dir holds a run with other settings; the message says which."""


def saved_signature(checkpoint_path: str) -> Optional[dict]:
    """The run signature stored in a checkpoint, or None for a foreign checkpoint."""
    reader = tf.train.load_checkpoint(checkpoint_path)
    if not reader.has_tensor(_SIGNATURE_KEY):
        return None
    return json.loads(reader.get_tensor(_SIGNATURE_KEY).decode("utf-8"))


def describe(key: str, value) -> str:
    """A checkpoint layout setting in words, for mismatch messages."""
    if key == "latent_spec":
        return LatentSpec.from_dict(value).describe()
    if key == "contrastive_classifier":
        return ("a contrastive classifier (--contrastive_regularizer > 0)" if value
                else "no contrastive classifier (--contrastive_regularizer=0)")
    if key == "q_optimizer":
        return ("a separate optimizer for Q (--q_learning_rate set)" if value
                else "one optimizer for D and Q (--q_learning_rate unset)")
    return json.dumps(value)


def check_signature(model_dir: str, checkpoint_path: str, requested: dict) -> None:
    """Raises CheckpointMismatchError if the checkpoint was made with other settings."""
    saved = saved_signature(checkpoint_path)
    if saved is None:
        raise CheckpointMismatchError(
            f"{checkpoint_path} was not written by infogan_tf (it has no run signature); "
            "choose an empty --model_dir")
    # Keys present on one side only count too (an optional key such as the
    # contrastive classifier is absent when unused).
    differences = [f"  {key}: the checkpoint has {describe(key, saved.get(key))}, "
                   f"this run asks for {describe(key, requested.get(key))}"
                   for key in sorted(set(requested) | set(saved))
                   if saved.get(key) != requested.get(key)]
    if differences:
        raise CheckpointMismatchError(
            f"--model_dir={model_dir} holds a run trained with other settings:\n"
            + "\n".join(differences)
            + "\nResume it with its own settings (see its run_config.json), or train this "
              "configuration in a new --model_dir. Nothing was changed.")


def make_checkpoint(objects: dict, signature: dict) -> tf.train.Checkpoint:
    """A checkpoint of the trainer's objects plus the run signature."""
    with tf.device("/cpu:0"):
        signature_variable = tf.Variable(json.dumps(signature, sort_keys=True),
                                         dtype=tf.string, trainable=False)
    return tf.train.Checkpoint(run_signature=signature_variable, **objects)


def checkpoint_dir(model_dir: str) -> str:
    """Where a run keeps its checkpoints."""
    return os.path.join(model_dir, "checkpoints")


# Written by final_checkpoint.py when a run chooses its result among late checkpoints.
FINAL_CHOICE_FILE = "final_checkpoint.json"


def chosen_checkpoint(model_dir: str) -> Optional[str]:
    """The checkpoint --choose_checkpoint_from chose as the run's result, while it still is.

    Returns:
      Its path; None if the run made no choice, or trained on after making it (the
      latest checkpoint is then not the one the choice saw, and is the result).

    Raises:
      CheckpointMismatchError: the choice file cannot be read.
    """
    path = os.path.join(model_dir, FINAL_CHOICE_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            choice = json.load(f)
        seen, chosen = choice["latest_checkpoint"], choice["chosen"]["checkpoint"]
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointMismatchError(
            f"{path} is unreadable ({type(e).__name__}: {e}); delete it to use the latest "
            "checkpoint, or rerun training with --choose_checkpoint_from to choose again"
        ) from None
    latest = tf.train.latest_checkpoint(checkpoint_dir(model_dir))
    if latest is None or os.path.basename(latest) != seen:
        return None
    chosen_path = os.path.join(checkpoint_dir(model_dir), chosen)
    return chosen_path if os.path.exists(chosen_path + ".index") else None
