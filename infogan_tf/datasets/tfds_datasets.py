"""Datasets read through tensorflow-datasets (and SVHN's local .mat files).

tensorflow-datasets downloads and prepares a dataset once, on a machine that
is online, into `data_dir` (default ~/tensorflow_datasets); later loads are
offline. Examples are preprocessed one at a time while streaming, so only the
small, preprocessed arrays are ever held in memory:

| dataset   | tfds name    | train images | kept as     | memory  |
|-----------|--------------|-------------:|-------------|--------:|
| svhn      | svhn_cropped |       73,257 | 32x32x3     |  225 MB |
| celeb_a   | celeb_a      |      162,770 | 32x32x3     |  500 MB |
| smallnorb | smallnorb    |       24,300 | 32x32x1     |   25 MB |
| shapes3d  | shapes3d     |      480,000 | 32x32x1     |  490 MB |

(plus a transient copy of the same size while the batches are concatenated).
"""

import os
from typing import Callable, Optional, Sequence

import numpy as np
import tensorflow as tf

from infogan_tf.datasets.core import DataError, DatasetOptions, ImageData, register_dataset

# The usual CelebA crop for 64x64 GANs (DCGAN-tensorflow and most papers after it): the
# central 108x108 square of the aligned 218x178 image keeps the face and drops most
# background. It is then area-resized to 32x32, the paper's size.
CELEBA_CROP = 108
STREAM_BATCH = 1024


def _to_uint8(images: tf.Tensor) -> tf.Tensor:
    return tf.cast(tf.round(tf.clip_by_value(images, 0.0, 255.0)), tf.uint8)


def resize(images: tf.Tensor, size: int) -> tf.Tensor:
    """Area-averaging resize of uint8 images [..., H, W, C] to size x size, uint8."""
    return _to_uint8(tf.image.resize(tf.cast(images, tf.float32), [size, size], method="area"))


def center_crop_resize(images: tf.Tensor, crop: int = CELEBA_CROP, size: int = 32) -> tf.Tensor:
    """The central crop x crop square of [..., H, W, C] images, resized to size x size."""
    height, width = images.shape[-3], images.shape[-2]
    cropped = tf.image.crop_to_bounding_box(images, (height - crop) // 2, (width - crop) // 2,
                                            crop, crop)
    return resize(cropped, size)


def grey_resize(images: tf.Tensor, size: int = 32) -> tf.Tensor:
    """RGB -> luminance (ITU-R 601), then resized: the faces architecture's 32x32x1."""
    return resize(tf.image.rgb_to_grayscale(tf.cast(images, tf.float32)), size)


def load_examples(name: str, data_dir: Optional[str], split: str,
                  preprocess: Callable[[tf.Tensor], tf.Tensor],
                  label_key: Optional[str] = None,
                  factor_keys: Sequence[str] = ()) -> ImageData:
    """Streams a tfds dataset through `preprocess` into one in-memory ImageData.

    Args:
      name: the tensorflow-datasets name.
      data_dir: tfds data_dir (None for its default).
      split: a tfds split name.
      preprocess: uint8 image -> uint8 image of the final shape, in TensorFlow ops.
      label_key: feature kept as the labels.
      factor_keys: features kept as ground-truth factors (names without "label_").

    Raises:
      DataError: the dataset is not prepared and cannot be downloaded, or is corrupt.
    """
    import tensorflow_datasets as tfds  # Imported lazily: slow, and offline runs never need it.
    keys = ([label_key] if label_key else []) + list(factor_keys)
    try:
        # INFOGAN_TF_NO_DOWNLOAD=1 (set by the tests and for offline machines) fails at once
        # instead of waiting out tfds' download retries when the data is not prepared.
        download = os.environ.get("INFOGAN_TF_NO_DOWNLOAD", "") in ("", "0")
        dataset = tfds.load(name, split=split, data_dir=data_dir, download=download)
        dataset = dataset.map(lambda ex: (preprocess(ex["image"]), {k: ex[k] for k in keys}),
                              num_parallel_calls=tf.data.AUTOTUNE).batch(STREAM_BATCH)
        images, columns = [], {k: [] for k in keys}
        for batch_images, batch_columns in tfds.as_numpy(dataset):
            images.append(batch_images)
            for key in keys:
                columns[key].append(batch_columns[key])
    except Exception as e:  # tfds raises many types: offline, not prepared, corrupt.
        raise DataError(
            f"tfds.load({name!r}, split={split!r}, data_dir={data_dir!r}) failed: "
            f"{type(e).__name__}: {str(e)[:300]}. Run once on a machine that is online so "
            f"tensorflow-datasets can download and prepare {name!r} into --data_dir, then copy "
            "that folder here.") from None
    if not images:
        raise DataError(f"tfds dataset {name!r} split {split!r} is empty")
    columns = {k: np.concatenate(v).astype(np.int64) for k, v in columns.items()}
    labels = columns.pop(label_key) if label_key else None
    factors = {k.replace("label_", ""): v for k, v in columns.items()} or None
    return ImageData(np.concatenate(images), labels, factors)


SVHN_MAT_FILES = {"train": "train_32x32.mat", "test": "test_32x32.mat"}


def read_svhn_mat(path: str) -> ImageData:
    """SVHN's official cropped-digits .mat file: X [32, 32, 3, N], y [N, 1] with 10 for '0'."""
    import scipy.io  # Only needed for local SVHN files.
    try:
        contents = scipy.io.loadmat(path)
        images = np.transpose(contents["X"], (3, 0, 1, 2))
        labels = contents["y"].reshape(-1).astype(np.int64) % 10
    except Exception as e:  # scipy raises ValueError, OSError, KeyError, ... for bad files.
        raise DataError(f"{path}: not a readable SVHN .mat file ({type(e).__name__}: {e}); "
                        "replace it with the official download") from None
    if images.shape[1:] != (32, 32, 3) or len(labels) != len(images):
        raise DataError(f"{path}: expected X of 32x32x3 images and one label each, found "
                        f"{images.shape} images and {labels.shape} labels")
    return ImageData(images.astype(np.uint8), labels)


@register_dataset("svhn", default_architecture="svhn")
def load_svhn(data_dir: Optional[str], split: str, options: DatasetOptions) -> ImageData:
    """SVHN cropped digits, 32x32x3: local train_32x32.mat / test_32x32.mat, else tfds."""
    if data_dir and os.path.exists(os.path.join(data_dir, SVHN_MAT_FILES[split])):
        return read_svhn_mat(os.path.join(data_dir, SVHN_MAT_FILES[split]))
    return load_examples("svhn_cropped", data_dir, split, tf.identity, label_key="label")


@register_dataset("celeb_a", default_architecture="svhn")
def load_celeb_a(data_dir: Optional[str], split: str, options: DatasetOptions) -> ImageData:
    """CelebA (aligned), central 108x108 crop resized to 32x32x3; no labels."""
    return load_examples("celeb_a", data_dir, split, center_crop_resize)


@register_dataset("smallnorb", default_architecture="faces")
def load_smallnorb(data_dir: Optional[str], split: str, options: DatasetOptions) -> ImageData:
    """smallNORB's left camera, 96x96 -> 32x32x1; factors azimuth, elevation, lighting."""
    return load_examples("smallnorb", data_dir, split, lambda image: resize(image, 32),
                         label_key="label_category",
                         factor_keys=("label_azimuth", "label_elevation", "label_lighting",
                                      "instance"))


@register_dataset("shapes3d", default_architecture="faces",
                  separate_test_split=False)
def load_shapes3d(data_dir: Optional[str], split: str, options: DatasetOptions) -> ImageData:
    """3D Shapes, 64x64x3 -> grey 32x32x1. tfds has one split: "test" reads it too."""
    return load_examples("shapes3d", data_dir, "train", grey_resize, label_key="label_shape",
                         factor_keys=("label_floor_hue", "label_wall_hue", "label_object_hue",
                                      "label_scale", "label_orientation"))

