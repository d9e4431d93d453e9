"""Grad-CAM heatmaps through the layer a family declares (never guessed from names).

For an image, Grad-CAM weighs each channel of the declared feature map by the mean
gradient of the model's output logit with respect to it, sums the channels, keeps the
positive part and scales it to [0, 1] (Selvaraju et al., 2017). The map is resized to
the original image's pixels, where its peak is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mura_core.errors import MuraError

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["Explanation", "explain_batch", "explain_frame", "explain_layer", "gradcam"]


@dataclass
class Explanation:
    """One image's probability and Grad-CAM heatmap.

    Attributes:
        path / study / body_part: the image, its study folder and body part.
        probability: the model's probability that the image is abnormal.
        heatmap: ``float32 [height, width]`` in [0, 1], in the original image's pixels.
        peak: ``(x, y)``: column and row of the heatmap's maximum (original pixels).
        flat: the heatmap is zero everywhere (the layer gives no positive evidence);
            its peak then means nothing.
        layer: the layer explained.
    """

    path: str
    study: str
    body_part: str | None
    probability: float
    heatmap: np.ndarray
    peak: tuple[int, int]
    flat: bool
    layer: str

    def as_dict(self, heatmap_file: str | None = None) -> dict[str, Any]:
        """JSON view (``mura explain --json``): everything but the heatmap's pixels."""
        return {
            "path": self.path,
            "study": self.study,
            "body_part": self.body_part,
            "probability": self.probability,
            "heatmap": heatmap_file,
            "peak": {"x": self.peak[0], "y": self.peak[1]},
            "flat": self.flat,
            "layer": self.layer,
        }


def explain_layer(parsed: Any) -> str:
    """The layer the family of ``parsed`` declares for explanations.

    Raises:
        MuraError: the family declares none (its models cannot be explained).
    """
    layer = parsed.family.explain_layer_of(parsed.spec)
    if layer is None:
        raise MuraError(
            f"family {parsed.family.name!r} declares no explain layer: its models cannot be "
            "explained (a family declares one with Family(explain_layer=...))"
        )
    return layer


def gradcam(model: Any, layer: str, images: Any) -> tuple[np.ndarray, np.ndarray]:
    """Grad-CAM maps ``[B, h, w]`` in [0, 1] at the layer's resolution, and probabilities.

    The gradient is taken of the output's logit when the model ends in a sigmoid
    ``Dense`` layer (every family's output): the probability's gradient vanishes on
    confident predictions (exactly 0 in float32 at p = 1), the logit's does not. The
    whole batch goes through one compiled graph, traced once per model and layer.
    """
    import keras

    try:
        feature_layer = model.get_layer(layer)
    except ValueError:
        raise MuraError(f"model {model.name} has no layer {layer!r} to explain") from None
    maps, probabilities = _compiled(model, feature_layer)(images)
    return keras.ops.convert_to_numpy(maps), keras.ops.convert_to_numpy(probabilities)


#: The compiled Grad-CAM of the last model explained: ``(model, layer name, function)``.
#: Holding the model keeps its ``id`` from being reused by another one.
_COMPILED: list[tuple[Any, str, Any]] = []


def _compiled(model: Any, feature_layer: Any) -> Any:
    """``images -> (maps, probabilities)``, compiled once for any batch size; cached for
    one model and layer at a time (older models are not kept alive)."""
    if _COMPILED and _COMPILED[0][0] is model and _COMPILED[0][1] == feature_layer.name:
        return _COMPILED[0][2]
    _COMPILED.clear()
    function = _heatmap_function(model, feature_layer)
    _COMPILED.append((model, feature_layer.name, function))
    return function


def _heatmap_function(model: Any, feature_layer: Any) -> Any:
    """Build the compiled Grad-CAM of ``feature_layer`` (see :func:`gradcam`)."""
    import keras
    import tensorflow as tf

    head = model.layers[-1]
    sigmoid = getattr(getattr(head, "activation", None), "__name__", "") == "sigmoid"
    if sigmoid and getattr(head, "kernel", None) is not None:
        probe = keras.Model(model.inputs, [feature_layer.output, head.input])
    else:
        head, probe = None, keras.Model(model.inputs, [feature_layer.output, model.output])
    (inputs,) = model.inputs
    signature = tf.TensorSpec((None, *inputs.shape[1:]), inputs.dtype)

    @tf.function(input_signature=[signature])
    def heatmaps(images: Any) -> tuple[Any, Any]:
        with tf.GradientTape() as tape:
            features, last = probe(images, training=False)
            tape.watch(features)
            score = (last @ head.kernel + head.bias)[:, 0] if head is not None else last[:, 0]
        gradients = tape.gradient(score, features)
        weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
        maps = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1))
        peak = tf.reduce_max(maps, axis=(1, 2), keepdims=True)
        maps = tf.math.divide_no_nan(maps, peak)
        return maps, tf.sigmoid(score) if head is not None else score

    return lambda images: heatmaps(tf.cast(images, signature.dtype))


def _upsample(cam: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a map to ``size`` = (width, height), bilinear, values kept in [0, 1]."""
    from PIL import Image

    resized = Image.fromarray(cam.astype(np.float32), mode="F").resize(size, Image.BILINEAR)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def explain_batch(
    model: Any, layer: str, images: Any, rows: Sequence[dict[str, Any]]
) -> list[Explanation]:
    """Explain one batch: ``images`` from the model's evaluation pipeline and their frame
    ``rows`` (``path``, ``study``, ``body_part``); heatmaps resized to each original."""
    from mura_core.data.images import image_size

    maps, scores = gradcam(model, layer, images)
    explanations = []
    for cam, score, row in zip(maps, scores, rows, strict=True):
        heatmap = _upsample(cam, image_size(row["path"]))
        row_index, column = np.unravel_index(int(np.argmax(heatmap)), heatmap.shape)
        explanations.append(
            Explanation(
                path=str(row["path"]),
                study=str(row.get("study") or Path(row["path"]).parent),
                body_part=row.get("body_part") or None,
                probability=float(score),
                heatmap=heatmap,
                peak=(int(column), int(row_index)),
                flat=not bool(np.max(cam) > 0),
                layer=layer,
            )
        )
    return explanations


def explain_frame(
    model: Any,
    frame: pd.DataFrame,
    name: str | ParsedName,
    layer: str,
    *,
    batch_size: int = 16,
    progress: bool = False,
) -> list[Explanation]:
    """Explain every image of ``frame`` (columns ``path``, ``study``, ``body_part``).

    Images go through the evaluation pipeline of the model ``name`` (a name or its parse),
    as for predictions.
    """
    import sys

    from tqdm import tqdm

    from mura_core.inference import inference_batches

    if frame.empty:
        raise MuraError("no images to explain")
    rows = frame.to_dict("records")
    explanations: list[Explanation] = []
    batches = inference_batches(name, frame, batch_size).map(lambda images, *rest: images)
    with tqdm(total=len(rows), unit="image", file=sys.stderr, disable=not progress,
              leave=False) as bar:  # fmt: skip
        for images in batches:
            done = len(explanations)
            batch_rows = rows[done : done + len(images)]
            explanations.extend(explain_batch(model, layer, images, batch_rows))
            bar.update(len(batch_rows))
    return explanations
