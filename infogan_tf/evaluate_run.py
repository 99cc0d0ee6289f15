"""`evaluate(config)`: every measurement of a trained run, written as JSON, PNGs and TensorBoard.

Outputs, in `output_dir` (default <model_dir>/eval):
  metrics.json              all numbers (see README, "Evaluation")
  figure2_<code>.png        traversals: categories ordered by matched digit / sweeps -2..2
  contingency_<code>.png    test labels x categories
and the same numbers and images in <model_dir>/eval's TensorBoard events, at
the checkpoint's step.
"""

import dataclasses
import json
import os
import platform
import time
from typing import Callable, Optional, Tuple

import numpy as np
import tensorflow as tf

from infogan_tf import candidates
from infogan_tf import checkpointing
from infogan_tf import classifier as classifier_lib
from infogan_tf import data as data_lib
from infogan_tf import disentanglement_eval
from infogan_tf import evaluation
from infogan_tf import figures
from infogan_tf import image_grid
from infogan_tf import information_check
from infogan_tf import visualize
from infogan_tf.model_io import TrainedModel, load_trained_model


def default_classifier_dir() -> str:
    """$INFOGAN_TF_CACHE, else ~/.cache/infogan_tf: shared by every run of a dataset."""
    return os.environ.get("INFOGAN_TF_CACHE",
                          os.path.join(os.path.expanduser("~"), ".cache", "infogan_tf"))


@dataclasses.dataclass(frozen=True)
class EvalConfig:
    """What to evaluate and how much (see the evaluate command's flags)."""

    model_dir: str
    output_dir: Optional[str] = None
    data_dir: Optional[str] = None
    checkpoint_path: Optional[str] = None
    weights: Optional[str] = None  # model_io.load_trained_model's: None = the run's result.
    classifier_dir: Optional[str] = None
    classifier: classifier_lib.ClassifierSettings = classifier_lib.ClassifierSettings()
    num_samples: int = 10000
    max_test_images: int = 0
    sweep_rows: int = 500
    sweep_points: int = 9
    figure_rows: int = 10
    seed: int = 0
    metrics: Tuple[str, ...] = ()
    disentanglement_images: int = 0

    @property
    def resolved_output_dir(self) -> str:
        return self.output_dir or os.path.join(self.model_dir, "eval")


def _choice_records(config: EvalConfig) -> dict:
    """The run's candidate selection and late checkpoint choice, where it made them."""
    records = {}
    selection_path = os.path.join(config.model_dir, candidates.SELECTION_FILE)
    if os.path.exists(selection_path):
        with open(selection_path) as f:
            records["selection"] = json.load(f)
    final_choice_path = os.path.join(config.model_dir, checkpointing.FINAL_CHOICE_FILE)
    if not config.checkpoint_path and checkpointing.chosen_checkpoint(config.model_dir):
        with open(final_choice_path) as f:  # Why this checkpoint and not the latest.
            records["final_choice"] = json.load(f)
    return records


def evaluate(config: EvalConfig, log: Callable[[str], None] = print) -> dict:
    """Evaluates the run's latest (or given) checkpoint; returns what metrics.json holds."""
    start = time.time()
    disentanglement_eval.check_metric_names(config.metrics)
    model = load_trained_model(config.model_dir, config.checkpoint_path, config.weights)
    dataset = model.config.dataset
    data_dir = config.data_dir or model.config.data_dir
    all_test = data_lib.load_dataset(dataset, data_dir, "test")
    spec = model.config.latent
    disentanglement_eval.check_metrics(config.metrics, dataset, all_test, len(spec.codes))
    test = _limit(all_test, config.max_test_images)
    log(f"evaluating {model.checkpoint_path} (step {model.step}, {model.weights} weights) on "
        f"{len(test.images)} {dataset} test images")
    result = {"model_dir": config.model_dir, "checkpoint": model.checkpoint_path,
              "step": model.step, "weights": model.weights, "dataset": dataset,
              "latent_spec": spec.describe(),
              "run_config": model.config.to_dict(), "evaluation": _jsonable(config)}
    result.update(_choice_records(config))
    labelled = test.labels is not None
    classifier = None
    # Where "test" re-reads the training images (dSprites), the classifier would be scored
    # on its own training data and the real Frechet floor would compare images with themselves.
    if labelled and data_lib.has_separate_test_split(dataset):
        # First, so a refused classifier cache stops the run before the slow parts.
        classifier = classifier_lib.load_or_train(
            config.classifier_dir or default_classifier_dir(), dataset, config.classifier,
            lambda split: data_lib.load_dataset(dataset, data_dir, split), log)
    if spec.num_categorical and labelled:
        result["categorical"] = evaluation.categorical_as_classifier(model, test)
    generated, result["information"], result["information_check"] = _information(
        model, config, log)
    if spec.num_continuous and not test.factors:
        # Slant and stroke width describe digits; datasets with known factors are measured
        # against those instead (--metrics), and their sweeps stay in the Figure 2 panels.
        result["continuous"] = evaluation.continuous_codes(
            model, config.sweep_rows, evaluation.sweep_values(config.sweep_points), config.seed)
    if config.metrics:
        log(f"disentanglement metrics {','.join(config.metrics)} on "
            f"{config.disentanglement_images or len(all_test.images)} images")
        result["disentanglement"] = disentanglement_eval.disentanglement_scores(
            model, all_test, config.metrics, config.seed, config.disentanglement_images)
    if classifier:
        train = data_lib.load_dataset(dataset, data_dir, "train")
        result["sample_quality"] = evaluation.sample_quality(model, classifier, generated, test,
                                                             train, config.seed)
        if spec.num_categorical:
            result["generated_categories"] = evaluation.generated_categories(
                model, classifier, config.num_samples, config.seed)
    images = _figures(model, result, config)
    result["figures"] = sorted(images)
    result["environment"] = environment()
    result["wall_seconds"] = time.time() - start
    _write(config, model, result, images)
    return result


def _information(model: TrainedModel, config: EvalConfig, log: Callable[[str], None]):
    """Generated samples, Q's bound per code on them, and that bound against training's log."""
    latents = evaluation.sample_latents(model.config.latent, config.num_samples, config.seed)
    generated = evaluation.generate(model, latents)
    information = evaluation.information_bounds(model, latents, generated)
    check = information_check.compare(
        information, information_check.logged_information(config.model_dir, model.step))
    message = information_check.warning(check)
    if message:
        log(message)
    return generated, information, check


def _limit(data: data_lib.ImageData, count: int) -> data_lib.ImageData:
    if not count or count >= len(data.images):
        return data
    return data_lib.ImageData(data.images[:count],
                              None if data.labels is None else data.labels[:count])


def _jsonable(config: EvalConfig) -> dict:
    values = dataclasses.asdict(config)
    values["classifier_dir"] = config.classifier_dir or default_classifier_dir()
    values["output_dir"] = config.resolved_output_dir
    return values


def environment() -> dict:
    """Versions and machine, so a result can be traced to what produced it."""
    import keras
    import scipy
    return {"python": platform.python_version(), "tensorflow": tf.__version__,
            "keras": keras.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "platform": platform.platform(), "processor": platform.processor() or
            platform.machine(), "cpu_count": os.cpu_count(),
            "gpus": [d.name for d in tf.config.list_physical_devices("GPU")]}


def _figures(model: TrainedModel, result: dict, config: EvalConfig) -> dict:
    """name -> PIL image: Figure 2 panels per code and the contingency matrices."""
    spec = model.config.latent
    names = spec.code_names()
    rows = config.figure_rows
    output_range = model.architecture.output_range
    first = names[0] if spec.num_categorical else None
    mapping = result.get("categorical", {}).get(first, {}).get("cluster_to_label")
    images = {}
    for i, code in enumerate(spec.categorical_codes):
        k = code.num_categories
        own = result.get("categorical", {}).get(names[i], {}).get("cluster_to_label")
        order, labels = evaluation.category_order(own, k)
        latents = visualize.categorical_traversal(spec, i, rows=rows, seed=config.seed)
        pictures = evaluation.generate(model, latents).reshape((rows, k) + model.architecture
                                                                .image_shape)[:, order]
        grid = image_grid.tile_grid(pictures.reshape((-1,) + pictures.shape[2:]), rows, k,
                                   output_range=output_range)
        images[f"figure2_{names[i]}"] = figures.grid_image(
            grid, column_labels=labels, title=f"{names[i]}: categories ordered by matched label")
    first_order = (evaluation.category_order(mapping, spec.categorical_codes[0].num_categories)[0]
                   if spec.num_categorical else None)
    values = evaluation.sweep_values(10)
    for j in range(spec.num_continuous):
        name = names[spec.num_categorical + j]
        latents = visualize.continuous_traversal(spec, j, values=values, rows=rows,
                                                 seed=config.seed)
        if first_order is not None:  # Row r shows the category matched to the r-th label.
            latents["categorical"][:, 0] = np.asarray(first_order)[latents["categorical"][:, 0]]
        grid = image_grid.tile_grid(evaluation.generate(model, latents), rows, len(values),
                                   output_range=output_range)
        images[f"figure2_{name}"] = figures.grid_image(
            grid, column_labels=[f"{v:.1f}" for v in values], title=f"{name} from -2 to 2")
    for name, scores in result.get("categorical", {}).items():
        order, labels = evaluation.category_order(scores["cluster_to_label"],
                                                  len(scores["contingency"][0]))
        matrix = np.asarray(scores["contingency"])[:, order]
        images[f"contingency_{name}"] = figures.heat_map(
            matrix, [str(r) for r in range(matrix.shape[0])], labels, "label",
            f"{name} category (by matched label); accuracy {scores['accuracy']:.3f}")
    return images


def scalar_summaries(result: dict) -> dict:
    """TensorBoard tag -> value of the headline numbers."""
    scalars = {}
    for name, scores in result.get("categorical", {}).items():
        for key in ("accuracy", "nmi", "ari"):
            scalars[f"eval/{key}_{name}"] = scores[key]
        for key, value in scores.get("label_free", {}).items():
            if key != "max_entropy":
                scalars[f"eval/{key}_{name}"] = value
    for name, scores in result.get("generated_categories", {}).items():
        scalars[f"eval/generator_accuracy_{name}"] = scores["accuracy"]
    for name, value in result.get("information", {}).items():
        scalars[f"eval/mi_{name}"] = value
    for name, value in (result.get("information_check") or {}).get("drop", {}).items():
        scalars[f"eval/mi_drop_from_training_{name}"] = value
    for name, code in result.get("continuous", {}).get("codes", {}).items():
        for kind in ("slant", "width", "breadth"):
            if kind in code:  # Runs evaluated before breadth existed have no breadth.
                scalars[f"eval/spearman_{kind}_{name}"] = code[kind]["spearman"]
    for key in disentanglement_eval.HEADLINE:
        if key in result.get("disentanglement", {}):
            scalars[f"eval/{key}"] = result["disentanglement"][key]
    quality = result.get("sample_quality")
    if quality:
        for source in ("generated", "real"):
            for key in ("classifier_score", "frechet_distance"):
                scalars[f"eval/{key}_{source}"] = quality[source][key]
    return scalars


def _write(config: EvalConfig, model: TrainedModel, result: dict, images: dict) -> None:
    output_dir = config.resolved_output_dir
    os.makedirs(output_dir, exist_ok=True)
    for name, picture in images.items():
        figures.save_png(picture, os.path.join(output_dir, f"{name}.png"))
    path = os.path.join(output_dir, "metrics.json")
    with open(path + ".tmp", "w") as f:
        json.dump(result, f, indent=2, sort_keys=True, default=float)
    os.replace(path + ".tmp", path)  # metrics.json appears complete or not at all.
    writer = tf.summary.create_file_writer(os.path.join(config.model_dir, "eval"))
    with writer.as_default():
        for tag, value in scalar_summaries(result).items():
            if np.isfinite(value):
                tf.summary.scalar(tag, value, step=model.step)
        for name, picture in images.items():
            tf.summary.image(f"eval/{name}", figures.to_array(picture)[None], step=model.step)
    writer.flush()
