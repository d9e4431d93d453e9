"""The tf.data input pipeline: decode, resize, cache, shuffle, batch, augment, normalise.

Two levels of API:

* explicit: :func:`training_dataset` and :func:`evaluation_dataset` take the image
  size, channel count and normalisation mode;
* model-driven: :func:`pipeline_for_model` (and :func:`input_spec`) read them from a
  model name through the registry: ``in.H.W.C`` for the size and channels, the
  family's declared ``preprocessing`` for the normalisation.

>>> from mura_core.data import load_mura, split_by_patient
>>> from mura_core.data.pipeline import pipeline_for_model
>>> split = split_by_patient(load_mura("data").frame)                    # doctest: +SKIP
>>> name = "cnn_in.64.64.1_cl.3.1_f.16_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
>>> train = pipeline_for_model(name, split.train, training=True)         # doctest: +SKIP
>>> valid = pipeline_for_model(name, split.validation, training=False)   # doctest: +SKIP

Order of operations, per element then per batch::

    read file -> decode PNG (or DICOM) as grayscale (uint8) -> resize to H x W (uint8)
    -> cache (memory or file)                   every later epoch starts here
    -> shuffle (training)  -> batch
    -> augment (training; flips, rotation... as one affine warp per image, float32)
    -> normalise to the family's mode and expand to C channels  -> prefetch

Colour: X-rays are grayscale (the few RGB files in MURA are tinted scans), so by default
(``grayscale=True``) every file is decoded as luminance, cached, shuffled and augmented
with one channel, and replicated to the model's C channels only in the final,
fused normalisation: a third of the cache memory and of the augmentation work for
3-channel models. With ``grayscale=False`` files are decoded to C channels directly
(RGB files keep their colour for 3-channel models).

A file whose bytes 128-131 are ``DICM`` is DICOM, whatever its name: it is turned into
the 8-bit grayscale a PNG decodes to by :mod:`mura_core.data.dicom` (through
``tf.numpy_function``) and replicated to the decoded channels.

Resizing is bilinear; when an image is more than twice the target size along a side it
is antialiased (a proper low-pass filter), so small inputs (64x64) do not alias while
the common case (MURA's 512 px to 256 px) stays fast.

Datasets yield ``(images, labels)`` or, with ``sample_weights``, ``(images, labels,
weights)``: images ``float32 [B, H, W, C]``, labels and weights ``float32 [B]``.
Augmentation and normalisation run in the tf.data graph, outside the model, so the
model itself stays XLA-compilable. The per-batch steps are themselves compiled by XLA
(once per process: batches are padded to one shape), which fuses their element-wise work
into single passes; the warp gathers uint8 pixels from the cache. Random draws are
stateless and seeded, so a seed fixes the sequence of batches.

The augmentation itself (:class:`AugmentConfig`, the affine warp) is in
:mod:`mura_core.data.augment`; it is re-exported here.

Evaluation datasets are never shuffled or augmented and keep the frame's row order, so
predictions line up with the frame (to aggregate per study).

Memory is bounded by the cache (``N x H x W`` bytes in memory with the default
grayscale decoding, ``N x H x W x C`` without; nothing with a file cache), the shuffle
buffer (``shuffle_buffer x H x W`` bytes) and prefetching, not by the number of epochs.
The full MURA at 256x256 takes 2.6 GB decoded; pass a directory (``cache=Path("cache")``)
for a file cache instead.

Normalisation modes (:data:`PREPROCESSING_MODES`, as ``keras.applications``'
``preprocess_input``), on pixels ``x`` in [0, 255]:

* ``unit``: ``x / 255`` (custom CNNs);
* ``tf``: ``x / 127.5 - 1``, in [-1, 1];
* ``torch``: ``(x / 255 - mean) / std`` with ImageNet's RGB mean and std (DenseNet);
* ``caffe``: RGB to BGR, then ImageNet's BGR mean subtracted (ResNet);
* ``none``: ``x`` unchanged (float32).

For ``torch`` and ``caffe`` with a one-channel model the mean (and std) of the three
channels is used.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from mura_core.data.augment import AugmentConfig, affine_transforms, augment_batch, warp_batch
from mura_core.data.cache_key import cache_entry
from mura_core.data.dataset import check_frame
from mura_core.errors import MuraError
from mura_core.vocabulary import FILL_MODES
from registry.family import PREPROCESSING_MODES, Preprocessing

if TYPE_CHECKING:
    import tensorflow as tf

    from registry import ParsedName

#: Cache of decoded, resized images: ``"memory"``, a directory for a file cache, or None.
Cache = Literal["memory"] | str | os.PathLike[str] | None

IMAGENET_MEAN_RGB = (0.485, 0.456, 0.406)
IMAGENET_STD_RGB = (0.229, 0.224, 0.225)
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


__all__ = [
    "FILL_MODES",
    "PREPROCESSING_MODES",
    "AugmentConfig",
    "Cache",
    "InputSpec",
    "augment_batch",
    "warp_batch",
    "decoded_dataset",
    "evaluation_dataset",
    "input_spec",
    "normalize",
    "pipeline_for_model",
    "training_dataset",
]


@dataclass(frozen=True)
class InputSpec:
    """What a model expects as input: size, channels and normalisation."""

    image_size: tuple[int, int]
    channels: int
    preprocessing: Preprocessing

    def __post_init__(self) -> None:
        _check_input(self.image_size, self.channels, self.preprocessing)


def _check_input(image_size: Sequence[int], channels: int, preprocessing: str) -> None:
    if len(image_size) != 2 or min(image_size) < 1:
        raise ValueError(f"image_size must be (height, width), got {tuple(image_size)}")
    from registry.run_options import IMAGE_CHANNELS

    if channels not in IMAGE_CHANNELS:
        raise ValueError(f"channels must be one of {IMAGE_CHANNELS}, got {channels}")
    if preprocessing not in PREPROCESSING_MODES:
        raise ValueError(
            f"unknown preprocessing {preprocessing!r}; expected one of "
            + ", ".join(PREPROCESSING_MODES)
        )


def input_spec(name: str | ParsedName) -> InputSpec:
    """The input of the model ``name`` (a model or run name, or its parse): the name's
    input shape and its family's declared preprocessing."""
    import registry

    parsed = registry.parse(name) if isinstance(name, str) else name
    height, width, channels = parsed.input_shape
    return InputSpec((int(height), int(width)), int(channels), parsed.family.preprocessing)


# -- tensor functions ----------------------------------------------------------------


def _channel_affine(preprocessing: str, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel ``scale`` and ``offset`` with ``normalised = x * scale + offset``."""
    ones = np.ones(channels)
    if preprocessing == "none":
        return ones, 0 * ones
    if preprocessing == "unit":
        return ones / 255.0, 0 * ones
    if preprocessing == "tf":
        return ones / 127.5, -ones
    if preprocessing == "torch":
        mean, std = np.array(IMAGENET_MEAN_RGB), np.array(IMAGENET_STD_RGB)
        if channels == 1:
            mean, std = mean.mean(keepdims=True), std.mean(keepdims=True)
        return 1.0 / (255.0 * std), -mean / std
    if preprocessing == "caffe":
        mean = np.array(CAFFE_MEAN_BGR)
        return ones, -(mean.mean(keepdims=True) if channels == 1 else mean)
    raise ValueError(
        f"unknown preprocessing {preprocessing!r}; expected one of {', '.join(PREPROCESSING_MODES)}"
    )


def normalize(images: tf.Tensor, preprocessing: str, channels: int | None = None) -> tf.Tensor:
    """Normalise ``images`` (values in [0, 255], channels last) to float32.

    ``channels`` is the output channel count (default: the input's); one-channel input
    is replicated to it in the same pass. ``caffe`` swaps RGB to BGR first.
    """
    import tensorflow as tf

    x = tf.cast(images, tf.float32)
    source = int(x.shape[-1])
    channels = channels or source
    if source not in (1, channels):
        raise ValueError(f"cannot normalise {source}-channel images to {channels} channels")
    scale, offset = _channel_affine(preprocessing, channels)
    if preprocessing == "caffe" and source == 3:
        x = tf.reverse(x, axis=[-1])
    result = x * scale.astype(np.float32) + offset.astype(np.float32)
    if source != channels:  # a constant mode (unit, tf, none) broadcasts to one channel only
        result = tf.broadcast_to(result, tf.concat([tf.shape(result)[:-1], [channels]], 0))
    return result


def _dicom_pixels(path: bytes, channels: int) -> np.ndarray:
    from mura_core.data.dicom import read_dicom

    image = read_dicom(path.decode("utf-8", "surrogateescape"))
    return np.repeat(image[..., None], channels, axis=-1)


def _decode_dicom(path: tf.Tensor, channels: int) -> tf.Tensor:
    """A DICOM file as ``uint8 [H, W, channels]`` (:mod:`mura_core.data.dicom`)."""
    import tensorflow as tf

    image = tf.numpy_function(_dicom_pixels, [path, channels], tf.uint8, stateful=False)
    return tf.ensure_shape(image, (None, None, channels))


def _decode_resize(path: tf.Tensor, image_size: tuple[int, int], channels: int) -> tf.Tensor:
    import tensorflow as tf

    data = tf.io.read_file(path)
    at = tf.minimum(tf.strings.length(data), 128)  # DICOM by content: "DICM" at byte 128
    image = tf.cond(
        tf.equal(tf.strings.substr(data, at, 4), b"DICM"),
        lambda: _decode_dicom(path, channels),
        lambda: tf.io.decode_png(data, channels=channels, dtype=tf.uint8),
    )
    shape = tf.cast(tf.shape(image)[:2], tf.float32)
    ratio = tf.reduce_max(shape / tf.constant(image_size, tf.float32))
    image = tf.cond(
        ratio > 2.0,
        lambda: tf.image.resize(image, image_size, method="bilinear", antialias=True),
        lambda: tf.image.resize(image, image_size, method="bilinear"),
    )
    image = tf.cast(tf.clip_by_value(tf.round(image), 0.0, 255.0), tf.uint8)
    return tf.ensure_shape(image, (*image_size, channels))


# -- datasets -------------------------------------------------------------------------


def _cache_file(cache: Any, columns, image_size, channels: int, salt: str = "") -> str | None:
    """``""`` for memory, a file-cache entry (``mura_core.data.cache_key``), or None."""
    if cache is None or cache is False:
        return None
    if cache is True or cache == "memory":
        return ""
    return cache_entry(cache, columns, image_size, channels, salt)


def _columns(frame: pd.DataFrame, sample_weights: Any) -> tuple[np.ndarray, ...]:
    check_frame(frame)
    if frame.empty:
        raise MuraError("no images to build a dataset from")
    paths = frame["path"].astype(str).to_numpy()
    labels = frame["label"].to_numpy(dtype=np.float32)
    if sample_weights is None:
        return paths, labels
    weights = np.asarray(sample_weights, dtype=np.float32)
    if weights.shape != (len(frame),):
        raise ValueError(f"sample_weights must have shape ({len(frame)},), got {weights.shape}")
    return paths, labels, weights


def decoded_dataset(
    frame: pd.DataFrame,
    *,
    image_size: tuple[int, int],
    channels: int = 3,
    grayscale: bool = False,
    cache: Cache = None,
) -> tf.data.Dataset:
    """Unbatched ``(image uint8 [H, W, C], label float32)`` in the frame's order.

    The first stage of both pipelines (with ``grayscale=True`` they store one channel
    whatever ``channels`` is), useful for looking at images and for benchmarks.
    """
    import tensorflow as tf

    _check_input(image_size, channels, "none")
    size = (int(image_size[0]), int(image_size[1]))
    paths, labels = _columns(frame, None)
    dataset = tf.data.Dataset.from_tensor_slices((paths, labels))
    return _decoded(dataset, (paths, labels), size, 1 if grayscale else channels, cache)


def _decoded(dataset, columns, image_size, channels, cache, salt: str = ""):
    import tensorflow as tf

    def decode(path, *rest):
        return (_decode_resize(path, image_size, channels), *rest)

    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    filename = _cache_file(cache, columns, image_size, channels, salt)
    return dataset if filename is None else dataset.cache(filename)


def training_dataset(
    frame: pd.DataFrame,
    *,
    image_size: tuple[int, int],
    channels: int = 3,
    preprocessing: Preprocessing = "unit",
    batch_size: int = 32,
    augment: AugmentConfig | bool | None = True,
    sample_weights: Sequence[float] | np.ndarray | None = None,
    cache: Cache = "memory",
    shuffle_buffer: int = 1024,
    seed: int = 0,
    grayscale: bool = True,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """The training pipeline: shuffled each epoch and, by default, augmented.

    Args:
        frame: image rows (see :data:`~mura_core.data.dataset.FRAME_COLUMNS`).
        image_size: ``(height, width)`` the images are resized to.
        channels: the model's channels, 1 or 3.
        preprocessing: the normalisation mode (:data:`PREPROCESSING_MODES`).
        batch_size: images per batch.
        augment: an :class:`AugmentConfig`, ``True`` for the default one, or
            ``False``/``None`` for none.
        sample_weights: one weight per row (see
            :func:`~mura_core.data.class_weights.sample_weights`); batches then carry a
            third element.
        cache: ``"memory"``, a directory for a file cache (keyed by everything the
            cached tensors hold: see ``mura_core.data.cache_key``), or ``None``.
        shuffle_buffer: elements of the shuffle buffer. The rows are also permuted once
            (by ``seed``) before decoding, so the cache itself is in random order.
        seed: seeds the permutation, the shuffling and the augmentation; the same seed
            gives the same sequence of batches.
        grayscale: decode files as luminance and replicate to ``channels`` at the end
            (see the module docstring); ``False`` decodes to ``channels`` directly.
        drop_remainder: drop the last, smaller batch.
    """
    import tensorflow as tf

    _check_input(image_size, channels, preprocessing)
    size = (int(image_size[0]), int(image_size[1]))
    config = AugmentConfig() if augment is True else (augment or None)
    columns = _columns(frame, sample_weights)
    order = np.random.default_rng(seed).permutation(len(frame))
    columns = tuple(column[order] for column in columns)
    dataset = tf.data.Dataset.from_tensor_slices(columns)
    salt = f"seed={seed}"  # the cache holds the permuted order
    dataset = _decoded(dataset, columns, size, 1 if grayscale else channels, cache, salt)
    dataset = dataset.shuffle(max(1, min(shuffle_buffer, len(frame))), seed=seed)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if config is None or config.is_identity:
        return _finish(dataset, preprocessing, channels, batch_size)
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

    # Two compiled steps: fused into one, XLA would redo the warp's gathers per channel.
    warp = _compiled(warp_batch, jit=config.fill_mode in ("constant", "nearest"))
    expand = _compiled(normalize)
    height, width = size

    def augment_and_normalize(batch, pair):
        images, *rest = batch
        stateless_seed = tf.cast(pair % (2**31 - 1), tf.int32)
        count = tf.shape(images)[0]
        images = _pad_batch(images, batch_size)  # uint8 from the cache
        transforms = affine_transforms(batch_size, height, width, config, stateless_seed)
        images = warp(images, transforms, config.fill_mode, config.fill_value)
        return (_unpad_batch(expand(images, preprocessing, channels), count), *rest)

    dataset = tf.data.Dataset.zip((dataset, seeds))
    dataset = dataset.map(augment_and_normalize, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def evaluation_dataset(
    frame: pd.DataFrame,
    *,
    image_size: tuple[int, int],
    channels: int = 3,
    preprocessing: str = "unit",
    batch_size: int = 32,
    sample_weights: Sequence[float] | np.ndarray | None = None,
    cache: Cache = None,
    grayscale: bool = True,
) -> tf.data.Dataset:
    """The evaluation pipeline: the frame's rows in order, never shuffled or augmented.

    Arguments as :func:`training_dataset`. Cache a validation set evaluated every epoch
    (``cache="memory"``) to decode it once.
    """
    import tensorflow as tf

    _check_input(image_size, channels, preprocessing)
    size = (int(image_size[0]), int(image_size[1]))
    columns = _columns(frame, sample_weights)
    dataset = tf.data.Dataset.from_tensor_slices(columns)
    dataset = _decoded(dataset, columns, size, 1 if grayscale else channels, cache)
    return _finish(dataset.batch(batch_size), preprocessing, channels, batch_size)


_COMPILED: dict[Any, Any] = {}


def _compiled(function, jit: bool = True):
    """``function`` compiled by XLA (element-wise work fuses into one pass, several times
    faster than TensorFlow's kernels on CPU); other arguments are static Python values.

    One compiled function per process, shared by every dataset, so XLA compiles once per
    shape (batches are padded to one shape), not once per dataset.
    """
    import tensorflow as tf

    if not jit:
        return function
    if function not in _COMPILED:
        _COMPILED[function] = tf.function(function, jit_compile=True, autograph=False)
    return _COMPILED[function]


def _pad_batch(images: tf.Tensor, batch_size: int) -> tf.Tensor:
    """Pad a (last, smaller) batch to ``batch_size``, so compiled steps see one shape and
    XLA compiles once (the padding is sliced off afterwards)."""
    import tensorflow as tf

    missing = batch_size - tf.shape(images)[0]
    padded = tf.pad(images, [[0, missing], [0, 0], [0, 0], [0, 0]])
    return tf.ensure_shape(padded, [batch_size, *images.shape[1:]])


def _unpad_batch(images: tf.Tensor, count: tf.Tensor) -> tf.Tensor:
    """The first ``count`` images (without copying a full batch)."""
    import tensorflow as tf

    return tf.cond(count < tf.shape(images)[0], lambda: images[:count], lambda: images)


def _finish(dataset, preprocessing: str, channels: int, batch_size: int):
    import tensorflow as tf

    expand = _compiled(normalize)

    def prepare(images, *rest):
        count = tf.shape(images)[0]
        images = expand(_pad_batch(images, batch_size), preprocessing, channels)
        return (_unpad_batch(images, count), *rest)

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def pipeline_for_model(
    name: str | ParsedName, frame: pd.DataFrame, *, training: bool, **options: Any
) -> tf.data.Dataset:
    """:func:`training_dataset` or :func:`evaluation_dataset` for the model ``name``.

    Image size, channels and normalisation come from the name (``in.H.W.C``, or a parsed
    name) and its family; ``options`` are passed on (``batch_size``, ``augment``, ``cache``...).
    """
    spec = input_spec(name)
    build = training_dataset if training else evaluation_dataset
    return build(
        frame,
        image_size=spec.image_size,
        channels=spec.channels,
        preprocessing=spec.preprocessing,
        **options,
    )
