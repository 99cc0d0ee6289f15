"""Generator and discriminator/Q networks, built by architecture name.

An `Architecture` gives the image shape, G's body and D's shared trunk; the
heads are the same for every architecture: a validity logit, one softmax head
per categorical code and one mean/log-std head for the continuous codes, all
branching from the trunk (through Q's hidden layer when the architecture has one).
New architectures are added with `register_architecture`; the trainer only
uses `build_generator`, `build_discriminator` and `split_discriminator_outputs`.
"""

import dataclasses
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import keras
import numpy as np
import tensorflow as tf

from infogan_tf.fused_batch_norm import FusedBatchNormalization
from infogan_tf.latent import LatentSpec


@dataclasses.dataclass(frozen=True)
class NetworkOptions:
    """Hyperparameters shared by every architecture.

    Attributes:
      leaky_relu_slope: negative slope of D's leaky ReLUs (paper 0.1; authors' code 0.01).
      init_stddev: std of the N(0, s) weight initialiser (authors' code 0.02).
      batch_norm_momentum: moving-average momentum of batch norm.
      sync_batch_norm: normalise with the statistics of the global batch, all-reduced
        over the replicas, instead of each replica's share (same variables either way).
      fused_batch_norm: normalise with TensorFlow's fused op when training
        (fused_batch_norm.py); False uses Keras' op chain (same variables and results).
      noise_scale: G multiplies its noise inputs by this before the first layer; the
        same as drawing z from a prior this much narrower (ClusterGAN's small-variance
        noise), while users and servers still feed z from the prior.
    """

    leaky_relu_slope: float = 0.1
    init_stddev: float = 0.02
    batch_norm_momentum: float = 0.9
    sync_batch_norm: bool = False
    noise_scale: float = 1.0
    fused_batch_norm: bool = False

    def initializer(self) -> keras.initializers.Initializer:
        return keras.initializers.RandomNormal(mean=0.0, stddev=self.init_stddev)


# body(latent_vector, options) -> pre-activation image; trunk(images, options) -> features.
Body = Callable[[keras.KerasTensor, NetworkOptions], keras.KerasTensor]


@dataclasses.dataclass(frozen=True)
class Architecture:
    """A named pair of networks for one image shape.

    Attributes:
      name: the --architecture name.
      image_shape: (H, W, C) of G's output and D's input.
      output_activation: "sigmoid" (images in [0, 1]) or "tanh" ([-1, 1]).
      generator_body: builds G up to the output activation.
      discriminator_trunk: builds the layers D and Q share.
      q_hidden_units: width of Q's FC-BN-lReLU layer, None for heads on the trunk.
      default_dataset: the dataset used when --dataset is not given.
      spectral_norm: spectrally normalise Q's hidden layer and every head, with
        no batch norm in Q (InfoGAN-CR); the trunk's layers are the trunk's choice.
    """

    name: str
    image_shape: Tuple[int, int, int]
    output_activation: str
    generator_body: Body
    discriminator_trunk: Body
    q_hidden_units: Optional[int] = 128
    default_dataset: str = "mnist"
    spectral_norm: bool = False

    @property
    def output_range(self) -> Tuple[float, float]:
        return (0.0, 1.0) if self.output_activation == "sigmoid" else (-1.0, 1.0)


_ARCHITECTURES: Dict[str, Architecture] = {}


def register_architecture(architecture: Architecture) -> Architecture:
    """Adds an architecture under its name (for --architecture); returns it."""
    _ARCHITECTURES[architecture.name] = architecture
    return architecture


def architecture_names() -> Tuple[str, ...]:
    """The registered architecture names, sorted."""
    return tuple(sorted(_ARCHITECTURES))


def get_architecture(name: str) -> Architecture:
    """Looks an architecture up by name; raises ValueError naming the known ones."""
    if name not in _ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; known: {', '.join(architecture_names())}")
    return _ARCHITECTURES[name]


# Building blocks. Layers followed by batch norm have no bias (BN's beta replaces it).
def dense(x, units, options, batch_norm=False, activation=None, spectral_norm=False):
    """A dense layer, then optional batch norm (no bias then) and activation."""
    layer = keras.layers.Dense(units, use_bias=not batch_norm,
                               kernel_initializer=options.initializer())
    return _normalize_and_activate(_apply(layer, x, spectral_norm), options, batch_norm,
                                   activation)


def conv(x, filters, strides, options, batch_norm=False, activation=None, spectral_norm=False):
    """A 4x4 convolution, then optional batch norm (no bias then) and activation."""
    layer = keras.layers.Conv2D(filters, 4, strides=strides, padding="same",
                                use_bias=not batch_norm, kernel_initializer=options.initializer())
    return _normalize_and_activate(_apply(layer, x, spectral_norm), options, batch_norm,
                                   activation)


def _apply(layer, x, spectral_norm):
    # Keras' wrapper divides the kernel by its largest singular value (one power
    # iteration per training call) before the layer runs.
    return (keras.layers.SpectralNormalization(layer) if spectral_norm else layer)(x)


def upconv(x, filters, strides, options, batch_norm=False, activation=None):
    """A 4x4 transposed convolution, then optional batch norm and activation."""
    x = keras.layers.Conv2DTranspose(filters, 4, strides=strides, padding="same",
                                     use_bias=not batch_norm,
                                     kernel_initializer=options.initializer())(x)
    return _normalize_and_activate(x, options, batch_norm, activation)


def _normalize_and_activate(x, options, batch_norm, activation):
    if batch_norm:
        layer = (FusedBatchNormalization if options.fused_batch_norm
                 else keras.layers.BatchNormalization)
        x = layer(momentum=options.batch_norm_momentum, epsilon=1e-5,
                  synchronized=options.sync_batch_norm)(x)
    if activation == "lrelu":
        x = keras.layers.LeakyReLU(negative_slope=options.leaky_relu_slope)(x)
    elif activation is not None:
        x = keras.layers.Activation(activation)(x)
    return x


def conv_generator(dense_units: Sequence[int], grid: Tuple[int, int, int],
                   upconvs: Sequence[Tuple[int, int, bool]], channels: int,
                   upconv_activation: str = "relu") -> Body:
    """The paper's G shape: FC layers (BN ReLU), reshape, upconvolutions, a last upconv.

    Args:
      dense_units: widths of the FC layers before the one that fills `grid`.
      grid: (h, w, c) the last FC layer is reshaped to.
      upconvs: (filters, stride, batch_norm) of each hidden upconvolution.
      channels: image channels made by the last stride-2 upconv (no BN, no activation:
        `build_generator` adds the output activation).
      upconv_activation: activation of the hidden upconvolutions.
    """
    def body(z, options):
        x = z
        for units in tuple(dense_units) + (grid[0] * grid[1] * grid[2],):
            x = dense(x, units, options, batch_norm=True, activation="relu")
        x = keras.layers.Reshape(grid)(x)
        for filters, strides, batch_norm in upconvs:
            x = upconv(x, filters, strides, options, batch_norm=batch_norm,
                       activation=upconv_activation)
        return upconv(x, channels, 2, options)
    return body


def conv_trunk(convs: Sequence[Tuple[int, int, bool]], dense_units: Optional[int],
               spectral_norm: bool = False) -> Body:
    """The paper's D/Q trunk: leaky-ReLU convolutions (filters, stride, batch_norm), then
    flatten and, if `dense_units`, an FC layer (with BN unless spectrally normalised)."""
    def trunk(images, options):
        x = images
        for filters, strides, batch_norm in convs:
            x = conv(x, filters, strides, options, batch_norm=batch_norm, activation="lrelu",
                     spectral_norm=spectral_norm)
        x = keras.layers.Flatten()(x)
        if dense_units:
            x = dense(x, dense_units, options, batch_norm=not spectral_norm, activation="lrelu",
                      spectral_norm=spectral_norm)
        return x
    return trunk


# Chen et al. 2016, Table 1 and openai/InfoGAN.
register_architecture(Architecture(
    name="mnist", image_shape=(28, 28, 1), output_activation="sigmoid",
    generator_body=conv_generator([1024], (7, 7, 128), [(64, 2, True)], channels=1),
    discriminator_trunk=conv_trunk([(64, 2, False), (128, 2, True)], dense_units=1024),
    q_hidden_units=128))


def build_generator(architecture: Architecture, spec: LatentSpec,
                    options: NetworkOptions) -> keras.Model:
    """G: a [B, spec.input_dim] latent vector -> [B, H, W, C] images in the output range."""
    latent = keras.Input(shape=(spec.input_dim,), name="latent")
    x = latent
    if options.noise_scale != 1.0 and spec.noise_dim:
        scale = np.ones(spec.input_dim, np.float32)
        scale[:spec.noise_dim] = options.noise_scale  # Noise comes first in the layout.
        x = keras.layers.Rescaling(scale, name="noise_scale")(x)
    x = architecture.generator_body(x, options)
    images = keras.layers.Activation(architecture.output_activation, dtype="float32",
                                     name="images")(x)
    if tuple(images.shape[1:]) != architecture.image_shape:
        raise ValueError(f"architecture {architecture.name!r} generates {images.shape[1:]}, "
                         f"not its declared {architecture.image_shape}")
    return keras.Model(latent, images, name="generator")


def build_discriminator(architecture: Architecture, spec: LatentSpec,
                        options: NetworkOptions) -> keras.Model:
    """D/Q: images -> dict of head outputs (logits, means and log-stds), all float32."""
    images = keras.Input(shape=architecture.image_shape, name="images")
    features = architecture.discriminator_trunk(images, options)
    spectral_norm = architecture.spectral_norm
    outputs = {"validity": _head(features, 1, "validity", options, spectral_norm)}
    q_features = features
    if architecture.q_hidden_units:
        q_features = dense(features, architecture.q_hidden_units, options,
                           batch_norm=not architecture.spectral_norm, activation="lrelu",
                           spectral_norm=architecture.spectral_norm)
    for i, code in enumerate(spec.categorical_codes):
        outputs[f"categorical_{i}"] = _head(q_features, code.num_categories,
                                            f"categorical_{i}", options, spectral_norm)
    if spec.num_continuous:
        # One Gaussian head, written as two Dense layers (the same as one Dense
        # of width 2n split in halves) so the model needs no Lambda layer.
        for part in ("continuous_mean", "continuous_log_std"):
            outputs[part] = _head(q_features, spec.num_continuous, part, options, spectral_norm)
    return keras.Model(images, outputs, name="discriminator")


def split_q_variables(discriminator: keras.Model) -> Tuple[list, list]:
    """D/Q's trainable variables as (shared trunk and validity head, Q's own layers).

    Q's own layers are those the validity output does not depend on (the FC-BN-lReLU
    layer of the paper's MNIST Q and the code heads), found from the model's graph so
    that every architecture is covered. Both lists keep the model's variable order.
    """
    validity = keras.Model(discriminator.inputs, discriminator.output["validity"])
    shared = {id(v) for v in validity.trainable_variables}
    variables = discriminator.trainable_variables
    return ([v for v in variables if id(v) in shared],
            [v for v in variables if id(v) not in shared])


def _head(x, units, name, options, spectral_norm=False):
    layer = keras.layers.Dense(units, kernel_initializer=options.initializer(), dtype="float32",
                               name=name if not spectral_norm else None)
    if spectral_norm:
        layer = keras.layers.SpectralNormalization(layer, dtype="float32", name=name)
    return layer(x)


class DiscriminatorOutputs(NamedTuple):
    """D/Q outputs in the form the losses take."""

    validity_logits: tf.Tensor            # [B]
    categorical_logits: List[tf.Tensor]   # one [B, K] per categorical code
    continuous_mean: Optional[tf.Tensor]  # [B, n] or None
    continuous_log_std: Optional[tf.Tensor]


def split_discriminator_outputs(outputs: Dict[str, tf.Tensor],
                                spec: LatentSpec) -> DiscriminatorOutputs:
    """The discriminator's named outputs as DiscriminatorOutputs (heads absent -> None)."""
    return DiscriminatorOutputs(
        validity_logits=tf.squeeze(outputs["validity"], axis=1),
        categorical_logits=[outputs[f"categorical_{i}"] for i in range(spec.num_categorical)],
        continuous_mean=outputs.get("continuous_mean"),
        continuous_log_std=outputs.get("continuous_log_std"))


# The other architectures of the paper register themselves on import; imported last
# because they build on the definitions above.
from infogan_tf import architectures  # noqa: E402,F401
