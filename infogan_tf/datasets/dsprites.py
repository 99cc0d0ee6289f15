"""dSprites (Matthey et al. 2017): 64x64x1 binary sprites with 5 known generative factors.

Read from an .npz in --data_dir (the official
dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz, 737,280 images = 3 GB in memory,
or the 64,834-image dsprites_subset.npz of ../shared/data/dsprites = 265 MB), else
from tfds `dsprites`. dSprites has no test split: "test" reads the same images,
as disentanglement metrics are computed on the training distribution.
The factors (shape, scale, orientation, x/y position, as class indices) are kept
for evaluation; training only sees the images.
"""

import os
from typing import Optional

import numpy as np

from infogan_tf.datasets import tfds_datasets
from infogan_tf.datasets.core import DataError, DatasetOptions, ImageData, register_dataset

NPZ_FILES = ("dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz", "dsprites_subset.npz")
# Columns of the npz's latents_classes; column 0 (colour) is always white.
FACTOR_COLUMNS = {"shape": 1, "scale": 2, "orientation": 3, "x_position": 4, "y_position": 5}


def binary_to_uint8(images: np.ndarray) -> np.ndarray:
    """dSprites pixels are 0/1 (or 0/255): any lit pixel becomes 255, the rest 0."""
    return (np.asarray(images) > 0).view(np.uint8) * np.uint8(255)


def read_dsprites_npz(path: str) -> ImageData:
    """Images [N, 64, 64, 1] uint8 0/255 and the factor classes of a dSprites .npz."""
    try:
        with np.load(path) as contents:  # Plain arrays: no pickle needed.
            images = binary_to_uint8(contents["imgs"])[..., None]
            classes = contents["latents_classes"].astype(np.int64)
    except Exception as e:  # np.load raises OSError, ValueError, KeyError, zipfile errors.
        raise DataError(f"{path}: not a readable dSprites .npz ({type(e).__name__}: {e}); "
                        "it needs the arrays imgs and latents_classes") from None
    if images.shape[1:] != (64, 64, 1) or classes.shape != (len(images), 6):
        raise DataError(f"{path}: expected imgs [N, 64, 64] and latents_classes [N, 6], "
                        f"found {images.shape[:3]} and {classes.shape}")
    factors = {name: classes[:, column] for name, column in FACTOR_COLUMNS.items()}
    return ImageData(images, factors["shape"], factors)


@register_dataset("dsprites", default_architecture="dsprites", separate_test_split=False)
def load_dsprites(data_dir: Optional[str], split: str, options: DatasetOptions) -> ImageData:
    """dSprites from a local .npz in data_dir, else tfds (its only split, "train")."""
    for name in NPZ_FILES if data_dir else ():
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return read_dsprites_npz(path)
    try:
        data = tfds_datasets.load_examples(
            "dsprites", data_dir, "train", lambda image: image, label_key="label_shape",
            factor_keys=tuple(f"label_{name}" for name in FACTOR_COLUMNS if name != "shape"))
    except DataError as e:
        raise DataError(f"dSprites not found. Looked for {' or '.join(NPZ_FILES)} in "
                        f"{data_dir or '(no --data_dir given)'}, then tried tensorflow-datasets: "
                        f"{e}") from None
    factors = dict(data.factors, shape=data.labels)
    return ImageData(binary_to_uint8(data.images), data.labels, factors)
