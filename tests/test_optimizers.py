"""FusedAdam: Adam's algorithm in TensorFlow's fused kernel, checked against numpy and Keras."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import optimizers
from run_helpers import two_replica_strategy

LEARNING_RATE, BETA1, BETA2, EPSILON = 1e-2, 0.5, 0.999, 1e-7


def numpy_adam(initial, gradients):
    """Kingma & Ba's Adam as Keras writes it (epsilon outside the square root), in float64."""
    x, m, v = initial.astype(np.float64), np.zeros_like(initial, np.float64), \
        np.zeros_like(initial, np.float64)
    for t, g in enumerate(gradients, start=1):
        m += (g - m) * (1 - BETA1)
        v += (g * g - v) * (1 - BETA2)
        alpha = LEARNING_RATE * np.sqrt(1 - BETA2 ** t) / (1 - BETA1 ** t)
        x -= alpha * m / (np.sqrt(v) + EPSILON)
    return x, m, v


def _problem(steps=6, shape=(3, 5)):
    rng = np.random.default_rng(7)
    initial = rng.normal(size=shape).astype(np.float32)
    # Gradients of several scales and signs, including zeros, as Adam meets them.
    gradients = [(rng.normal(size=shape) * 10.0 ** rng.integers(-3, 2)).astype(np.float32)
                 for _ in range(steps)]
    gradients[2][0] = 0.0
    return initial, gradients


def _run(optimizer_class, initial, gradients, **kwargs):
    variable = keras.Variable(initial)
    optimizer = optimizer_class(LEARNING_RATE, beta_1=BETA1, beta_2=BETA2, epsilon=EPSILON,
                                **kwargs)
    optimizer.build([variable])
    step = tf.function(lambda g: optimizer.apply_gradients([(g, variable)]))
    for g in gradients:
        step(tf.constant(g))
    ops = {op.type for op in step.get_concrete_function(tf.constant(gradients[0]))
           .graph.get_operations()}
    return variable.numpy(), optimizer, ops


def test_fused_adam_matches_numpy_and_keras_adam():
    initial, gradients = _problem()
    fused, optimizer, ops = _run(optimizers.FusedAdam, initial, gradients)
    assert "ResourceApplyAdam" in ops
    expected, m, v = numpy_adam(initial, gradients)
    assert not np.allclose(expected, initial, atol=1e-2)
    np.testing.assert_allclose(fused, expected, rtol=1e-5, atol=1e-6)
    # The moments are Keras' own variables, updated by the kernel.
    np.testing.assert_allclose(optimizer._momentums[0].numpy(), m, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(optimizer._velocities[0].numpy(), v, rtol=1e-4, atol=1e-12)
    assert int(optimizer.iterations.numpy()) == len(gradients)
    keras_result, _, keras_ops = _run(keras.optimizers.Adam, initial, gradients)
    assert "ResourceApplyAdam" not in keras_ops
    np.testing.assert_allclose(fused, keras_result, rtol=1e-5, atol=1e-6)


def test_amsgrad_falls_back_to_keras_ops():
    initial, gradients = _problem(steps=3)
    fused, _, ops = _run(optimizers.FusedAdam, initial, gradients, amsgrad=True)
    assert "ResourceApplyAdam" not in ops
    keras_result, _, _ = _run(keras.optimizers.Adam, initial, gradients, amsgrad=True)
    np.testing.assert_array_equal(fused, keras_result)


def test_fused_adam_under_two_replicas_updates_every_copy():
    strategy = two_replica_strategy()
    initial, gradients = _problem(steps=4)
    with strategy.scope():
        variable = keras.Variable(initial)
        optimizer = optimizers.adam(LEARNING_RATE, BETA1, [variable])

    @tf.function
    def step(g):
        def replica_fn():
            # Each replica holds half the gradient (made on its device): the all-reduce
            # sums them.
            optimizer.apply_gradients([(g * 0.5, variable)])
        strategy.run(replica_fn)

    for g in gradients:
        step(tf.constant(g))
    copies = [v.numpy() for v in variable.value.values]
    assert len(copies) == 2
    np.testing.assert_array_equal(copies[0], copies[1])
    # optimizers.adam keeps Keras' default beta_2 and epsilon.
    np.testing.assert_allclose(copies[0], numpy_adam(initial, gradients)[0], rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("source, target", [(keras.optimizers.Adam, optimizers.FusedAdam),
                                            (optimizers.FusedAdam, keras.optimizers.Adam)])
def test_checkpoints_restore_across_the_two_implementations(tmp_path, source, target):
    initial, gradients = _problem(steps=6)
    variable = keras.Variable(initial)
    first = source(LEARNING_RATE, beta_1=BETA1, beta_2=BETA2, epsilon=EPSILON)
    first.build([variable])
    for g in gradients[:3]:
        first.apply_gradients([(tf.constant(g), variable)])
    path = tf.train.Checkpoint(variable=variable, optimizer=first).save(str(tmp_path / "ckpt"))

    restored_variable = keras.Variable(np.zeros_like(initial))
    second = target(LEARNING_RATE, beta_1=BETA1, beta_2=BETA2, epsilon=EPSILON)
    second.build([restored_variable])
    tf.train.Checkpoint(variable=restored_variable, optimizer=second).restore(
        path).assert_existing_objects_matched()
    assert int(second.iterations.numpy()) == 3
    for g in gradients[3:]:
        second.apply_gradients([(tf.constant(g), restored_variable)])
    np.testing.assert_allclose(restored_variable.numpy(), numpy_adam(initial, gradients)[0],
                               rtol=1e-5, atol=1e-6)
