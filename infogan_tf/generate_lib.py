"""Image grids from an exported model, using only its SavedModel and JSON asset.

Like TF Serving, this runs no training code: it imports TensorFlow, numpy,
pillow and the project's small layout/grid modules only. Latents are drawn by
the model's own `sample` signature (so its priors are used), the codes the user
fixes are written over them, and `serving_default` renders the images.
"""

import math
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from infogan_tf import export_layout
from infogan_tf import image_grid
from infogan_tf.export_layout import ExportDirError

Latents = Dict[str, np.ndarray]


class GenerateError(ValueError):
    """A request the exported model cannot answer; the message says what to change."""


class ExportedModel(NamedTuple):
    """A loaded SavedModel export and its infogan_export.json."""
    path: str
    info: dict            # The JSON asset: latent spec, image shape, signatures.
    loaded: object        # The tf.saved_model.load() result.

    @property
    def categorical_codes(self) -> list:
        return [c for c in self.info["codes"] if c["kind"] == "categorical"]

    @property
    def continuous_codes(self) -> list:
        return [c for c in self.info["codes"] if c["kind"] != "categorical"]


def load_exported(export_dir: str, version: Optional[int] = None) -> ExportedModel:
    """Loads a version (the latest valid one by default) of an export folder.

    Raises:
      ExportDirError: no such version, a broken one, or a SavedModel not written by
        infogan_tf.export.
    """
    path = export_layout.version_dir(export_dir, version)
    info = export_layout.read_export_info(path)
    try:
        loaded = tf.saved_model.load(path)
    except Exception as e:  # noqa: BLE001  (any failure means the same to the user)
        raise ExportDirError(f"cannot load the SavedModel in {path} ({type(e).__name__}: "
                             f"{str(e).splitlines()[0] if str(e) else ''}); export it again") from e
    return ExportedModel(path, info, loaded)


def _call(model: ExportedModel, signature: str, **inputs) -> Dict[str, np.ndarray]:
    try:
        outputs = model.loaded.signatures[signature](
            **{name: tf.constant(value) for name, value in inputs.items()})
    except tf.errors.InvalidArgumentError as e:
        raise GenerateError(f"the model refused the request: {_first_reason(e.message)}") from e
    return {name: value.numpy() for name, value in outputs.items()}


def _first_reason(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("Graph execution error",
                                                              "Detected at", "<stack", "[["))]
    return (useful or lines or ["unknown error"])[0]


def _check_fixed_values(model: ExportedModel, categorical: Optional[Sequence[int]],
                  continuous: Optional[Sequence[float]]) -> None:
    """Refuses fixed codes that do not fit the model, naming the code."""
    cat_codes, cont_codes = model.categorical_codes, model.continuous_codes
    if categorical is not None:
        if len(categorical) != len(cat_codes):
            raise GenerateError(f"--categorical needs {len(cat_codes)} value(s), one per "
                                f"categorical code ({_names(cat_codes)}); got {len(categorical)}")
        for value, code in zip(categorical, cat_codes):
            if not 0 <= value < code["num_categories"]:
                raise GenerateError(f"--categorical: code {code['name']} takes a class index "
                                    f"in [0, {code['num_categories']}), got {value}")
    if continuous is not None:
        if len(continuous) != len(cont_codes):
            raise GenerateError(f"--continuous needs {len(cont_codes)} value(s), one per "
                                f"continuous code ({_names(cont_codes)}); got {len(continuous)}")
        if not all(math.isfinite(v) for v in continuous):
            raise GenerateError(f"--continuous values must be finite, got {list(continuous)}")


def _names(codes: list) -> str:
    return ", ".join(c["name"] for c in codes) or "the model has none"


def draw_latents(model: ExportedModel, num: int, seed: int,
                 categorical: Optional[Sequence[int]] = None,
                 continuous: Optional[Sequence[float]] = None) -> Latents:
    """`num` latents drawn by the model's `sample` signature, with the given codes fixed."""
    _check_fixed_values(model, categorical, continuous)
    drawn = _call(model, export_layout.SAMPLE, seed=np.int64(seed), num=np.int32(num))
    latents = {name: drawn[name] for name in ("noise", "categorical", "continuous")}
    if categorical is not None:
        latents["categorical"][:] = np.asarray(categorical, np.int32)
    if continuous is not None:
        latents["continuous"][:] = np.asarray(continuous, np.float32)
    return latents


def traversal_latents(model: ExportedModel, code_name: str, rows: int, seed: int,
                      categorical: Optional[Sequence[int]] = None,
                      continuous: Optional[Sequence[float]] = None,
                      steps: int = 10,
                      value_range: Tuple[float, float] = (-2.0, 2.0)) -> Tuple[Latents, int]:
    """Latents of a rows x columns grid that varies one code across each row.

    A categorical code takes each of its classes in turn; a continuous one
    `steps` values evenly spaced over `value_range`. Each row keeps one draw of
    the noise and of the other codes (or the fixed values given).

    Returns:
      (latents with rows * columns entries, row-major; columns).
    """
    by_name = {c["name"]: c for c in model.info["codes"]}
    if code_name not in by_name:
        raise GenerateError(f"--traverse={code_name}: the model's codes are "
                            f"{', '.join(by_name) or 'none'}")
    code = by_name[code_name]
    base = draw_latents(model, rows, seed, categorical, continuous)
    if code["kind"] == "categorical":
        values = np.arange(code["num_categories"])
        column, key = model.categorical_codes.index(code), "categorical"
    else:
        values = np.linspace(value_range[0], value_range[1], steps)
        column, key = model.continuous_codes.index(code), "continuous"
    cols = len(values)
    latents = {name: np.repeat(value, cols, axis=0) for name, value in base.items()}
    latents[key][:, column] = np.tile(values, rows).astype(latents[key].dtype)
    return latents, cols


def generate_images(model: ExportedModel, latents: Latents) -> np.ndarray:
    """[N, H, W, C] images in [0, 1] from the `serving_default` signature."""
    return _call(model, export_layout.GENERATE, **latents)["images"]


def write_grid(images: np.ndarray, cols: int, path: str) -> Tuple[int, int]:
    """Tiles images row-major into a PNG at `path`; returns (rows, cols)."""
    rows = math.ceil(len(images) / cols)
    blank = np.ones((rows * cols - len(images),) + images.shape[1:], images.dtype)
    grid = image_grid.tile_grid(np.concatenate([images, blank]), rows, cols)
    image_grid.save_png(grid, path)
    return rows, cols
