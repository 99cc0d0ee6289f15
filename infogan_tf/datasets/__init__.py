"""Training and evaluation data: every dataset of the paper and of seed 004, by name.

| name                   | source                                       | images   | arch.   |
|------------------------|----------------------------------------------|----------|---------|
| `mnist`                | IDX files in --data_dir, else tfds           | 28x28x1  | mnist   |
| `fashion_mnist`        | IDX files (same names) in --data_dir, else tfds | 28x28x1 | mnist |
| `svhn`                 | train_32x32.mat in --data_dir, else tfds svhn_cropped | 32x32x3 | svhn |
| `celeb_a`              | tfds celeb_a, central 108x108 crop -> 32x32  | 32x32x3  | svhn    |
| `dsprites`             | .npz in --data_dir, else tfds dsprites       | 64x64x1  | dsprites|
| `smallnorb`            | tfds smallnorb, 96x96 -> 32x32               | 32x32x1  | faces   |
| `shapes3d`             | tfds shapes3d, grey, 64x64 -> 32x32          | 32x32x1  | faces   |
| `folder`               | every png/jpg under --data_dir, resized      | arch.'s  | faces   |
| `basicprop_line`       | generated in-process                         | 28x28x1  | mnist   |
| `basicprop_rectangles` | generated in-process                         | 28x28x1  | mnist   |

Each split is loaded whole into memory as uint8 (see each module for sizes);
`training_dataset` scales it to G's output range and streams it in an order
fixed by (seed, step).
"""

# Importing the loader modules registers their datasets.
from infogan_tf.datasets import basicprop, dsprites, folder, idx, tfds_datasets  # noqa: F401
from infogan_tf.datasets.core import (BASICPROP_NOISE, SPLITS, DataError, DatasetOptions,  # noqa: F401
                                      ImageData, dataset_names, default_architecture,
                                      has_separate_test_split, load_dataset, register_dataset)
from infogan_tf.datasets.idx import MNIST_FILES, load_mnist, read_idx  # noqa: F401
from infogan_tf.datasets.pipeline import scale_images, training_dataset  # noqa: F401
