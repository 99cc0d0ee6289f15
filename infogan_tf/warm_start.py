"""Starting a new run from another run's checkpoint (--init_from).

InfoGAN-CR trains a plain InfoGAN and switches the contrastive regularizer on
late, with a freshly initialised classifier (their code even saves a checkpoint
right before). So a run with the regularizer from step S is the InfoGAN run up
to S continued with it: --init_from=<that run's checkpoint at S> gives the same
weights without retraining the first S steps, and lets users add the
regularizer (or change learning rates) to any trained model.

What is taken from the checkpoint: G, D/Q, their optimizers (and Q's own, with
--q_learning_rate), the latent RNG and the step, so training continues from
that step with the same data order and latent draws it would have had. A
contrastive classifier is never taken: it starts from its initial weights, as
the progressive schedule prescribes. Averaged weights (--weight_average_decay)
are taken when the source has them; otherwise they start from the source's
weights. The source run is only read.
"""

import os
from typing import Optional

import tensorflow as tf

from infogan_tf import checkpointing
from infogan_tf import recovery
from infogan_tf import weight_averaging
from infogan_tf.config import ConfigError, TrainConfig

# Signature keys that may differ: the classifier is never carried over, and averaged
# weights start from the source's weights when it has none.
_MAY_DIFFER = ("contrastive_classifier", "averaged_weights")
_NOT_CARRIED = ("cr_classifier", "cr_optimizer")


def resolve_source(init_from: str) -> str:
    """The checkpoint prefix --init_from names: a checkpoint path or a run's latest.

    Raises:
      ConfigError: nothing readable is there.
    """
    if os.path.isdir(init_from):
        latest = recovery.find_resume_point(init_from).path
        if latest is None:
            raise ConfigError(f"--init_from={init_from} holds no checkpoint; give a run's "
                              "model_dir or a checkpoint path such as <model_dir>/checkpoints/"
                              "ckpt-4000")
        return latest
    if not os.path.exists(init_from + ".index"):
        raise ConfigError(f"--init_from={init_from} is neither a model_dir nor a checkpoint "
                          f"(no {init_from}.index); see <model_dir>/checkpoints for the "
                          "checkpoints a run kept")
    reason = recovery.verify_checkpoint(init_from)
    if reason is not None:
        raise ConfigError(f"--init_from={init_from} cannot be read ({reason}); choose another "
                          "checkpoint of that run")
    return init_from


def check_source(path: str, requested: dict, train_steps: int) -> int:
    """Refuses a source made for other networks or codes; returns its step.

    Raises:
      checkpointing.CheckpointMismatchError: the networks, image shape, codes or
        optimizer layout differ.
      ConfigError: the source is already at or past --train_steps.
    """
    saved = checkpointing.saved_signature(path)
    if saved is None:
        raise checkpointing.CheckpointMismatchError(
            f"--init_from={path} was not written by infogan_tf (it has no run signature)")
    differences = [f"  {key}: the checkpoint has {checkpointing.describe(key, saved.get(key))}, "
                   f"this run asks for {checkpointing.describe(key, requested.get(key))}"
                   for key in sorted(set(requested) | set(saved))
                   if key not in _MAY_DIFFER and saved.get(key) != requested.get(key)]
    if differences:
        raise checkpointing.CheckpointMismatchError(
            f"--init_from={path} was trained with other networks or codes:\n"
            + "\n".join(differences)
            + "\nStart from a checkpoint of a run with these settings. Nothing was changed.")
    step = int(tf.train.load_checkpoint(path).get_tensor("step/.ATTRIBUTES/VARIABLE_VALUE"))
    if step >= train_steps:
        raise ConfigError(f"--init_from={path} is at step {step}, and --train_steps={train_steps} "
                          "leaves nothing to train; raise --train_steps")
    return step


def restore(objects: dict, path: str) -> bool:
    """Loads everything of `objects` (trainer.checkpoint_objects()) but the classifier.

    Returns:
      Whether averaged weights were loaded too (False: the source has none, and the
      caller should start the averages from the loaded weights).
    """
    not_carried = _NOT_CARRIED
    averaged = weight_averaging.has_averages(path)
    if not averaged:
        not_carried += weight_averaging.AVERAGED_OBJECTS
    carried = {k: v for k, v in objects.items() if k not in not_carried}
    tf.train.Checkpoint(**carried).restore(path).assert_existing_objects_matched() \
        .expect_partial()
    return averaged



def source_for(config: TrainConfig, resume: recovery.ResumePoint) -> Optional[str]:
    """--init_from's checkpoint, checked, if this run starts from it (not when resuming)."""
    if not config.init_from or resume.path:
        return None
    source = resolve_source(config.init_from)
    check_source(source, config.run_signature(), config.train_steps)
    return source
