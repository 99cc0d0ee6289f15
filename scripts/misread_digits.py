"""Which real test digits does c1 misread, and what does G draw where they go? Prints JSON.

For a trained MNIST run, Q's argmax category of the first categorical code on the
10,000 test images is matched to the labels one-to-one (Hungarian, as `evaluate`
does). For each of the `--top` largest confusions (digit A read as the category
matched to digit B) three grids of up to 64 images are written to OUTPUT_DIR:
- real_A_read_as_B.png: test images of A that Q puts in B's category;
- real_A_read_as_A.png: test images of A that Q reads correctly, to compare;
- generated_B.png, generated_A.png: G's samples of B's and of A's category (noise seed 0).
Labels are read only here, after training, as in `evaluate`.

Usage: python scripts/misread_digits.py MODEL_DIR OUTPUT_DIR [CHECKPOINT] [--top=N]
(used for docs/results_notes.md, "What the clean runs lose").
"""

import json
import os
import sys
from typing import Dict, List, Tuple

import numpy as np

from infogan_tf import data as data_lib
from infogan_tf import evaluation, image_grid, metrics, model_io

GRID_SIDE = 8
GENERATED_SAMPLES = 2000


def largest_confusions(labels: np.ndarray, clusters: np.ndarray,
                       top: int) -> Tuple[Dict[int, int], List[Tuple[int, int, int]]]:
    """The Hungarian cluster -> label mapping and metrics.largest_confusions."""
    counts = metrics.contingency_matrix(labels, clusters)
    return metrics.hungarian_mapping(counts), metrics.largest_confusions(counts, top)


def _save(images: np.ndarray, path: str, output_range) -> None:
    """Up to GRID_SIDE**2 images as one grid, the unused cells left black."""
    cells = GRID_SIDE * GRID_SIDE
    shown = images[:cells]
    filler = np.full((cells - len(shown),) + images.shape[1:], output_range[0], images.dtype)
    grid = image_grid.tile_grid(np.concatenate([shown, filler]), GRID_SIDE, GRID_SIDE,
                                output_range=output_range)
    image_grid.save_png(grid, path)


def report(model_dir: str, output_dir: str, checkpoint=None, top: int = 3) -> dict:
    """Writes the grids described in the module docstring; returns the counts.

    Raises:
      ValueError: the run has no categorical code, or its test images no labels.
    """
    model = model_io.load_trained_model(model_dir, checkpoint)
    if not model.config.latent.num_categorical:
        raise ValueError(f"{model_dir}: the run has no categorical code to compare with the "
                         "labels")
    test = data_lib.load_dataset(model.config.dataset, model.config.data_dir, "test",
                                 model.config.dataset_options())
    if test.labels is None:
        raise ValueError(f"--dataset={model.config.dataset} has no labels to compare c1 with")
    real = evaluation.real_images(model, test)
    predicted = np.argmax(evaluation.discriminate(model, real).categorical_logits[0].numpy(),
                          axis=1)
    mapping, confusions = largest_confusions(test.labels, predicted, top)
    cluster_of = {label: cluster for cluster, label in mapping.items()}
    latents = evaluation.sample_latents(model.config.latent, GENERATED_SAMPLES, seed=0)
    generated = evaluation.generate(model, latents)
    drawn = latents["categorical"][:, 0]
    output_range = model.architecture.output_range
    os.makedirs(output_dir, exist_ok=True)
    for label, read_as, _ in confusions:
        for shown_as in (read_as, label):
            chosen = (test.labels == label) & (predicted == cluster_of[shown_as])
            _save(real[chosen], os.path.join(output_dir, f"real_{label}_read_as_{shown_as}.png"),
                  output_range)
            _save(generated[drawn == cluster_of[shown_as]],
                  os.path.join(output_dir, f"generated_{shown_as}.png"), output_range)
    return {"checkpoint": model.checkpoint_path, "step": model.step,
            "accuracy": metrics.hungarian_accuracy(test.labels, predicted),
            "test_images_per_label": np.bincount(test.labels).tolist(),
            "largest_confusions": [{"digit": a, "read_as": b, "count": n}
                                   for a, b, n in confusions]}


def main(argv: List[str]) -> None:
    top = [int(a.split("=", 1)[1]) for a in argv if a.startswith("--top=")]
    positional = [a for a in argv if not a.startswith("--")]
    if len(positional) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[-1].splitlines()[0])
    try:
        print(json.dumps(report(*positional, top=top[-1] if top else 3), indent=1))
    except ValueError as e:
        sys.exit(f"misread_digits: {e}")


if __name__ == "__main__":
    main(sys.argv[1:])
