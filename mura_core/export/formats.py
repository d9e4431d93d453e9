"""Writing a serving graph in each export format, and each format's parity tolerance.

Keras 3's own ``model.export`` writes every format (SavedModel, LiteRT through the
TFLite converter, ONNX through tf2onnx), from the same graph
(``mura_core.export.graph.serving_graph``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mura_core.errors import MuraError
from mura_core.native import silenced_stderr
from mura_core.vocabulary import EXPORT_FORMATS, ExportFormat, Quantize

__all__ = ["ARTIFACT_FILES", "EXTRAS", "TOLERANCES", "tolerance", "write_artifact"]

#: The artifact each format writes in the output folder.
ARTIFACT_FILES: dict[str, str] = {
    "savedmodel": "saved_model",
    "tflite": "model.tflite",
    "onnx": "model.onnx",
}

#: The largest difference in probability between an artifact and its run that
#: ``mura export`` accepts, per format (and TFLite quantisation). Float32 graphs differ
#: only by the order of floating-point operations; float16 weights by about 1e-3;
#: int8 by the quantisation of weights and activations.
TOLERANCES: dict[str, float] = {
    "savedmodel": 1e-5,
    "onnx": 1e-4,
    "tflite": 1e-4,
    "tflite+float16": 1e-2,
    "tflite+int8": 0.15,
}

#: The Python modules each format needs beyond TensorFlow, and the extra providing them.
EXTRAS: dict[str, tuple[tuple[str, ...], str]] = {
    "savedmodel": ((), ""),
    "tflite": (("ai_edge_litert",), "export"),
    "onnx": (("tf2onnx", "onnx", "onnxruntime"), "export"),
}


def tolerance(format: str, quantize: Quantize = "none") -> float:
    """The parity tolerance of ``format`` (with ``quantize`` for TFLite)."""
    return TOLERANCES[format if quantize == "none" else f"{format}+{quantize}"]


def check_available(format: str) -> None:
    """Raise a one-line :class:`MuraError` when a module ``format`` needs is missing."""
    import importlib.util

    if format not in EXPORT_FORMATS:
        raise MuraError(f"unknown export format {format!r} (expected {', '.join(EXPORT_FORMATS)})")
    modules, extra = EXTRAS[format]
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        raise MuraError(
            f"{format} export needs {', '.join(missing)}: "
            f"pip install 'mura-registry[{extra}]'"
        )


def _tflite_options(
    quantize: Quantize, calibration: Callable[[], Iterable[dict[str, Any]]] | None
) -> dict[str, Any]:
    import tensorflow as tf

    if quantize == "none":
        return {}
    options: dict[str, Any] = {"optimizations": [tf.lite.Optimize.DEFAULT]}
    if quantize == "float16":
        options["target_spec"] = {"supported_types": [tf.float16]}
    elif quantize == "int8":
        if calibration is None:
            raise MuraError("int8 quantisation needs calibration images (--data)")
        options["representative_dataset"] = calibration
    return options


def write_artifact(
    model: Any,
    format: ExportFormat,
    folder: Path,
    *,
    quantize: Quantize = "none",
    calibration: Callable[[], Iterable[dict[str, Any]]] | None = None,
) -> Path:
    """Write ``model`` (a serving graph) as ``format`` in ``folder``; return its path.

    ``calibration`` yields input dictionaries (``{"image": uint8 [1, H, W, 1]}``) for
    int8 quantisation.
    """
    check_available(format)
    if quantize != "none" and format != "tflite":
        raise MuraError(f"--quantize applies to tflite exports only, not {format}")
    import warnings

    path = folder / ARTIFACT_FILES[format]
    with warnings.catch_warnings():
        # tf2onnx's numpy probe and the TFLite calibrator's own interpreter warn
        warnings.simplefilter("ignore", (FutureWarning, UserWarning, DeprecationWarning))
        _export(model, format, path, _tflite_options(quantize, calibration))
    return path


def _export(model: Any, format: str, path: Path, options: dict[str, Any]) -> None:
    if format == "savedmodel":
        model.export(str(path), format="tf_saved_model", verbose=False)
    elif format == "tflite":
        with silenced_stderr():  # the converter's and calibrator's native logging
            model.export(str(path), format="litert", verbose=False, **options)
    else:
        model.export(str(path), format="onnx", verbose=False)
