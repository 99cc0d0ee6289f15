"""Validation of the settings that choose a run's result, for config.validate_config.

--candidates (which short run is continued), --choose_checkpoint_from (which late checkpoint
is the result) and --weight_average_decay/--weight_average_start (averaged weights as the
result). Like view_settings, it returns a message instead of raising, so it needs nothing
from config.py.
"""

from typing import Optional


def selection_setting_error(config) -> Optional[str]:
    """The message for the first invalid result-choosing setting of a TrainConfig, or None."""
    for check in (_weight_average_error, _candidates_error, _factor_check_error,
                  _final_choice_error):
        error = check(config)
        if error:
            return error
    return None


def _weight_average_error(config) -> Optional[str]:
    """--weight_average_decay/--weight_average_start (see weight_averaging.py)."""
    if not 0 <= config.weight_average_decay < 1:
        return ("--weight_average_decay must be in [0, 1) (0 = no averaged weights; e.g. "
                f"0.999), got {config.weight_average_decay}")
    start = config.weight_average_start
    if start and not (0 < start < config.train_steps and config.weight_average_decay):
        return (f"--weight_average_start={start} needs --weight_average_decay > 0 and a step "
                f"before --train_steps={config.train_steps}")
    return None


def _candidates_error(config) -> Optional[str]:
    """--candidates/--candidate_steps (see candidates.py)."""
    if config.candidates < 1:
        return f"--candidates must be >= 1, got {config.candidates}"
    if config.candidate_code_consistency and not (
            config.candidates > 1 and config.latent.num_categorical
            and config.latent.num_continuous):
        return ("--candidate_code_consistency ranks --candidates (> 1) by how their continuous "
                "codes move each category of the categorical code, so it needs both kinds of "
                "code")
    if config.candidates == 1:
        return None
    if not 0 < config.candidate_steps < config.train_steps:
        return (f"--candidate_steps={config.candidate_steps} must be between 0 and "
                f"--train_steps={config.train_steps}: the chosen candidate is continued after "
                "it")
    if not config.latent.num_categorical:
        return ("--candidates scores how evenly Q's categorical codes split real images, so it "
                "needs a categorical code")
    if config.strategy == "multi_worker":
        return ("--candidates trains several runs in one process, which "
                "--strategy=multi_worker does not support; choose among candidates on one "
                "machine first")
    return None


def _factor_check_error(config) -> Optional[str]:
    """--candidate_factor_check/--candidate_limit (see candidates.py)."""
    if config.candidate_factor_check and not (
            config.candidates > 1 and config.latent.num_categorical
            and config.latent.num_continuous >= 2):
        return ("--candidate_factor_check ranks --candidates (> 1) by whether two continuous "
                "codes follow slant and stroke width in every category of the categorical "
                "code, so it needs a categorical code and at least two continuous codes")
    if config.candidate_limit and not config.candidate_factor_check:
        return (f"--candidate_limit={config.candidate_limit} sets how many candidates "
                "--candidate_factor_check may train; add --candidate_factor_check or drop it")
    if config.candidate_limit and config.candidate_limit < config.candidates:
        return (f"--candidate_limit={config.candidate_limit} must be at least "
                f"--candidates={config.candidates} (or 0: no more than --candidates)")
    return None


def _final_choice_error(config) -> Optional[str]:
    """--choose_checkpoint_from (see final_checkpoint.py)."""
    start = config.choose_checkpoint_from
    if not 0 <= start <= config.train_steps:
        return (f"--choose_checkpoint_from={start} must be between 0 (off: the latest "
                f"checkpoint is the result) and --train_steps={config.train_steps}")
    if start == 0:
        return None
    if not config.latent.num_categorical:
        return ("--choose_checkpoint_from scores how much Q's categorical codes say about real "
                "images, so it needs a categorical code")
    if config.strategy == "multi_worker":
        return ("--choose_checkpoint_from chooses in the training process, which "
                "--strategy=multi_worker does not support; rerun the finished run on one "
                "machine with it (nothing is retrained)")
    every = config.checkpoint_every
    in_window = (config.train_steps // every - (start - 1) // every
                 + (1 if config.train_steps % every else 0))
    if in_window > config.keep_checkpoints:
        return (f"--choose_checkpoint_from={start} chooses among {in_window} checkpoints (one "
                f"every {every} steps to {config.train_steps}), but --keep_checkpoints="
                f"{config.keep_checkpoints} would delete some before the choice: raise "
                f"--keep_checkpoints to {in_window} or choose from a later step")
    return None
