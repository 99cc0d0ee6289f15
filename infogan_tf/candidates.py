"""Label-free restarts: train a few short candidates, continue the one whose Q is most informative.

Why: on MNIST, whether c1 gives two digits one category, or splits digits by
style, is mostly settled within the first ~2,000 steps, and it shows without
labels in how Q reads real images: the mutual information between a real image
and Q's category, I(x; c) = H(mean_x Q(c|x)) - mean_x H(Q(c|x)), is high when Q
decides each image and uses every category equally often (at most ln 10), the
objective of label-free clustering (RIM, IIC). Over the 12 MNIST runs compared
in docs/RESULTS.md ("Choosing among restarts without labels") it ranked every
run whose categories mixed digits at step 2,000 below every run of the same
configuration whose categories did not.

`train_with_candidates` trains `--candidates` runs from different seeds for
`--candidate_steps` steps each, scores each by that information (ties: Q's mean
confidence) on real training images, and continues the best one in model_dir
with --init_from. With --candidate_code_consistency, candidates whose continuous
codes move some categories against the others (code_consistency.py, measured on
G's images) rank after those whose codes do not, among the candidates within
CONSISTENCY_MARGIN_NATS of the most information. With --candidate_factor_check, candidates
whose codes named rotation and width follow slant and stroke width the same way in every
category (code_consistency.factor_check) rank first in that margin, and while none does more
candidates train, one at a time, up to --candidate_limit.
Labels are never read.

A candidate whose loss diverges (training.TrainingDivergedError) is left out of
the choice and recorded, with its message, in its folder's diverged.json, so a
resumed run does not train it again; the run stops only if every candidate
diverges.

Layout: <model_dir>/candidates/seed_<s>/ (complete runs of their own, kept for
inspection) and <model_dir>/selection.json (every candidate's score and the
choice). Every part resumes: finished candidates are not retrained, and once
model_dir has a checkpoint the run simply resumes it.
"""

import dataclasses
import json
import os
from typing import Callable, Dict, List, Optional

import numpy as np

from infogan_tf import code_consistency
from infogan_tf import data as data_lib
from infogan_tf import evaluation
from infogan_tf import metrics
from infogan_tf import recovery
from infogan_tf import trajectory
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.model_io import TrainedModel, load_trained_model
from infogan_tf.training import TrainingDivergedError

SELECTION_FILE = "selection.json"
DIVERGED_FILE = "diverged.json"  # In a candidate's folder: why it was left out.
SCORE_IMAGES = 10_000  # Real training images Q reads; enough for a 10-way entropy.
SEED_STRIDE = 1000  # Candidate k of seed s trains with seed s + 1000 k.
# How far below the most informative candidate another may score and still be chosen for
# consistent continuous codes. In the code-views study (docs/studies/study_code_views/) the
# three candidates that put two digits in one category scored 0.071-0.093 nats below their
# seed's best and the twelve that did not were within 0.029 of each other.
CONSISTENCY_MARGIN_NATS = 0.04


def candidate_seeds(seed: int, count: int) -> List[int]:
    """The seeds of the candidates: the run's own seed first, so one candidate is the plain run."""
    return [seed + SEED_STRIDE * k for k in range(count)]


def candidate_config(config: TrainConfig, seed: int) -> TrainConfig:
    """A candidate: the run's settings with its own seed and folder, stopped at candidate_steps.

    Weight averages starting at or after candidate_steps are left to the continued run,
    which starts them from the chosen candidate's weights.
    """
    averaging = config.weight_average_start < config.candidate_steps
    return dataclasses.replace(
        config, seed=seed, train_steps=config.candidate_steps, candidates=1, init_from=None,
        choose_checkpoint_from=0, candidate_code_consistency=False,
        candidate_factor_check=False, candidate_limit=0,
        weight_average_decay=config.weight_average_decay if averaging else 0.0,
        weight_average_start=config.weight_average_start if averaging else 0,
        model_dir=os.path.join(config.model_dir, "candidates", f"seed_{seed}"))


def score_model(model: TrainedModel, images: np.ndarray) -> Dict[str, float]:
    """Label-free scores of restored networks on real uint8 images (dataset layout).

    Returns:
      step; mutual_information, mean_confidence and assignment_entropy
      (metrics.label_free_code_scores), averaged over the categorical codes.
    """
    real = data_lib.scale_images(images, model.architecture.output_range).numpy()
    outputs = evaluation.discriminate(model, real)
    per_code = [metrics.label_free_code_scores(np.asarray(logits))
                for logits in outputs.categorical_logits]
    scores = {key: float(np.mean([code[key] for code in per_code]))
              for key in ("mutual_information", "mean_confidence", "assignment_entropy")}
    return dict(scores, step=model.step)


def score_checkpoint(model_dir: str, images: np.ndarray,
                     checkpoint_path: Optional[str] = None) -> Dict[str, float]:
    """score_model of a run's checkpoint (default the latest)."""
    return score_model(load_trained_model(model_dir, checkpoint_path), images)


def choose(scores: List[Dict[str, float]]) -> int:
    """Index of the best candidate: the most information, then the most confident Q.

    Scores with "factors_shown" (--candidate_factor_check) rank by it first, most first, then
    those with "inconsistent_codes" (--candidate_code_consistency) by it, fewest first, but
    only among the candidates within CONSISTENCY_MARGIN_NATS of the most information: a
    candidate whose c1 lost digits is not continued for its continuous codes. Without them
    every candidate counts as consistent.
    """
    return max(range(len(scores)), key=lambda i: _rank(scores, i))


def _informative(scores: List[Dict[str, float]], i: int) -> bool:
    best = max(score["mutual_information"] for score in scores)
    return scores[i]["mutual_information"] >= best - CONSISTENCY_MARGIN_NATS


def _rank(scores: List[Dict[str, float]], i: int) -> tuple:
    score = scores[i]
    return (_informative(scores, i), score.get("factors_shown", 0),
            -score.get("inconsistent_codes", 0), round(score["mutual_information"], 6),
            score["mean_confidence"])


def needs_another_candidate(config: TrainConfig, scores: List[Dict[str, float]]) -> bool:
    """With --candidate_factor_check: whether no candidate close to the most information
    shows both factors (the caller checks --candidate_limit)."""
    if not config.candidate_factor_check or not scores:
        return False
    shown = any(_informative(scores, i) and score["factors_shown"] == len(
        code_consistency.FACTORS) for i, score in enumerate(scores))
    return not shown


def _score_candidate(config: TrainConfig, candidate: TrainConfig, images: np.ndarray,
                     log: Callable[[str], None]) -> dict:
    """A finished candidate's entry in selection.json: its scores and where it is."""
    # The trained weights, as the rule was validated on, also with --weight_average_decay.
    model = load_trained_model(candidate.model_dir, weights="trained")
    score = score_model(model, images)
    score.update(seed=candidate.seed, model_dir=candidate.model_dir,
                 checkpoint=recovery.find_resume_point(candidate.model_dir).path)
    log(f"candidate seed {candidate.seed}: I(x; c) {score['mutual_information']:.4f} "
        f"nats, Q confidence {score['mean_confidence']:.4f}")
    if config.candidate_code_consistency or config.candidate_factor_check:
        # The same latents for every candidate (seed 0), so they are compared on equal terms.
        sweep = code_consistency.sweep_model(model, seed=0)
    if config.candidate_factor_check:
        check = code_consistency.factor_check(sweep)
        score.update(factors_shown=check["factors_shown"], factor_check=check["factors"])
        log(f"candidate seed {candidate.seed}: factors shown in every category: "
            + (", ".join(f"{role} ({factor['code']})"
                         for role, factor in check["factors"].items() if factor["shown"])
               or "none"))
    if config.candidate_code_consistency:
        consistency = code_consistency.code_consistency(sweep)
        score.update(inconsistent_codes=consistency["inconsistent_codes"],
                     code_consistency=consistency["codes"])
        against = {name: code["against"] for name, code in consistency["codes"].items()
                   if code["against"]}
        log(f"candidate seed {candidate.seed}: codes moving categories against the others: "
            f"{against or 'none'}")
    return score


def _train_candidate(candidate: TrainConfig, train_fn: Callable[[TrainConfig], dict],
                     log: Callable[[str], None]) -> Optional[str]:
    """Trains one candidate; returns why it diverged, or None if it finished."""
    marker = os.path.join(candidate.model_dir, DIVERGED_FILE)
    if os.path.exists(marker):
        with open(marker) as f:
            return json.load(f)["diverged"]
    log(f"candidate seed {candidate.seed}: {_training_plan(candidate)} in {candidate.model_dir}")
    try:
        train_fn(candidate)
        return None
    except TrainingDivergedError as error:
        os.makedirs(candidate.model_dir, exist_ok=True)
        recovery.write_json_atomically(marker, {"seed": candidate.seed, "diverged": str(error)})
        log(f"candidate seed {candidate.seed} diverged and is left out: {error}")
        return str(error)


def _training_plan(candidate: TrainConfig) -> str:
    """What training the candidate needs, for the log (a resumed study finds most done)."""
    steps = trajectory.checkpoint_steps(candidate.model_dir)
    done = steps[-1] if steps else 0
    if done >= candidate.train_steps:
        return f"already trained to step {done}"
    if done:
        return f"resuming at step {done}, training to step {candidate.train_steps}"
    return f"training to step {candidate.train_steps}"


def _rule(config: TrainConfig) -> str:
    """selection.json's description of how the candidate was chosen."""
    rule = ("highest mutual_information between real training images and Q's "
            "categories, then highest mean_confidence; no labels")
    margin = f"among candidates within {CONSISTENCY_MARGIN_NATS} nats of the highest "
    if config.candidate_code_consistency:
        rule = (margin + "mutual_information, fewest inconsistent_codes (G's images, "
                "code_consistency.py); then " + rule)
    if config.candidate_factor_check:
        rule = (margin + "mutual_information, most factors_shown (G's images, "
                "code_consistency.factor_check; more candidates, up to "
                f"{config.candidate_limit}, while none shows both); then " + rule)
    return rule


def _train_more_candidates(config: TrainConfig, candidates: List[TrainConfig],
                           diverged: Dict[int, Optional[str]], scores: List[dict],
                           images: np.ndarray, train_fn: Callable[[TrainConfig], dict],
                           log: Callable[[str], None]) -> None:
    """--candidate_factor_check: trains and scores candidates (appended to the lists) while
    none close to the most information shows both factors, up to --candidate_limit."""
    while needs_another_candidate(config, scores) and len(candidates) < config.candidate_limit:
        extra = candidate_config(config, candidate_seeds(config.seed, len(candidates) + 1)[-1])
        log(f"no candidate within {CONSISTENCY_MARGIN_NATS} nats of the most information "
            f"shows both factors: candidate {len(candidates) + 1} of at most "
            f"{config.candidate_limit}")
        candidates.append(extra)
        diverged[extra.seed] = _train_candidate(extra, train_fn, log)
        if diverged[extra.seed] is None:
            scores.append(_score_candidate(config, extra, images, log))


def _select(config: TrainConfig, train_fn: Callable[[TrainConfig], dict],
            log: Callable[[str], None]) -> dict:
    """Trains and scores the candidates; returns the chosen one's entry (seed, checkpoint)."""
    path = os.path.join(config.model_dir, SELECTION_FILE)
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)["chosen"]
    candidates = [candidate_config(config, seed)
                  for seed in candidate_seeds(config.seed, config.candidates)]
    diverged = {c.seed: _train_candidate(c, train_fn, log) for c in candidates}
    finished = [c for c in candidates if diverged[c.seed] is None]
    if not finished:
        raise TrainingDivergedError(
            f"all {len(candidates)} candidates diverged (see {DIVERGED_FILE} in each folder "
            f"under {os.path.join(config.model_dir, 'candidates')}); lower the learning "
            "rates or the lambdas, or train with --on_nan=rollback")
    images = data_lib.load_dataset(config.dataset, config.data_dir, "train",
                                   config.dataset_options()).images[:SCORE_IMAGES]
    scores = [_score_candidate(config, candidate, images, log) for candidate in finished]
    _train_more_candidates(config, candidates, diverged, scores, images, train_fn, log)
    chosen = scores[choose(scores)]
    recovery.write_json_atomically(path, {
        "rule": _rule(config),
        "score_images": int(len(images)), "candidates": scores, "chosen": chosen,
        "diverged": [{"seed": c.seed, "model_dir": c.model_dir, "message": diverged[c.seed]}
                     for c in candidates if diverged[c.seed] is not None]})
    log(f"continuing candidate seed {chosen['seed']} ({chosen['checkpoint']})")
    return chosen


def train_with_candidates(config: TrainConfig, train_fn: Callable[[TrainConfig], dict],
                          log: Callable[[str], None] = print) -> dict:
    """Trains a run that starts from the best of `config.candidates` short candidates.

    Args:
      config: the run; config.candidates > 1 and 0 < candidate_steps < train_steps
        (validate_config checks this).
      train_fn: training.train (injected so the library stays testable).
      log: where progress lines go.

    Returns:
      train_fn's result for the continued run in config.model_dir.
    """
    validate_config(config)  # Before any candidate trains.
    if config.init_from:
        raise ConfigError("--candidates chooses the checkpoint the run starts from; it cannot "
                          f"be combined with --init_from={config.init_from}")
    if (recovery.find_resume_point(config.model_dir).path
            and not os.path.exists(os.path.join(config.model_dir, SELECTION_FILE))):
        raise ConfigError(f"{config.model_dir} holds a run trained without --candidates; "
                          "resume it without --candidates, or use a new --model_dir")
    chosen = _select(config, train_fn, log)
    # The chosen candidate's seed also orders the data from here on, so the run is that
    # candidate trained on (the latent RNG comes from its checkpoint).
    return train_fn(dataclasses.replace(config, seed=chosen["seed"],
                                        init_from=chosen["checkpoint"]))
