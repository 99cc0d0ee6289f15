"""Guards a resumed study run against a flagfile that changed since it was trained.

A study resumes or skips a run by its command line, which names a flagfile but
not its contents; without this guard, editing flags/mnist.cfg would silently
continue (or report) a run trained with other settings. The guard compares the
flag settings, not the bytes, so editing a flagfile's comments stays harmless.
"""

import hashlib
from typing import List, Optional

# Flags that choose which checkpoint is a run's result, not what is trained: a run
# trained with other values is not refused but run again to choose (no step is retrained).
RESULT_FLAGS = ("--choose_checkpoint_from=",)


def flagfile_of(command: List[str]) -> Optional[str]:
    """The path a command's --flagfile names, or None."""
    for arg in command:
        if arg.startswith("--flagfile="):
            return arg.split("=", 1)[1]
    return None


def flag_settings(path: str) -> List[str]:
    """The flag lines of a flagfile, stripped, in order; comments and blank lines dropped."""
    with open(path) as f:
        lines = (line.strip() for line in f)
        return [line for line in lines if line and not line.startswith("#")]


def file_sha256(path: str) -> str:
    """sha256 of a file's bytes (what studies before the settings record kept)."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def settings_record(command: List[str]) -> dict:
    """What a run's record keeps about its flagfile ({} for a command without one)."""
    path = flagfile_of(command)
    if path is None:
        return {}
    return {"flagfile_settings": flag_settings(path), "flagfile_sha256": file_sha256(path)}


def upgrade_legacy_record(recorded: dict, command: List[str]) -> bool:
    """Adds the settings to a record that kept only the file's sha256, if the file is unchanged.

    Returns:
      True if `recorded` was changed (the caller saves it).
    """
    path = flagfile_of(command)
    if (path is None or "flagfile_settings" in recorded or "flagfile_sha256" not in recorded
            or recorded["flagfile_sha256"] != file_sha256(path)):
        return False
    recorded["flagfile_settings"] = flag_settings(path)
    return True


def changed_settings(recorded: dict, command: List[str]) -> Optional[str]:
    """Says how the command's flagfile differs from the one a run was trained with.

    Args:
      recorded: the run's train record ({} if it was never trained).
      command: the training command about to be resumed, or skipped as done.

    Returns:
      None if the flag settings are the same (or nothing was recorded), else a
      sentence naming the flagfile and the lines that differ.
    """
    path = flagfile_of(command)
    if path is None:
        return None
    if "flagfile_settings" in recorded:
        before, now = (_training_settings(recorded["flagfile_settings"]),
                       _training_settings(flag_settings(path)))
        if before == now:
            return None
        removed = [line for line in before if line not in now]
        added = [line for line in now if line not in before]
        detail = "; ".join(filter(None, [
            f"it had {', '.join(removed)}" if removed else "",
            f"it now has {', '.join(added)}" if added else ""])) or "the order of its flags"
        return f"{path} changed since this run was trained ({detail})"
    if "flagfile_sha256" in recorded and recorded["flagfile_sha256"] != file_sha256(path):
        return (f"{path} changed since this run was trained (its sha256 was "
                f"{recorded['flagfile_sha256'][:12]}, now {file_sha256(path)[:12]}; this run's "
                "record predates the per-flag record, so even a comment edit counts)")
    return None


def result_settings_changed(recorded: dict, command: List[str]) -> bool:
    """Whether the command's flagfile sets RESULT_FLAGS other than the run was trained with."""
    path = flagfile_of(command)
    if path is None or "flagfile_settings" not in recorded:
        return False
    return (_result_settings(recorded["flagfile_settings"])
            != _result_settings(flag_settings(path)))


def _training_settings(settings: List[str]) -> List[str]:
    return [line for line in settings if not line.startswith(RESULT_FLAGS)]


def _result_settings(settings: List[str]) -> List[str]:
    return [line for line in settings if line.startswith(RESULT_FLAGS)]
