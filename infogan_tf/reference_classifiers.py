"""Which reference classifier scored each seed of a study, for the MNIST report.

Each machine trains its own reference classifier (classifier.py), and a study
that continues across machines (docs/studies/) collects seeds scored by each.
Their saved files always differ (the .keras archive records when it was
written), so classifiers are told apart by what they measure on real data:
test accuracy, and the classifier score and Fréchet distance of the real
images. Where those agree (as they did, to every digit, across the machines of
docs/studies/study_restarts), the seeds' scores are comparable and the report
says nothing; where they differ, it labels each seed's sample-quality cells
with its classifier (A, B, ...) and describes each with its own real-data floor.
"""

import string
from typing import Dict, List, Tuple


def _fingerprint(run: dict) -> Tuple[float, ...]:
    quality = run["metrics"].get("sample_quality")
    if not quality:
        return ()
    return tuple(round(float(v), 6) for v in (quality["classifier_test_accuracy"],
                                             quality["real"]["classifier_score"],
                                             quality["real"]["frechet_distance"]))


def classifier_labels(seeds: List[dict]) -> Dict[int, str]:
    """Seed -> "A", "B", ... by the classifier that scored it (its real-data scores), in
    order of first use; every seed "" when one classifier (or none) scored them all."""
    prints = {run["seed"]: _fingerprint(run) for run in seeds}
    order = list(dict.fromkeys(p for p in prints.values() if p))
    if len(order) <= 1:
        return {seed: "" for seed in prints}
    return {seed: string.ascii_uppercase[order.index(p)] if p else ""
            for seed, p in prints.items()}


def labelled(cell: str, label: str) -> str:
    """A sample-quality cell with its classifier's label, if the study has several."""
    return f"{cell} ({label})" if label and cell != "–" else cell


def _description(quality: dict) -> str:
    return (f"scores **{quality['classifier_test_accuracy']:.2%}** on the "
            f"{quality['classifier']['test_examples']:,} test images. Real data through the "
            f"same classifier: classifier score {quality['real']['classifier_score']:.2f} (test "
            f"images; max 10), Fréchet distance {quality['real']['frechet_distance']:.2f} "
            f"between {quality['real']['images']:,} training images and the test images (the "
            f"floor a generator can reach)")


def reference_section(seeds: List[dict]) -> List[str]:
    """The report's "Sample-quality reference" section: the classifier (or each of them)."""
    with_quality = [r for r in seeds if "sample_quality" in r["metrics"]]
    if not with_quality:
        return []
    first = with_quality[0]["metrics"]["sample_quality"]
    lines = ["## Sample-quality reference", ""]
    intro = (f"The reference classifier (`infogan_tf/classifier.py`, settings "
             f"`{first['classifier']['settings']}`)")
    generated = (f"Generated: {first['generated']['images']:,} samples vs the test images.")
    labels = classifier_labels(with_quality)
    if not any(labels.values()):
        return lines + [f"{intro} {_description(first)}. {generated}", ""]
    lines += [f"{intro} was trained on each machine the study ran on, and they measure real "
              f"data differently, so classifier scores and Fréchet distances are comparable "
              f"only between seeds with the same letter, and their mean ± std mixes them.", ""]
    for label in sorted(set(labels.values()) - {""}):
        runs = [r for r in with_quality if labels[r["seed"]] == label]
        quality = runs[0]["metrics"]["sample_quality"]
        sha = quality["classifier"].get("sha256", "")[:12]
        lines.append(f"- **{label}** (sha256 {sha}, seeds "
                     f"{', '.join(str(r['seed']) for r in runs)}) {_description(quality)}.")
    return lines + ["", generated, ""]
