"""Does the evaluated checkpoint carry the information training logged?

Training logs each code's bound L_I (`information/mi_<code>`) with G and D/Q in
training mode, on the batch being trained. Evaluation scores the restored
networks in inference mode (batch norm's moving statistics, spectral norm's
stored kernels). The two should agree to within the noise of a batch. Where
they do not, every metric of the evaluation describes networks that are not the
ones training measured, and says so only through low scores: a dSprites
InfoGAN-CR run (docs/dsprites_notes.md) logged about -0.25 nats per code at
its last step while its evaluation found the no-information level (-0.41 to
-0.48) and no active code on the real images (FactorVAE score 0). The check
below puts that disagreement into metrics.json and the evaluation's log instead.
"""

import os
from typing import Dict, Optional

import numpy as np

from infogan_tf import events

# Logged bounds are estimates from one batch of 64 that scatter by 0.01-0.02 nats;
# the mean of ten is far closer. A tenth of a nat is more than half of what a dSprites
# code can carry (-0.39 nats knowing nothing, -0.23 at best), so a larger drop is a
# network that lost the code, not noise.
DEFAULT_TOLERANCE = 0.1
DEFAULT_WINDOW = 10


def logged_information(model_dir: str, step: int,
                       window: int = DEFAULT_WINDOW) -> Dict[str, float]:
    """Code name -> mean of the last `window` logged bounds at or before `step`.

    Args:
      model_dir: a training run's --model_dir (its TensorBoard logs are in `train/`).
      step: the evaluated checkpoint's step; later values (a run that trained on) are
        not this checkpoint's.
      window: how many logged values to average (they are logged every --log_every
        steps, each from one batch).

    Returns:
      {} when the run has no logs (e.g. they were not copied with the checkpoints).
    """
    log_dir = os.path.join(model_dir, "train")
    if not os.path.isdir(log_dir):
        return {}
    prefix = "information/mi_"
    result = {}
    for tag, (steps, values) in events.read_scalars(log_dir).items():
        if not tag.startswith(prefix):
            continue
        kept = [v for s, v in zip(steps, values) if s <= step][-window:]
        if kept:
            result[tag[len(prefix):]] = float(np.mean(kept))
    return result


def compare(evaluated: Dict[str, float], logged: Dict[str, float],
            tolerance: float = DEFAULT_TOLERANCE) -> Optional[dict]:
    """Evaluated vs logged bounds, per code; None if no code has both.

    Returns:
      {"logged", "evaluated", "drop" (logged - evaluated, nats), "tolerance",
       "consistent" (every code's drop <= tolerance), "codes_below" (those that are not)}.
      A code that does better at evaluation than in training is consistent.
    """
    codes = [name for name in evaluated if name in logged]
    if not codes:
        return None
    drop = {name: logged[name] - evaluated[name] for name in codes}
    below = [name for name in codes if drop[name] > tolerance]
    return {"logged": {name: logged[name] for name in codes},
            "evaluated": {name: evaluated[name] for name in codes},
            "drop": drop, "tolerance": tolerance, "consistent": not below,
            "codes_below": below}


def warning(check: Optional[dict]) -> Optional[str]:
    """One message for the evaluation's log when `check` found a drop, else None."""
    if not check or check["consistent"]:
        return None
    worst = max(check["codes_below"], key=lambda name: check["drop"][name])
    return (f"WARNING: Q's bound on the evaluated networks' samples is below what training "
            f"logged for {', '.join(check['codes_below'])} (worst {worst}: "
            f"{check['evaluated'][worst]:.3f} nats at evaluation vs "
            f"{check['logged'][worst]:.3f} logged, tolerance {check['tolerance']}). "
            f"Inference mode (batch norm's moving statistics, spectral norm's stored kernels) "
            f"does not reproduce training mode for this checkpoint, so the metrics below "
            f"describe other networks than training measured; see metrics.json "
            f"'information_check'.")
