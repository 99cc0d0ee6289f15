"""The folder layout of exported models, shared by the exporter and its clients.

TF Serving serves `<export_dir>/<version>/` where the version is a folder
named by an integer; it ignores every other name. Each version holds a
SavedModel and, in `assets/`, a JSON description of the model (latent spec,
image shape, signatures) so that clients need no project code.

This module imports only the standard library: `infogan_tf.generate` uses it
without loading TensorFlow's training stack or the project's training code.
"""

import json
import os
import re
from typing import List, NamedTuple, Optional

ASSET_NAME = "infogan_export.json"
# Signature names: serving_default generates images from latents.
GENERATE, SAMPLE, ENCODE = "serving_default", "sample", "encode"
SIGNATURE_NAMES = (GENERATE, SAMPLE, ENCODE)
_VERSION_NAME = re.compile(r"^[0-9]+$")


class ExportDirError(Exception):
    """An export folder or version is missing, broken or not ours; the message says which."""


class VersionScan(NamedTuple):
    """What an export folder holds.

    Attributes:
      valid: versions with a saved_model.pb, ascending.
      broken: integer-named entries without one (an interrupted copy, a stray file).
      others: entries TF Serving ignores (not integer-named).
    """

    valid: List[int]
    broken: List[int]
    others: List[str]

    @property
    def highest(self) -> int:
        """The highest integer name in use, 0 if none: a new version goes above it."""
        return max(self.valid + self.broken, default=0)


def is_saved_model(path: str) -> bool:
    """Whether `path` holds a SavedModel (its saved_model.pb or .pbtxt)."""
    return any(os.path.isfile(os.path.join(path, name))
               for name in ("saved_model.pb", "saved_model.pbtxt"))


def scan_versions(export_dir: str) -> VersionScan:
    """Sorts the entries of `export_dir` (which must exist) into valid/broken/other."""
    valid, broken, others = [], [], []
    for name in sorted(os.listdir(export_dir)):
        path = os.path.join(export_dir, name)
        if not _VERSION_NAME.match(name):
            others.append(name)
        elif os.path.isdir(path) and is_saved_model(path):
            valid.append(int(name))
        else:
            broken.append(int(name))
    return VersionScan(sorted(valid), sorted(broken), others)


def version_dir(export_dir: str, version: Optional[int] = None) -> str:
    """The folder of `version` (the latest valid one by default), checked to be a SavedModel.

    Raises:
      ExportDirError: the folder or version does not exist, or is not a SavedModel.
    """
    if not os.path.isdir(export_dir):
        raise ExportDirError(f"{export_dir} is not a folder: pass the --export_dir given to "
                             "python -m infogan_tf.export")
    scan = scan_versions(export_dir)
    if version is None:
        if not scan.valid:
            held = ", ".join(str(v) for v in scan.broken) or ", ".join(scan.others) or "nothing"
            raise ExportDirError(
                f"{export_dir} holds no exported version (it holds: {held}); export one with "
                "python -m infogan_tf.export --model_dir=... --export_dir=" + export_dir)
        version = scan.valid[-1]
    path = os.path.join(export_dir, str(version))
    if version in scan.broken:
        raise ExportDirError(f"version {version} in {export_dir} is broken (no saved_model.pb); "
                             f"remove it, or choose one of: {_listing(scan.valid)}")
    if version not in scan.valid:
        raise ExportDirError(f"{export_dir} has no version {version}; it has: "
                             f"{_listing(scan.valid)}")
    return path


def broken_versions_above(export_dir: str, path: str) -> List[int]:
    """Broken versions numbered above the version at `path`: TF Serving would pick those."""
    return [v for v in scan_versions(export_dir).broken if v > int(os.path.basename(path))]


def _listing(versions: List[int]) -> str:
    return ", ".join(str(v) for v in versions) or "none"


def read_export_info(path: str) -> dict:
    """The JSON description in a version folder's assets.

    Raises:
      ExportDirError: the folder is a SavedModel not written by infogan_tf.export.
    """
    asset = os.path.join(path, "assets", ASSET_NAME)
    if not os.path.isfile(asset):
        raise ExportDirError(f"{path} was not exported by infogan_tf (no assets/{ASSET_NAME})")
    with open(asset, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise ExportDirError(f"{asset} is corrupt ({e}); export the model again") from e
