"""The fused batch norm layer computes what keras.layers.BatchNormalization computes."""

import numpy as np
import pytest
import tensorflow as tf

import keras

from infogan_tf.fused_batch_norm import FusedBatchNormalization


def _pair(shape, dtype="float32"):
    """A Keras and a fused layer with the same random gamma, beta and moving statistics."""
    channels = shape[-1]
    rng = np.random.RandomState(0)
    layers = [cls(momentum=0.9, epsilon=1e-5, dtype=dtype)
              for cls in (keras.layers.BatchNormalization, FusedBatchNormalization)]
    for layer in layers:
        layer.build(shape)
    weights = [1.0 + 0.1 * rng.randn(channels), 0.1 * rng.randn(channels),
               0.1 * rng.randn(channels), 1.0 + 0.1 * rng.rand(channels)]
    for layer in layers:
        layer.set_weights([w.astype(np.float32) for w in weights])
    return layers


def _forward_backward(layer, x, upstream):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) * upstream)
    grads = tape.gradient(loss, [x, layer.gamma, layer.beta])
    return [y] + grads


@pytest.mark.parametrize("shape", [(32, 16), (8, 7, 7, 12)])
def test_training_pass_matches_keras_outputs_gradients_and_moving_statistics(shape):
    keras_bn, fused_bn = _pair(shape)
    rng = np.random.RandomState(1)
    x = tf.constant(3.0 + 2.0 * rng.randn(*shape), tf.float32)
    upstream = tf.constant(rng.randn(*shape), tf.float32)
    for expected, actual in zip(_forward_backward(keras_bn, x, upstream),
                                _forward_backward(fused_bn, x, upstream)):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)
    for expected, actual in zip(keras_bn.get_weights(), fused_bn.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    # The moving statistics moved towards the batch's: the comparison is not vacuous.
    assert not np.allclose(fused_bn.moving_mean.numpy(), _pair(shape)[1].moving_mean.numpy())


def test_inference_and_bfloat16():
    shape = (16, 4, 4, 8)
    keras_bn, fused_bn = _pair(shape)
    x = tf.constant(np.random.RandomState(2).randn(*shape), tf.float32)
    np.testing.assert_allclose(fused_bn(x, training=False), keras_bn(x, training=False), rtol=1e-6)
    keras_half, fused_half = _pair(shape, dtype="mixed_bfloat16")
    x16 = tf.cast(x, tf.bfloat16)
    expected, actual = keras_half(x16, training=True), fused_half(x16, training=True)
    assert actual.dtype == tf.bfloat16
    np.testing.assert_allclose(tf.cast(actual, tf.float32), tf.cast(expected, tf.float32),
                               atol=0.05)
    np.testing.assert_allclose(fused_half.moving_variance, keras_half.moving_variance,
                               rtol=1e-2)


def test_synchronized_statistics_use_keras_code():
    layer = FusedBatchNormalization(synchronized=True)
    x = tf.ones([4, 3])
    layer.build(x.shape)
    assert not layer._fused_applies(x, True, None)
    assert layer._fused_applies(tf.ones([4, 2, 2, 3]), True, None) is False
    plain = FusedBatchNormalization()
    plain.build(x.shape)
    assert plain._fused_applies(x, True, None)
    assert not plain._fused_applies(x, False, None)


def test_networks_choose_the_layer_by_option_and_compute_the_same():
    from infogan_tf import networks
    from infogan_tf.latent import LatentSpec
    spec = LatentSpec.from_counts(4, [10], 2)
    arch = networks.get_architecture("mnist")
    fused = networks.build_discriminator(arch, spec,
                                         networks.NetworkOptions(fused_batch_norm=True))
    plain = networks.build_discriminator(arch, spec, networks.NetworkOptions())  # The default.
    kinds = lambda model: {type(l).__name__ for l in model.layers}  # noqa: E731
    assert "FusedBatchNormalization" in kinds(fused)
    assert "FusedBatchNormalization" not in kinds(plain) and "BatchNormalization" in kinds(plain)
    plain.set_weights(fused.get_weights())
    images = tf.constant(np.random.RandomState(5).rand(16, 28, 28, 1), tf.float32)
    for key, value in fused(images, training=True).items():
        np.testing.assert_allclose(value, plain(images, training=True)[key], rtol=1e-3, atol=1e-4)
