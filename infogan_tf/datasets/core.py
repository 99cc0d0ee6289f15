"""What every dataset loader shares: the in-memory split, options, errors and the registry.

A loader returns a whole split as uint8 images [N, H, W, C] held in memory,
already preprocessed to the size its architecture takes. Labels and
ground-truth factors ride along for evaluation; training never reads them.
"""

import dataclasses
from typing import Callable, Dict, Optional, Tuple

import numpy as np

SPLITS = ("train", "test")
BASICPROP_NOISE = ("none", "foreground", "background", "both")


class DataError(Exception):
    """A dataset is missing, unreadable or malformed; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class ImageData:
    """One split held in memory.

    Attributes:
      images: uint8 [N, H, W, C].
      labels: int64 [N] class labels, or None. Never given to training.
      factors: ground-truth generative factors, name -> int64 [N] class indices
        (dSprites, smallNORB, Shapes3D, BasicProp), or None. Only for evaluation.
    """

    images: np.ndarray
    labels: Optional[np.ndarray]
    factors: Optional[Dict[str, np.ndarray]] = None

    def factor_matrix(self) -> Tuple[Tuple[str, ...], np.ndarray]:
        """The ground-truth factors that vary, as (names, int64 classes [N, n_factors]).

        Factors with a single value (dSprites colour) say nothing about an image and
        are left out. Raises DataError if the split has no varying factor.
        """
        names = tuple(name for name, values in (self.factors or {}).items()
                      if np.unique(values).size > 1)
        if not names:
            raise DataError("these images have no ground-truth factors that vary")
        return names, np.stack([np.asarray(self.factors[name], np.int64) for name in names],
                               axis=1)


@dataclasses.dataclass(frozen=True)
class DatasetOptions:
    """Settings some loaders need besides the name, folder and split.

    Attributes:
      image_shape: (H, W, C) to resize a `folder` dataset to (the architecture's shape).
      basicprop_noise: "none", "foreground", "background" or "both": pixel noise of
        the generated BasicProp images (seed 004 needed foreground noise to train).
    """

    image_shape: Optional[Tuple[int, int, int]] = None
    basicprop_noise: str = "foreground"


Loader = Callable[[Optional[str], str, DatasetOptions], ImageData]


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """A registered dataset: how to load it and which architecture fits it by default."""

    name: str
    loader: Loader
    default_architecture: str
    separate_test_split: bool = True


_DATASETS: Dict[str, DatasetInfo] = {}


def register_dataset(name: str, default_architecture: str, separate_test_split: bool = True):
    """Decorator registering `loader(data_dir, split, options) -> ImageData` under `name`.

    `separate_test_split=False` marks a dataset whose "test" split reads the training
    images again (it has no held-out images).
    """
    def register(loader: Loader) -> Loader:
        _DATASETS[name] = DatasetInfo(name, loader, default_architecture, separate_test_split)
        return loader
    return register


def dataset_names() -> Tuple[str, ...]:
    return tuple(sorted(_DATASETS))


def has_separate_test_split(name: str) -> bool:
    """Whether the dataset's "test" split holds images training never sees."""
    return _info(name).separate_test_split


def default_architecture(name: str) -> str:
    """The architecture a dataset's images fit, e.g. svhn -> svhn, celeb_a -> svhn."""
    return _info(name).default_architecture


def load_dataset(name: str, data_dir: Optional[str], split: str = "train",
                 options: Optional[DatasetOptions] = None) -> ImageData:
    """Loads a registered dataset split into memory.

    Args:
      name: a registered dataset name (see `dataset_names()`).
      data_dir: folder with local files, or the tensorflow-datasets data_dir.
      split: "train" or "test".
      options: loader settings (image shape for `folder`, BasicProp noise).

    Raises:
      DataError: unknown name or split, or data that is missing or unreadable.
    """
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; expected one of {SPLITS}")
    return _info(name).loader(data_dir, split, options or DatasetOptions())


def _info(name: str) -> DatasetInfo:
    if name not in _DATASETS:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(dataset_names())}")
    return _DATASETS[name]
