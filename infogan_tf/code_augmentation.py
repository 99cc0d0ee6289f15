"""Random small rotations and shears of generated images, for Q's categorical heads.

Why: on MNIST, G can satisfy L_I for a 10-way code with categories that split
similar digits (4, 7, 9) by slant or stroke style instead of by digit, with z
choosing the digit. If Q must read the category from a randomly rotated and
sheared copy of G's image, a category that differs from another only by slant
cannot be read back, so L_I favours categories that survive these
transformations: digit identity. The continuous codes (and D's validity) still
see the images as generated, so a continuous code can still capture slant.
No labels are involved.
"""

import math

import tensorflow as tf


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


def categorical_view(config, architecture, rng: tf.random.Generator,
                     images: tf.Tensor):
    """The copies Q reads the categorical codes from (strokes thickened or thinned by up
    to --categorical_stroke, then rotated and sheared), or None when all three options
    are 0 or there is no categorical code.

    Args:
      config: the TrainConfig.
      architecture: networks.Architecture (image size; background = low end of its range).
      rng: the trainer's in-scope generator.
      images: [B, H, W, C] generated images.
    """
    if not (config.latent.num_categorical
            and (config.categorical_rotation_degrees or config.categorical_shear
                 or config.categorical_stroke)):
        return None
    if config.categorical_stroke:  # No extra draws when off: older runs keep their streams.
        images = random_stroke_change(rng, images, config.categorical_stroke)
    height, width = architecture.image_shape[:2]
    transforms = random_affine_transforms(rng, tf.shape(images)[0], height, width,
                                          config.categorical_rotation_degrees,
                                          config.categorical_shear)
    return transform_images(images, transforms, architecture.output_range[0])
