"""The training step's metrics: reduced over replicas, accumulated over one loop call's steps.

Each replica returns values already divided by the global batch, so their sum
over replicas is the global mean; the learned-std extrema (q_std_min,
q_std_max) take the min / max instead, over replicas and over steps.
"""

from typing import Dict, Sequence

import tensorflow as tf

_EXTREMA = {"q_std_min": (tf.minimum, float("inf")), "q_std_max": (tf.maximum, -float("inf"))}

Metrics = Dict[str, tf.Tensor]


def reduce_replicas(strategy: tf.distribute.Strategy, per_replica: Metrics) -> Metrics:
    """Global values of one step's per-replica metrics."""
    reduced = {}
    for name, value in per_replica.items():
        if name in _EXTREMA:
            local = tf.stack(strategy.experimental_local_results(value))
            reduced[name] = tf.reduce_min(local) if name == "q_std_min" else tf.reduce_max(local)
        else:
            reduced[name] = strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)
    return reduced


def initial_totals(names: Sequence[str], std_extrema: bool) -> Metrics:
    """Identity values of each metric's accumulation (0 for sums, +-inf for the extrema)."""
    totals = {name: tf.constant(0.0) for name in names}
    if std_extrema:
        totals.update({name: tf.constant(identity) for name, (_, identity) in _EXTREMA.items()})
    return totals


def accumulate(totals: Metrics, metrics: Metrics) -> Metrics:
    """Totals after one more step: sums, or the running min / max of the extrema."""
    return {name: (_EXTREMA[name][0](total, metrics[name]) if name in _EXTREMA
                   else total + metrics[name]) for name, total in totals.items()}


def averages(totals: Metrics, steps: tf.Tensor) -> Metrics:
    """Means over `steps` steps (the extrema stay as they are)."""
    count = tf.cast(steps, tf.float32)
    return {name: (value if name in _EXTREMA else value / count)
            for name, value in totals.items()}


def all_finite(metrics: Metrics) -> tf.Tensor:
    """Whether every value of every step metric is finite (no NaN or inf)."""
    return tf.reduce_all([tf.reduce_all(tf.math.is_finite(v)) for v in metrics.values()])
