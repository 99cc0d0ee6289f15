"""Random small rotations and shears of generated images, for Q's categorical heads.

Why: on MNIST, G can satisfy L_I for a 10-way code with categories that split
similar digits (4, 7, 9) by slant or stroke style instead of by digit, with z
choosing the digit. If Q must read the category from a randomly rotated and
sheared copy of G's image, a category that differs from another only by slant
cannot be read back, so L_I favours categories that survive these
transformations: digit identity. The continuous codes (and D's validity) still
see the images as generated, so a continuous code can still capture slant.
No labels are involved.

The same argument can separate the continuous codes (--continuous_codes_from_views), where
L_I with a fixed std is otherwise the same for any rotation of their plane and both codes
can mix slant and width. Turns within 25 degrees are not enough for that: a code's slant
range can be wider and stay readable (docs/studies/probe_continuous_views/); the copies
that do separate them are made in continuous_views, from the transforms defined here.
"""

import math

import tensorflow as tf

from infogan_tf.view_settings import views_are_on


def random_affine_transforms(rng: tf.random.Generator, batch, height: int, width: int,
                             max_rotation_degrees: float, max_shear: float) -> tf.Tensor:
    """[batch, 8] projective transforms (output -> input pixel coordinates), about the centre.

    Each image gets a rotation uniform in ±max_rotation_degrees and a horizontal
    shear uniform in ±max_shear (x += shear * y), both symmetric in sign.
    """
    angle = rng.uniform([batch], -1.0, 1.0) * (max_rotation_degrees * math.pi / 180.0)
    shear = rng.uniform([batch], -1.0, 1.0) * max_shear
    cos, sin = tf.cos(angle), tf.sin(angle)
    # M = R(angle) @ [[1, shear], [0, 1]]
    m00, m01 = cos, cos * shear - sin
    m10, m11 = sin, sin * shear + cos
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    zeros = tf.zeros_like(angle)
    return tf.stack([m00, m01, cx - m00 * cx - m01 * cy,
                     m10, m11, cy - m10 * cx - m11 * cy, zeros, zeros], axis=1)


def transform_images(images: tf.Tensor, transforms: tf.Tensor, fill_value: float) -> tf.Tensor:
    """Applies [B, 8] transforms to [B, H, W, C] images (bilinear; outside = fill_value).

    Differentiable with respect to the images, so G gets gradients through it.
    """
    height, width = images.shape[1], images.shape[2]
    dtype = images.dtype
    result = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.cast(images, tf.float32), transforms=tf.cast(transforms, tf.float32),
        output_shape=tf.constant([height, width], tf.int32),
        fill_value=tf.constant(fill_value, tf.float32), interpolation="BILINEAR",
        fill_mode="CONSTANT")
    return tf.cast(result, dtype)


def random_stroke_change(rng: tf.random.Generator, images: tf.Tensor,
                         max_change: float) -> tf.Tensor:
    """Thickens or thins each image's strokes by a random amount (grey-level morphology).

    Each image is blended with its 3x3 dilation (fraction t > 0) or erosion (t < 0), t
    uniform in ±max_change; strokes are the high values (the background is the low end of
    G's range). t = ±1 moves every edge by about one pixel. Differentiable in the images.
    """
    amount = rng.uniform([tf.shape(images)[0], 1, 1, 1], -1.0, 1.0) * max_change
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    target = tf.where(amount > 0, dilated, eroded)
    return images + tf.abs(amount) * (target - images)


ELASTIC_SIGMA = 4.0  # Smoothness of the displacement field, pixels (Simard et al. 2003).


def _gaussian_blur(fields: tf.Tensor, sigma: float) -> tf.Tensor:
    """Separable Gaussian blur of [B, H, W, C] (zero padding), per channel."""
    radius = int(math.ceil(2 * sigma))
    taps = tf.exp(-tf.range(-radius, radius + 1, dtype=tf.float32) ** 2 / (2 * sigma ** 2))
    taps /= tf.reduce_sum(taps)
    channels = fields.shape[-1]
    rows = tf.tile(tf.reshape(taps, [-1, 1, 1, 1]), [1, 1, channels, 1])
    columns = tf.tile(tf.reshape(taps, [1, -1, 1, 1]), [1, 1, channels, 1])
    fields = tf.nn.depthwise_conv2d(fields, rows, [1, 1, 1, 1], "SAME")
    return tf.nn.depthwise_conv2d(fields, columns, [1, 1, 1, 1], "SAME")


def bilinear_sample(images: tf.Tensor, x: tf.Tensor, y: tf.Tensor,
                    fill_value: float) -> tf.Tensor:
    """images [B, H, W, C] read at float pixel coordinates x, y [B, H, W]; outside = fill.

    Differentiable in the images (gather's gradient scatters back to the pixels read).
    """
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=fill_value)
    # Padded coordinates; anything beyond the one-pixel border reads the border (= fill).
    x = tf.clip_by_value(x + 1.0, 0.0, width + 1.0)
    y = tf.clip_by_value(y + 1.0, 0.0, height + 1.0)
    x0, y0 = tf.floor(x), tf.floor(y)
    wx, wy = (x - x0)[..., None], (y - y0)[..., None]
    flat = tf.reshape(padded, [-1, images.shape[3]])
    base = tf.reshape(tf.range(batch) * (height + 2) * (width + 2), [-1, 1, 1])

    def pixel(yi, xi):
        yi = tf.minimum(tf.cast(yi, tf.int32), height + 1)
        xi = tf.minimum(tf.cast(xi, tf.int32), width + 1)
        return tf.gather(flat, base + yi * (width + 2) + xi)

    top = pixel(y0, x0) * (1 - wx) + pixel(y0, x0 + 1) * wx
    bottom = pixel(y0 + 1, x0) * (1 - wx) + pixel(y0 + 1, x0 + 1) * wx
    return top * (1 - wy) + bottom * wy


def random_elastic_distortion(rng: tf.random.Generator, images: tf.Tensor, alpha: float,
                              fill_value: float) -> tf.Tensor:
    """Simard et al.'s (2003) elastic distortion: each pixel is read from a point moved by
    a smooth random field (uniform noise blurred with sigma = ELASTIC_SIGMA, times alpha).

    Simard's MNIST setting is alpha = 34 (a displacement of ~1.4 pixels rms): it keeps the
    digit but changes its local shape.
    """
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    noise = rng.uniform(tf.stack([batch, height, width, 2]), -1.0, 1.0)
    field = _gaussian_blur(noise, ELASTIC_SIGMA) * alpha
    y, x = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32),
                       indexing="ij")
    return bilinear_sample(images, x + field[..., 0], y + field[..., 1], fill_value)


def random_erasing(rng: tf.random.Generator, images: tf.Tensor, size: int,
                   fill_value: float) -> tf.Tensor:
    """Cutout (DeVries & Taylor 2017): a size x size square of each image set to fill_value.

    The square's centre is uniform over the image, so it may lie partly outside. Why for
    c1: a category that differs from another only by one short stroke (a crossed 7 from a
    plain 7) cannot be read back when that stroke is missing. Differentiable in the images.
    """
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    centre_y = rng.uniform([batch, 1, 1], 0.0, float(height))
    centre_x = rng.uniform([batch, 1, 1], 0.0, float(width))
    y = tf.reshape(tf.range(height, dtype=tf.float32) + 0.5, [1, -1, 1])
    x = tf.reshape(tf.range(width, dtype=tf.float32) + 0.5, [1, 1, -1])
    inside = (tf.abs(y - centre_y) < size / 2.0) & (tf.abs(x - centre_x) < size / 2.0)
    return tf.where(inside[..., None], tf.cast(fill_value, images.dtype), images)


def categorical_view(config, architecture, rng: tf.random.Generator,
                     images: tf.Tensor):
    """The copies Q reads the categorical codes from (strokes thickened or thinned by up
    to --categorical_stroke, elastically distorted, rotated and sheared, then a square of
    --categorical_erase_size pixels erased), or None when all these options are 0 or there
    is no categorical code.

    Args:
      config: the TrainConfig.
      architecture: networks.Architecture (image size; background = low end of its range).
      rng: the trainer's in-scope generator.
      images: [B, H, W, C] generated images.
    """
    if not views_are_on(config):
        return None
    # No extra draws for an option that is off: older runs keep their random streams.
    if config.categorical_stroke:
        images = random_stroke_change(rng, images, config.categorical_stroke)
    if config.categorical_elastic_alpha:
        images = random_elastic_distortion(rng, images, config.categorical_elastic_alpha,
                                           architecture.output_range[0])
    height, width = architecture.image_shape[:2]
    transforms = random_affine_transforms(rng, tf.shape(images)[0], height, width,
                                          config.categorical_rotation_degrees,
                                          config.categorical_shear)
    images = transform_images(images, transforms, architecture.output_range[0])
    if config.categorical_erase_size:
        images = random_erasing(rng, images, config.categorical_erase_size,
                                architecture.output_range[0])
    return images
