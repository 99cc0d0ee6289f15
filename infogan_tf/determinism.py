"""--deterministic: bit-identical runs and resumes on one machine."""

import sys

import tensorflow as tf


def enable() -> None:
    """Op determinism, and one op at a time.

    Op determinism alone was not enough with --categorical_rotation_degrees or
    --categorical_shear: two runs drifted apart in the last bits from the second step on,
    and only a single inter-op thread removed it (measured; the order-dependent sum was
    not pinned down further). A runtime that is already initialised keeps its threads.
    """
    tf.config.experimental.enable_op_determinism()
    if tf.config.threading.get_inter_op_parallelism_threads() == 1:
        return
    try:
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        print("infogan_tf: warning: --deterministic: TensorFlow was already initialised "
              "with several inter-op threads, so runs may differ in the last bits; start "
              "a new process", file=sys.stderr, flush=True)
