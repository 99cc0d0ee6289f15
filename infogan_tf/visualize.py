"""Latent traversal grids: the paper's Figure 2, for any latent spec.

Grids use fixed noise (drawn from `seed`), so the images of one run are
comparable across steps. A categorical traversal has one column per category
and one row per noise sample; a continuous traversal sweeps the code from -2
to 2 across the columns, each row a different noise sample and category of
the first categorical code, the other continuous codes held at 0 (the paper's
Figure 2). Without a categorical code (dSprites, faces, chairs) the rows draw
the other continuous codes from their prior too, as InfoGAN-CR's figures do:
there the continuous codes carry what a category would, and holding them all
at 0 shows a single point of G's input (on dSprites, often an empty canvas).
"""

from typing import Dict, Sequence, Tuple

import numpy as np

from infogan_tf.image_grid import tile_grid  # noqa: F401  (part of this module's interface)
from infogan_tf.latent import CATEGORICAL, LatentSpec, NORMAL


def _fixed_latents(spec: LatentSpec, rows: int, seed: int) -> Tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    if spec.noise_prior == NORMAL:
        noise = rng.normal(size=(rows, spec.noise_dim))
    else:
        noise = rng.uniform(-1.0, 1.0, size=(rows, spec.noise_dim))
    categorical = np.stack([rng.randint(0, code.num_categories, size=rows)
                            for code in spec.categorical_codes] or [np.zeros(rows)], axis=1)
    return noise.astype(np.float32), categorical[:, :spec.num_categorical].astype(np.int32)


def _draw_continuous(spec: LatentSpec, rows: int, seed: int) -> np.ndarray:
    """One draw of every continuous code per row, from its prior (its own stream of `seed`)."""
    rng = np.random.RandomState([seed, 1])
    columns = [rng.normal(size=rows) if code.kind == NORMAL else rng.uniform(-1.0, 1.0, rows)
               for code in spec.continuous_codes]
    return np.stack(columns, axis=1).astype(np.float32)


def categorical_traversal(spec: LatentSpec, code_index: int, rows: int = 10,
                          seed: int = 0) -> Dict[str, np.ndarray]:
    """Latents for a rows x K grid varying categorical code `code_index` across."""
    k = spec.categorical_codes[code_index].num_categories
    noise, categorical = _fixed_latents(spec, rows, seed)
    categorical = np.repeat(categorical, k, axis=0)
    categorical[:, code_index] = np.tile(np.arange(k), rows)
    return {"noise": np.repeat(noise, k, axis=0), "categorical": categorical,
            "continuous": np.zeros((rows * k, spec.num_continuous), np.float32)}


def continuous_traversal(spec: LatentSpec, code_index: int,
                         values: Sequence[float] = tuple(np.linspace(-2.0, 2.0, 10)),
                         rows: int = 10, seed: int = 0) -> Dict[str, np.ndarray]:
    """Latents for a rows x len(values) grid sweeping continuous code `code_index`."""
    cols = len(values)
    noise, categorical = _fixed_latents(spec, rows, seed)
    if spec.num_categorical:  # One category per row, so the sweep is seen on each digit.
        categorical[:, 0] = np.arange(rows) % spec.categorical_codes[0].num_categories
    continuous = np.zeros((rows * cols, spec.num_continuous), np.float32)
    if not spec.num_categorical:
        continuous = np.repeat(_draw_continuous(spec, rows, seed), cols, axis=0)
    continuous[:, code_index] = np.tile(np.asarray(values, np.float32), rows)
    return {"noise": np.repeat(noise, cols, axis=0),
            "categorical": np.repeat(categorical, cols, axis=0), "continuous": continuous}


def traversals(spec: LatentSpec, rows: int = 10, seed: int = 0):
    """Yields (code name, latents dict, columns) for every code of the spec."""
    names = spec.code_names()
    for i, code in enumerate(spec.codes):
        if code.kind == CATEGORICAL:
            yield names[i], categorical_traversal(spec, i, rows, seed), code.num_categories
        else:
            j = i - spec.num_categorical
            yield names[i], continuous_traversal(spec, j, rows=rows, seed=seed), 10
