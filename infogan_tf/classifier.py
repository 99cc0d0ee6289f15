"""The reference classifier behind the sample-quality metrics, trained once and cached.

A small CNN (conv32-BN-pool, conv64-BN-pool, FC128, softmax) is trained with
labels on a dataset's training split; its softmax gives the classifier score
and its 128-unit penultimate layer the features of the Frechet distance. It
never sees InfoGAN's training or its codes.

The cache is a folder (`--classifier_dir`) holding `<dataset>_classifier.keras`
and `<dataset>_classifier.json`: the training settings, the test accuracy and
the model file's SHA-256. Loading checks all three (and re-measures the test
accuracy), so a modified, truncated or differently trained file is refused
with a message instead of silently changing every later score.
"""

import dataclasses
import hashlib
import json
import os
from typing import Callable, Dict, NamedTuple, Tuple

import keras
import numpy as np

from infogan_tf.data import ImageData

FEATURES = "features"
PROBABILITIES = "probabilities"
_ACCURACY_TOLERANCE = 0.002  # Re-measured accuracy may differ by float order on other CPUs.


class ClassifierError(Exception):
    """The cached classifier is unusable; the message says why and what to do."""


@dataclasses.dataclass(frozen=True)
class ClassifierSettings:
    """How the reference classifier is trained.

    Attributes:
      epochs: passes over the training examples.
      batch_size: examples per Adam step.
      learning_rate: Adam's initial learning rate, cosine-decayed to 0.
      train_examples: use only the first N training examples (0 = all; tests).
      seed: weight initialisation and shuffling seed.
    """

    epochs: int = 5
    batch_size: int = 128
    learning_rate: float = 1e-3
    train_examples: int = 0
    seed: int = 0


class ReferenceClassifier(NamedTuple):
    """A trained classifier and its record (settings, test accuracy, file hash)."""

    model: keras.Model
    info: dict

    def predict(self, images: np.ndarray, batch_size: int = 500) -> Tuple[np.ndarray, np.ndarray]:
        """Class probabilities [N, K] and penultimate features [N, 128] of images in [0, 1]."""
        outputs = self.model.predict(np.asarray(images, np.float32), batch_size=batch_size,
                                     verbose=0)
        return np.asarray(outputs[PROBABILITIES]), np.asarray(outputs[FEATURES])


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] images -> float32 [0, 1], the classifier's input."""
    return np.asarray(images, np.float32) / 255.0


def build_classifier(image_shape, num_classes: int) -> keras.Model:
    """The CNN; outputs a dict of probabilities and penultimate features."""
    images = keras.Input(shape=image_shape, name="images")
    x = images
    for filters in (32, 64):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation("relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    features = keras.layers.Dense(128, activation="relu", name=FEATURES)(x)
    x = keras.layers.Dropout(0.3)(features)
    probabilities = keras.layers.Dense(num_classes, activation="softmax",
                                       name=PROBABILITIES)(x)
    return keras.Model(images, {PROBABILITIES: probabilities, FEATURES: features},
                       name="reference_classifier")


def _paths(classifier_dir: str, dataset: str) -> Tuple[str, str]:
    stem = os.path.join(classifier_dir, f"{dataset}_classifier")
    return stem + ".keras", stem + ".json"


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def accuracy(classifier: ReferenceClassifier, data: ImageData) -> float:
    """The reference classifier's accuracy on labelled images."""
    probabilities, _ = classifier.predict(to_unit_range(data.images))
    return float((probabilities.argmax(axis=1) == data.labels).mean())


def train_classifier(train_data: ImageData, settings: ClassifierSettings,
                     verbose: int = 0) -> keras.Model:
    """Fits the CNN on (a prefix of) the training split."""
    keras.utils.set_random_seed(settings.seed)
    count = settings.train_examples or len(train_data.images)
    images = to_unit_range(train_data.images[:count])
    labels = train_data.labels[:count]
    model = build_classifier(images.shape[1:], int(train_data.labels.max()) + 1)
    trainable = keras.Model(model.input, model.output[PROBABILITIES])
    steps = settings.epochs * -(-count // settings.batch_size)
    # Decaying to zero settles the weights (measured: 3 epochs at a constant rate 98.7%,
    # 5 epochs decayed 99.16% test accuracy).
    schedule = keras.optimizers.schedules.CosineDecay(settings.learning_rate, steps)
    trainable.compile(optimizer=keras.optimizers.Adam(schedule),
                      loss="sparse_categorical_crossentropy")
    trainable.fit(images, labels, batch_size=settings.batch_size, epochs=settings.epochs,
                  shuffle=True, verbose=verbose)
    return model


def load_or_train(classifier_dir: str, dataset: str, settings: ClassifierSettings,
                  load_split: Callable[[str], ImageData],
                  log: Callable[[str], None] = print) -> ReferenceClassifier:
    """The cached classifier for `dataset`, trained and cached first if absent.

    Args:
      classifier_dir: the cache folder.
      dataset: dataset name (one classifier per dataset).
      settings: training settings; a cache trained with others is refused.
      load_split: split name -> labelled ImageData ("train", "test").
      log: progress messages.

    Raises:
      ClassifierError: the cache exists but is incomplete, modified or was
        trained with other settings.
    """
    model_path, info_path = _paths(classifier_dir, dataset)
    test_data = load_split("test")
    if os.path.exists(model_path) or os.path.exists(info_path):
        return _load_validated(model_path, info_path, dataset, settings, test_data)
    log(f"training the {dataset} reference classifier (once; cached in {classifier_dir})")
    model = train_classifier(load_split("train"), settings, verbose=2 if log is print else 0)
    classifier = ReferenceClassifier(model, {})
    info = {"dataset": dataset, "settings": dataclasses.asdict(settings),
            "test_accuracy": accuracy(classifier, test_data),
            "test_examples": int(len(test_data.images)), "num_classes": _classes(model),
            "keras_version": keras.__version__}
    os.makedirs(classifier_dir, exist_ok=True)
    keras_tmp = model_path[:-len(".keras")] + ".tmp.keras"  # Keras insists on the suffix.
    model.save(keras_tmp)
    info["sha256"] = _sha256(keras_tmp)
    os.replace(keras_tmp, model_path)
    with open(info_path + ".tmp", "w") as f:
        json.dump(info, f, indent=2, sort_keys=True)
    os.replace(info_path + ".tmp", info_path)  # Written last: its presence marks a complete cache.
    log(f"reference classifier test accuracy: {info['test_accuracy']:.4f}")
    return ReferenceClassifier(model, info)


def _classes(model: keras.Model) -> int:
    return int(model.output[PROBABILITIES].shape[-1])


def _load_validated(model_path: str, info_path: str, dataset: str,
                    settings: ClassifierSettings, test_data: ImageData) -> ReferenceClassifier:
    fix = (f"To retrain it delete {model_path} and {info_path}, or pass another "
           "--classifier_dir.")
    info = _read_info(info_path, fix)
    if not os.path.exists(model_path):
        raise ClassifierError(f"{model_path} is missing but {info_path} exists. {fix}")
    if info.get("dataset") != dataset or info.get("settings") != dataclasses.asdict(settings):
        raise ClassifierError(
            f"{model_path} was trained for dataset {info.get('dataset')!r} with settings "
            f"{info.get('settings')}, but this run asks for {dataset!r} with "
            f"{dataclasses.asdict(settings)}. Use the same settings (--classifier_epochs, "
            f"--classifier_train_examples). {fix}")
    if _sha256(model_path) != info.get("sha256"):
        raise ClassifierError(f"{model_path} does not match the SHA-256 recorded in "
                              f"{info_path}: it was modified or is corrupt. {fix}")
    try:
        model = keras.models.load_model(model_path, compile=False)
    except Exception as e:  # Keras raises many types for unreadable archives.
        raise ClassifierError(f"{model_path} cannot be loaded ({type(e).__name__}: "
                              f"{str(e)[:200]}). {fix}") from None
    classifier = ReferenceClassifier(model, info)
    if (tuple(model.input.shape[1:]) != test_data.images.shape[1:]
            or _classes(model) != int(test_data.labels.max()) + 1):
        raise ClassifierError(f"{model_path} takes {tuple(model.input.shape[1:])} images and "
                              f"{_classes(model)} classes, which do not fit {dataset}. {fix}")
    measured = accuracy(classifier, test_data)
    if abs(measured - info["test_accuracy"]) > _ACCURACY_TOLERANCE:
        raise ClassifierError(f"{model_path} now scores {measured:.4f} on the test split, but "
                              f"{info['test_accuracy']:.4f} was recorded. {fix}")
    return classifier


def _read_info(info_path: str, fix: str) -> Dict:
    if not os.path.exists(info_path):
        raise ClassifierError(f"{info_path} is missing: the cached classifier is incomplete "
                              f"(an interrupted training?). {fix}")
    try:
        with open(info_path) as f:
            info = json.load(f)
    except (OSError, ValueError) as e:
        raise ClassifierError(f"{info_path} is unreadable ({e}). {fix}") from None
    if not isinstance(info, dict) or "test_accuracy" not in info:
        raise ClassifierError(f"{info_path} is not a classifier record. {fix}")
    return info

