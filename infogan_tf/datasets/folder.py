"""Any folder of images: how users train on their own renders (3D chairs, faces).

Every .png/.jpg/.jpeg under --data_dir (nested folders included, sorted by path)
is read, converted to grey (C = 1) or RGB (C = 3), center-cropped to the target
aspect ratio and area-resized to the architecture's H x W. A file that cannot be
read stops the load with its path: silently training on part of the data would
be a wrong model nobody notices. There are no splits: "test" reads the same
images. Memory: N x H x W x C bytes (100,000 chairs at 64x64x1 = 410 MB).
"""

import os
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image

from infogan_tf.datasets.core import DataError, DatasetOptions, ImageData, register_dataset

EXTENSIONS = (".png", ".jpg", ".jpeg")


def list_images(data_dir: str) -> List[str]:
    """Paths of every image file under data_dir, recursively, in sorted order."""
    paths = []
    for root, dirs, files in os.walk(data_dir):
        dirs.sort()
        paths += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(EXTENSIONS)]
    return paths


def read_image(path: str, shape: Tuple[int, int, int]) -> np.ndarray:
    """One file as uint8 [H, W, C] of the given shape.

    Raises:
      DataError: the file is not a readable image.
    """
    height, width, channels = shape
    try:
        with Image.open(path) as image:
            image = image.convert("L" if channels == 1 else "RGB")
            image = _center_crop(image, width / height)
            image = image.resize((width, height), Image.Resampling.BOX)
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise DataError(f"{path}: cannot be read as an image ({type(e).__name__}: {e}); "
                        "remove or replace the file") from None
    return np.asarray(image, dtype=np.uint8).reshape(shape)


def _center_crop(image: Image.Image, aspect: float) -> Image.Image:
    width, height = image.size
    if width > aspect * height:  # Too wide: keep the central columns.
        new_width = max(1, round(aspect * height))
        left = (width - new_width) // 2
        return image.crop((left, 0, left + new_width, height))
    new_height = max(1, round(width / aspect))
    top = (height - new_height) // 2
    return image.crop((0, top, width, top + new_height))


@register_dataset("folder", default_architecture="faces", separate_test_split=False)
def load_folder(data_dir: Optional[str], split: str, options: DatasetOptions) -> ImageData:
    """Every image under data_dir, resized to options.image_shape; no labels."""
    if not data_dir:
        raise DataError("--dataset=folder needs --data_dir: the folder holding your images "
                        f"({', '.join(EXTENSIONS)}, nested folders allowed)")
    if options.image_shape is None:
        raise ValueError("the folder dataset needs DatasetOptions.image_shape "
                         "(TrainConfig.dataset_options() gives the architecture's)")
    if not os.path.isdir(data_dir):
        raise DataError(f"--data_dir={data_dir}: no such folder")
    paths = list_images(data_dir)
    if not paths:
        raise DataError(f"--data_dir={data_dir} holds no {'/'.join(EXTENSIONS)} images "
                        "(searched recursively)")
    shape = tuple(options.image_shape)
    images = np.empty((len(paths),) + shape, np.uint8)
    for i, path in enumerate(paths):
        images[i] = read_image(path, shape)
    return ImageData(images, None)
