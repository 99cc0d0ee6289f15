"""Committed records of a study's finished runs, so that a study outlives its run folders.

A study's runs live under runs/ (checkpoints and event files, hundreds of MB each),
which is not committed and which a new machine does not have. A five-seed study
takes longer than one working session, so without a record its finished seeds
would be trained again on every new machine. After a run is evaluated, the few
files the report reads are copied to `<archive_dir>/<run name>/`:

  reproduce_record.json  the commands, flagfile settings and wall time per session
  metrics.json           evaluate's metrics of the run's result checkpoint
  curve.json             the logged L_I of c1 (Figure 1), if the run logged it
  figures/*.png          evaluate's figures (Figure 2 panels, contingency matrix)
  code.json              the commit of the code that wrote the archive

A run whose folder is missing, or holds less than its archive, counts as done when
its archived record completed the same training and evaluation commands and its
flagfile's settings are unchanged; the report then reads it from the archive.
"""

import glob
import json
import os
import shutil
import subprocess
from typing import List, Optional

from infogan_tf import flagfile_guard

RECORD = "reproduce_record.json"
METRICS = "metrics.json"
CURVE = "curve.json"
FIGURES = "figures"


def default_archive_dir(study_dir: str, docs_root: str = "docs") -> str:
    """`docs/studies/<study folder name>`: runs/study -> docs/studies/study."""
    return os.path.join(docs_root, "studies", os.path.basename(os.path.normpath(study_dir)))


def resolve(flag_value: Optional[str], study_dir: str) -> Optional[str]:
    """The archive a study command's --archive_dir names: its default when unset, None
    (no archive) for 'none'."""
    if flag_value and flag_value.lower() == "none":
        return None
    return flag_value or default_archive_dir(study_dir)


def read_json(path: str) -> Optional[dict]:
    """A JSON file's value, or None if the file does not exist."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _write_json(path: str, value) -> None:
    with open(path, "w") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write("\n")


def _code_version() -> dict:
    """The checkout's commit and whether it had uncommitted changes (empty outside git)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {"commit": commit, "uncommitted_changes": bool(dirty)}


def save(name: str, model_dir: str, archive_dir: str, curve: Optional[dict]) -> str:
    """Copies an evaluated run's record, metrics, curve and figures into the archive.

    The new files are written beside the old archive and swapped in at the end, so
    an interrupted save leaves the previous archive of the run intact.

    Returns:
      The run's archive folder.
    """
    target = os.path.join(archive_dir, name)
    staging = target + ".saving"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(os.path.join(staging, FIGURES))
    shutil.copyfile(os.path.join(model_dir, RECORD), os.path.join(staging, RECORD))
    shutil.copyfile(os.path.join(model_dir, "eval", METRICS), os.path.join(staging, METRICS))
    if curve:
        _write_json(os.path.join(staging, CURVE),
                    {"steps": [int(s) for s in curve["steps"]],
                     "values": [round(float(v), 5) for v in curve["values"]]})
    for png in sorted(glob.glob(os.path.join(model_dir, "eval", "*.png"))):
        shutil.copyfile(png, os.path.join(staging, FIGURES, os.path.basename(png)))
    _write_json(os.path.join(staging, "code.json"), _code_version())
    previous = target + ".previous"
    shutil.rmtree(previous, ignore_errors=True)
    if os.path.exists(target):
        os.replace(target, previous)
    os.replace(staging, target)
    shutil.rmtree(previous, ignore_errors=True)
    return target


def load(archive_dir: str, name: str) -> Optional[dict]:
    """An archived run as {"metrics", "record", "curve", "figures"}, or None."""
    folder = os.path.join(archive_dir, name)
    metrics = read_json(os.path.join(folder, METRICS))
    if metrics is None:
        return None
    return {"metrics": metrics, "record": read_json(os.path.join(folder, RECORD)) or {},
            "curve": read_json(os.path.join(folder, CURVE)),
            "figures": sorted(glob.glob(os.path.join(folder, FIGURES, "*.png")))}


def names(archive_dir: str, prefix: str) -> List[str]:
    """The archived runs whose names start with `prefix` (e.g. "seed_")."""
    return sorted(os.path.basename(os.path.dirname(path)) for path in
                  glob.glob(os.path.join(archive_dir, prefix + "*", METRICS)))


def is_done(archive_dir: str, name: str, train_command: List[str],
            eval_command: List[str]) -> bool:
    """Whether the archive holds this run trained and evaluated by exactly these commands,
    with its flagfile's settings (training's and the result choice's) unchanged."""
    archived = load(archive_dir, name)
    if archived is None:
        return False
    train = archived["record"].get("train", {})
    evaluation = archived["record"].get("eval", {})
    return (train.get("completed_command") == train_command
            and evaluation.get("completed_command") == eval_command
            and flagfile_guard.changed_settings(train, train_command) is None
            and not flagfile_guard.result_settings_changed(train, train_command))
