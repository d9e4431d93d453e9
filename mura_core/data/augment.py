"""Random augmentation of training batches: flips, rotation, zoom and shift as one affine
warp per image, in the tf.data graph (see :mod:`mura_core.data.pipeline` for where it
runs). Random draws are stateless and seeded, so a seed fixes the augmented batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mura_core.vocabulary import FILL_MODES, FillMode

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["FILL_MODES", "AugmentConfig", "affine_transforms", "augment_batch", "warp_batch"]


@dataclass(frozen=True)
class AugmentConfig:
    """Random augmentation of training batches (the report's defaults).

    Flips, rotation, zoom and shift are combined into one affine warp per image
    (bilinear), so they cost one pass whatever is enabled.

    Attributes:
        horizontal_flip: flip left-right with probability 1/2.
        vertical_flip: flip up-down with probability 1/2.
        rotation: maximum rotation in degrees, uniform in ``[-rotation, rotation]``.
        zoom: maximum zoom as a fraction, scale uniform in ``[1 - zoom, 1 + zoom]``.
        shift: maximum shift as a fraction of the size, uniform in ``[-shift, shift]``.
        fill_mode: how pixels warped in from outside the image are filled.
        fill_value: the value (in [0, 255]) used with ``fill_mode="constant"``.
    """

    horizontal_flip: bool = True
    vertical_flip: bool = True
    rotation: float = 30.0
    zoom: float = 0.0
    shift: float = 0.0
    fill_mode: FillMode = "constant"
    fill_value: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rotation <= 180.0:
            raise ValueError("rotation must be in [0, 180] degrees")
        if not 0.0 <= self.zoom < 1.0:
            raise ValueError("zoom must be in [0, 1)")
        if not 0.0 <= self.shift < 1.0:
            raise ValueError("shift must be in [0, 1)")
        if not 0.0 <= self.fill_value <= 255.0:
            raise ValueError("fill_value must be a pixel value in [0, 255]")
        if self.fill_mode not in FILL_MODES:
            raise ValueError(f"unknown fill_mode {self.fill_mode!r}")

    @property
    def is_identity(self) -> bool:
        """True when nothing is enabled."""
        return not (
            self.horizontal_flip or self.vertical_flip or self.rotation or self.zoom or self.shift
        )


def affine_transforms(batch: tf.Tensor, height: int, width: int, config: AugmentConfig, seed):
    """Per-image 8-parameter transforms (output to input pixel) for ImageProjectiveTransform."""
    import tensorflow as tf

    # Philox explicitly: "auto_select" picks another generator under XLA.
    seeds = tf.random.experimental.stateless_split(seed, num=5, alg="philox")
    shape = [batch]
    ones = tf.ones(shape)

    def sign(enabled: bool, index: int) -> tf.Tensor:
        if not enabled:
            return ones
        flip = tf.random.stateless_uniform(shape, seeds[index], alg="philox") < 0.5
        return tf.where(flip, -ones, ones)

    sx, sy = sign(config.horizontal_flip, 0), sign(config.vertical_flip, 1)
    angle = tf.random.stateless_uniform(shape, seeds[2], -1.0, 1.0, alg="philox") * (
        config.rotation * math.pi / 180.0
    )
    scale = (
        1.0 + tf.random.stateless_uniform(shape, seeds[3], -1.0, 1.0, alg="philox") * config.zoom
    )
    shifts = (
        tf.random.stateless_uniform([batch, 2], seeds[4], -1.0, 1.0, alg="philox") * config.shift
    )
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    # input = flip(rotate(output - centre) / scale) + centre - shift
    a0, a1 = sx * cos, -sx * sin
    b0, b1 = sy * sin, sy * cos
    a2 = cx - a0 * cx - a1 * cy - shifts[:, 0] * width
    b2 = cy - b0 * cx - b1 * cy - shifts[:, 1] * height
    zeros = tf.zeros(shape)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def _gather_warp(
    images: tf.Tensor, transforms: tf.Tensor, fill_value: float, clamp: bool
) -> tf.Tensor:
    """Bilinear warp by gathers (XLA fuses it into one loop; the ImageProjectiveTransform
    kernel has no XLA lowering and is about twice slower on CPU).

    Output pixel ``(x, y)`` samples the input at ``(a0 x + a1 y + a2, b0 x + b1 y + b2)``;
    taps outside the image read ``fill_value``, or the nearest edge with ``clamp`` (as
    ImageProjectiveTransform's ``constant`` and ``nearest`` fill modes). For ``constant``
    the image gets a one-pixel border of ``fill_value`` and coordinates are clamped into
    it, so every tap is a plain gather. ``images`` may be uint8 or float; the result is
    float32.
    """
    import tensorflow as tf

    height, width, channels = images.shape[1], images.shape[2], images.shape[3]
    border = 0 if clamp else 1
    if border:
        fill = tf.cast(fill_value, images.dtype)
        images = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=fill)
    rows, columns = height + 2 * border, width + 2 * border
    grid_y = tf.range(height, dtype=tf.float32)[:, None]  # broadcast, never materialised
    grid_x = tf.range(width, dtype=tf.float32)[None, :]
    t = transforms[:, :, None, None]
    x = tf.clip_by_value(t[:, 0] * grid_x + t[:, 1] * grid_y + t[:, 2] + border, 0, columns - 1)
    y = tf.clip_by_value(t[:, 3] * grid_x + t[:, 4] * grid_y + t[:, 5] + border, 0, rows - 1)
    x0, y0 = tf.floor(x), tf.floor(y)
    wx, wy = (x - x0)[..., None], (y - y0)[..., None]
    x0, y0 = tf.cast(x0, tf.int32), tf.cast(y0, tf.int32)
    x1, y1 = tf.minimum(x0 + 1, columns - 1), tf.minimum(y0 + 1, rows - 1)
    flat = tf.reshape(images, [-1, channels])
    base = (tf.range(tf.shape(images)[0]) * (rows * columns))[:, None, None]
    row0, row1 = base + y0 * columns, base + y1 * columns

    def tap(index: tf.Tensor) -> tf.Tensor:  # gathering uint8 moves 4x less memory
        return tf.cast(tf.gather(flat, index), tf.float32)

    top = tap(row0 + x0) * (1.0 - wx) + tap(row0 + x1) * wx
    bottom = tap(row1 + x0) * (1.0 - wx) + tap(row1 + x1) * wx
    return top * (1.0 - wy) + bottom * wy


def augment_batch(images: tf.Tensor, config: AugmentConfig, seed: tf.Tensor) -> tf.Tensor:
    """Randomly warp a batch ``[B, H, W, C]``; returns float32 in the input's value range.

    ``seed`` is a stateless seed (int tensor of shape ``[2]``): the same seed gives the
    same warps. Works eagerly, in tf.data and under ``jit_compile`` (for the ``constant``
    and ``nearest`` fill modes).
    """
    import tensorflow as tf

    if config.is_identity:
        return tf.cast(images, tf.float32)
    shape = images.shape
    transforms = affine_transforms(tf.shape(images)[0], shape[1], shape[2], config, seed)
    return warp_batch(images, transforms, config.fill_mode, config.fill_value)


def warp_batch(
    images: tf.Tensor, transforms: tf.Tensor, fill_mode: str = "constant", fill_value: float = 0.0
) -> tf.Tensor:
    """Warp ``images [B, H, W, C]`` (uint8 or float) by per-image projective ``transforms
    [B, 8]`` (output pixel to input pixel, as ImageProjectiveTransform), bilinearly, into
    float32."""
    import tensorflow as tf

    if fill_mode in ("constant", "nearest"):
        return _gather_warp(images, transforms, fill_value, fill_mode == "nearest")
    images = tf.cast(images, tf.float32)
    height, width = images.shape[1], images.shape[2]
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.constant([height, width], tf.int32),
        fill_value=tf.constant(fill_value, tf.float32),
        interpolation="BILINEAR",
        fill_mode=fill_mode.upper(),
    )
