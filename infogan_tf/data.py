"""The stable import path of the data API; the loaders live in `infogan_tf.datasets`."""

from infogan_tf.datasets import (BASICPROP_NOISE, MNIST_FILES, SPLITS, DataError,  # noqa: F401
                                 DatasetOptions, ImageData, dataset_names,
                                 default_architecture, has_separate_test_split, load_dataset,
                                 load_mnist, read_idx, register_dataset, scale_images,
                                 training_dataset)
