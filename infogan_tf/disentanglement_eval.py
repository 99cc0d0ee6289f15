"""The disentanglement metrics of a trained run on the real images of a dataset with factors.

`python -m infogan_tf.evaluate --metrics=factorvae,mig,dci,sap` on a dSprites run
(or any dataset whose loader keeps ground-truth factors) encodes the dataset's
real images with Q, in inference mode: the argmax of each categorical head and
the mean of each continuous code are the codes, one column each. The factors
that vary (dSprites: shape, scale, orientation, x and y position; the constant
colour is left out) are the classes of the same images, and are used only here.
The scores are the functions of `disentanglement.py` and
`disentanglement_linear.py` with their disentanglement_lib defaults; each metric
draws from its own `np.random.RandomState` seeded from (--seed, metric), so the
value of one does not depend on which others were asked for.
"""

from typing import Dict, Sequence, Tuple

import numpy as np

from infogan_tf import disentanglement
from infogan_tf import disentanglement_linear
from infogan_tf import evaluation
from infogan_tf.data import ImageData, scale_images
from infogan_tf.model_io import TrainedModel

METRICS = ("factorvae", "mig", "dci", "sap")
HEADLINE = ("factorvae_score", "mig", "dci_disentanglement", "dci_completeness", "sap")
_NEEDS_TWO_CODES = ("mig", "sap")


class DisentanglementError(ValueError):
    """Metrics asked for that cannot be computed; the message says why."""


def check_metric_names(metrics: Sequence[str]) -> None:
    """Refuses names that are not in METRICS."""
    unknown = [name for name in metrics if name not in METRICS]
    if unknown:
        raise DisentanglementError(f"--metrics: unknown metric {', '.join(unknown)}; "
                                   f"choose from {', '.join(METRICS)}")


def check_metrics(metrics: Sequence[str], dataset: str, data: ImageData, num_codes: int) -> None:
    """Refuses metrics on a dataset without factors, or on a run with too few codes.

    Called before anything slow runs, so a bad --metrics costs seconds.
    """
    if not metrics:
        return
    if not data.factors:
        raise DisentanglementError(
            f"--metrics={','.join(metrics)} needs ground-truth factors, and --dataset="
            f"{dataset} has none; use it on a dSprites run (or leave --metrics out)")
    short = [name for name in metrics if name in _NEEDS_TWO_CODES and num_codes < 2]
    if num_codes < 1 or short:
        raise DisentanglementError(
            f"--metrics={','.join(short or metrics)} needs at least "
            f"{2 if short else 1} latent codes; the run has {num_codes}")


def encode(model: TrainedModel, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Q's codes of uint8 images [N, H, W, C] -> float64 [N, n_codes].

    Columns follow the run's code order: the argmax of each categorical code, then
    the continuous means. Images are scaled batch by batch (all of dSprites as
    float32 would take 1 GB).
    """
    parts = []
    for start in range(0, len(images), batch_size):
        scaled = scale_images(images[start:start + batch_size],
                              model.architecture.output_range).numpy()
        outputs = evaluation.discriminate(model, scaled, batch_size)
        columns = [np.argmax(logits.numpy(), axis=1)[:, None].astype(np.float64)
                   for logits in outputs.categorical_logits]
        if outputs.continuous_mean is not None:
            columns.append(outputs.continuous_mean.numpy().astype(np.float64))
        parts.append(np.concatenate(columns, axis=1))
    return np.concatenate(parts)


def _factor_vae(codes, factors, rng) -> Tuple[dict, dict]:
    scores = disentanglement.factor_vae_score(codes, factors, rng)
    settings = {"batch_size": disentanglement.FACTOR_VAE_BATCH_SIZE,
                "num_train": disentanglement.FACTOR_VAE_NUM_TRAIN,
                "num_eval": disentanglement.FACTOR_VAE_NUM_EVAL,
                "num_variance_estimate": disentanglement.FACTOR_VAE_NUM_VARIANCE_ESTIMATE}
    return {"factorvae_score": scores["eval_accuracy"]}, dict(scores, settings=settings)


def _mig(codes, factors, rng) -> Tuple[dict, dict]:
    scores = disentanglement.mutual_information_gap(codes, factors, rng)
    settings = {"num_train": disentanglement.MIG_NUM_TRAIN, "num_bins": disentanglement.NUM_BINS}
    return {"mig": scores["mig"]}, dict(scores, settings=settings)


def _dci(codes, factors, rng) -> Tuple[dict, dict]:
    scores = disentanglement_linear.dci(codes, factors, rng)
    settings = {"num_train": disentanglement_linear.DCI_NUM_TRAIN,
                "importance": "lasso", "lasso_alpha": disentanglement_linear.LASSO_ALPHA}
    return ({"dci_disentanglement": scores["disentanglement"],
             "dci_completeness": scores["completeness"]}, dict(scores, settings=settings))


def _sap(codes, factors, rng) -> Tuple[dict, dict]:
    scores = disentanglement_linear.sap_score(codes, factors, rng)
    settings = {"num_train": disentanglement_linear.SAP_NUM_TRAIN,
                "num_test": disentanglement_linear.SAP_NUM_TEST,
                "classifier": "LinearSVC", "svc_C": disentanglement_linear.SAP_SVC_C}
    return {"sap": scores["sap"]}, dict(scores, settings=settings)


_SCORERS = {"factorvae": _factor_vae, "mig": _mig, "dci": _dci, "sap": _sap}


def disentanglement_scores(model: TrainedModel, data: ImageData, metrics: Sequence[str],
                           seed: int, num_images: int = 0) -> Dict[str, object]:
    """The requested metrics of the run's codes against the images' factors.

    Args:
      model: the restored run.
      data: real images with `factors` (e.g. the dSprites subset).
      metrics: names from METRICS, validated by `check_metrics`.
      seed: seeds the image subset and each metric's RandomState.
      num_images: encode a random subset of this many images (0 = all).

    Returns:
      {"factorvae_score": ..., "mig": ..., "dci_disentanglement": ...,
       "dci_completeness": ..., "sap": ... (those requested), "images": N,
       "factors": names, "codes": names, "metrics": [...], "details": per metric
       (vote matrices, mutual information, importances, accuracies, settings)}.
    """
    names, factors = data.factor_matrix()
    rows = np.arange(len(data.images))
    if num_images and num_images < len(rows):
        rows = np.sort(np.random.RandomState(seed).permutation(len(rows))[:num_images])
    codes = encode(model, data.images[rows])
    result = {"images": int(len(rows)), "factors": list(names),
              "codes": list(model.config.latent.code_names()),
              "metrics": [m for m in METRICS if m in metrics], "seed": seed, "details": {}}
    for index, name in enumerate(METRICS):
        if name in metrics:
            headline, details = _SCORERS[name](codes, factors[rows],
                                               np.random.RandomState([seed, index + 1]))
            result.update(headline)
            result["details"][name] = details
    return result
