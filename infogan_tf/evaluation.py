"""Measurements of a trained InfoGAN: codes as classifier, codes as factors, samples.

Each function takes restored networks (model_io.TrainedModel) and data and
returns JSON-ready numbers; `evaluate_run.evaluate` strings them together.
All network calls use inference mode (batch-norm moving averages).
"""

from typing import Dict, Optional, Sequence

import numpy as np
import tensorflow as tf

from infogan_tf import classifier as classifier_lib
from infogan_tf import digit_measures
from infogan_tf import losses
from infogan_tf import metrics
from infogan_tf import networks
from infogan_tf import visualize
from infogan_tf.data import ImageData, scale_images
from infogan_tf.latent import LatentBatch, LatentSpec
from infogan_tf.model_io import TrainedModel

SWEEP_LOW, SWEEP_HIGH = -2.0, 2.0  # The paper's Figure 2 range (trained on Unif(-1, 1)).


def generate(model: TrainedModel, latents: Dict[str, np.ndarray],
             batch_size: int = 500) -> np.ndarray:
    """G's images [N, H, W, C], in the architecture's output range, for a latents dict."""
    spec = model.config.latent
    inputs = spec.generator_input(LatentBatch(**{k: tf.constant(v) for k, v in latents.items()}))
    return np.concatenate([model.generator(inputs[i:i + batch_size], training=False).numpy()
                           for i in range(0, int(inputs.shape[0]), batch_size)])


def discriminate(model: TrainedModel, images: np.ndarray,
                 batch_size: int = 500) -> networks.DiscriminatorOutputs:
    """D/Q's outputs for images already in G's output range, concatenated over batches."""
    parts = [model.discriminator(tf.constant(images[i:i + batch_size]), training=False)
             for i in range(0, len(images), batch_size)]
    joined = {key: tf.concat([p[key] for p in parts], axis=0) for key in parts[0]}
    return networks.split_discriminator_outputs(joined, model.config.latent)


def real_images(model: TrainedModel, data: ImageData) -> np.ndarray:
    """uint8 dataset images scaled to G's output range, as the trainer feeds them."""
    return scale_images(data.images, model.architecture.output_range).numpy()


def sample_latents(spec: LatentSpec, count: int, seed: int) -> Dict[str, np.ndarray]:
    """`count` latents drawn from the priors with a fixed seed."""
    batch = spec.sample(tf.random.Generator.from_seed(seed), count)
    return {key: value.numpy() for key, value in batch._asdict().items()}


def categorical_as_classifier(model: TrainedModel, test: ImageData) -> Dict[str, dict]:
    """Per categorical code: Q's argmax on the test images scored against the labels.

    Returns:
      code name -> metrics.clustering_scores (+ test_images), e.g. {"c1": {...}}.
    """
    outputs = discriminate(model, real_images(model, test))
    names = model.config.latent.code_names()
    results = {}
    for i, logits in enumerate(outputs.categorical_logits):
        predicted = np.argmax(logits.numpy(), axis=1)
        scores = metrics.clustering_scores(test.labels, predicted)
        scores["test_images"] = int(len(predicted))
        scores["label_free"] = metrics.label_free_code_scores(logits.numpy())
        results[names[i]] = scores
    return results


def information_bounds(model: TrainedModel, latents: Dict[str, np.ndarray],
                       images: np.ndarray) -> Dict[str, float]:
    """Each code's L_I lower bound (nats) on generated images, Q in inference mode."""
    config = model.config
    outputs = discriminate(model, images)
    batch = LatentBatch(**{k: tf.constant(v) for k, v in latents.items()})
    bounds = losses.mutual_information_lower_bound(
        config.latent, batch, outputs.categorical_logits, outputs.continuous_mean,
        outputs.continuous_log_std, config.learn_continuous_std, config.continuous_std_floor)
    return {name: float(tf.reduce_mean(value)) for name, value in bounds.items()}


def sweep_values(count: int) -> np.ndarray:
    """`count` code values evenly spaced from SWEEP_LOW to SWEEP_HIGH (-2 to 2)."""
    return np.linspace(SWEEP_LOW, SWEEP_HIGH, count)


def continuous_codes(model: TrainedModel, rows: int, values: Sequence[float],
                     seed: int) -> dict:
    """Sweeps each continuous code over `values` for `rows` fixed (z, c) and measures slant,
    stroke width and (a diagnostic, not used to name codes) breadth.

    With a categorical code each measure also has rho per category of the first one
    ("by_group", category index -> mean rho): Q's bound is unchanged when a continuous
    code turns some digits one way and the rest the other, and the overall rho then hides it.

    Returns:
      {"codes": {name: {"slant": sweep_correlations, "width": ..., "breadth": ...}},
       "names": {"rotation": name, "width": name}, "rows": rows, "values": [...]}.
    """
    spec = model.config.latent
    names = spec.code_names()[spec.num_categorical:]
    value_range = model.architecture.output_range
    per_code = {}
    for j, name in enumerate(names):
        latents = visualize.continuous_traversal(spec, j, values=values, rows=rows, seed=seed)
        measured = digit_measures.measure_images(generate(model, latents), value_range)
        # Each row keeps one category of the first categorical code (the digit).
        groups = latents["categorical"][::len(values), 0] if spec.num_categorical else None
        per_code[name] = {kind: digit_measures.sweep_correlations(
            values, measured[kind].reshape(rows, len(values)), groups)
            for kind in ("slant", "width", "breadth")}
    return {"codes": per_code, "names": digit_measures.name_codes(per_code), "rows": rows,
            "values": [float(v) for v in values]}


def sample_quality(model: TrainedModel, classifier: classifier_lib.ReferenceClassifier,
                   generated: np.ndarray, test: ImageData, train: ImageData,
                   seed: int) -> dict:
    """Classifier score and Frechet distance of generated images, and of real ones.

    The real reference compares as many training images (a fixed random
    subset) as there are test images with the test images: the distance two
    samples of the true distribution have, the floor a generator can reach.
    """
    low, high = model.architecture.output_range
    fake_probs, fake_features = classifier.predict((generated - low) / (high - low))
    test_probs, test_features = classifier.predict(classifier_lib.to_unit_range(test.images))
    subset = np.random.RandomState(seed).permutation(len(train.images))[:len(test.images)]
    _, train_features = classifier.predict(classifier_lib.to_unit_range(train.images[subset]))
    return {
        "classifier_test_accuracy": classifier.info["test_accuracy"],
        "classifier": {k: classifier.info[k] for k in ("settings", "sha256", "test_examples")},
        "generated": {"images": int(len(generated)),
                      "classifier_score": metrics.classifier_score(fake_probs),
                      "frechet_distance": metrics.feature_frechet_distance(fake_features,
                                                                           test_features),
                      "class_histogram": np.bincount(fake_probs.argmax(axis=1),
                                                     minlength=fake_probs.shape[1]).tolist()},
        "real": {"images": int(len(subset)),
                 "classifier_score": metrics.classifier_score(test_probs),
                 "frechet_distance": metrics.feature_frechet_distance(train_features,
                                                                      test_features)},
    }


def generated_categories(model: TrainedModel, classifier: classifier_lib.ReferenceClassifier,
                         num_images: int, seed: int) -> Dict[str, dict]:
    """Per categorical code: which label the reference classifier gives G's images of each category.

    Separates the two ways c1 can fail as a classifier: G's categories may not be
    digit classes (low accuracy here), or they are but Q misreads real digits
    (high accuracy here, low `categorical_as_classifier` accuracy). Other inputs
    are drawn from their priors; labels come from the classifier, not the data.

    Args:
      num_images: generated images per code, split evenly over its categories.

    Returns:
      code name -> metrics.clustering_scores of (classifier label, category), plus
      "images_per_category".
    """
    spec = model.config.latent
    names = spec.code_names()
    low, high = model.architecture.output_range
    results = {}
    for i, code in enumerate(spec.categorical_codes):
        k = code.num_categories
        per_category = max(1, num_images // k)
        latents = sample_latents(spec, per_category * k, seed)
        categories = np.arange(per_category * k) % k
        latents["categorical"] = latents["categorical"].copy()
        latents["categorical"][:, i] = categories
        probabilities, _ = classifier.predict((generate(model, latents) - low) / (high - low))
        scores = metrics.clustering_scores(probabilities.argmax(axis=1), categories)
        scores["images_per_category"] = per_category
        results[names[i]] = scores
    return results


def category_order(cluster_to_label: Optional[Dict[str, int]], num_categories: int):
    """Categories sorted by their matched label; unmatched ones last. Also the column labels."""
    if not cluster_to_label:
        return list(range(num_categories)), [f"k{k}" for k in range(num_categories)]
    matched = {int(k): v for k, v in cluster_to_label.items()}
    order = sorted(range(num_categories), key=lambda k: (matched.get(k, 10 ** 9), k))
    return order, [str(matched[k]) if k in matched else f"k{k}" for k in order]
