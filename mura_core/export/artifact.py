"""Running an exported artifact: the SavedModel, LiteRT or ONNX file of ``mura export``.

Nothing here imports the registry or any plugin: an export folder is enough, so that
``mura submit`` runs from it inside a container that has no model families installed.
The folder's ``export.json`` (:mod:`~mura_core.export.record`) records, per format, the
artifact's file and signature and the run it came from. An export folder is untrusted:
its record is validated, its artifact must lie inside it, and the artifact's operations
are checked (``mura_core.export.graph_ops``) before it is loaded or run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mura_core.errors import MuraError
from mura_core.export.record import (
    EXPORT_JSON,
    ArtifactRecord,
    artifact_path,
    read_export_record,
)

__all__ = ["EXPORT_JSON", "Artifact", "export_folder_of", "load_artifact"]

_PREFERENCE = ("savedmodel", "onnx", "tflite")


@dataclass
class Artifact:
    """An exported model, ready to predict.

    Attributes:
        run: the run name it was exported from.
        format: ``savedmodel``, ``tflite`` or ``onnx``.
        path: the artifact's file (or folder, for a SavedModel), inside its export folder.
        record: the artifact's entry in ``export.json``.
        passed_over: the other formats of its folder, when it was chosen by preference
            (no format asked for, the folder given); empty otherwise.
    """

    run: str
    format: str
    path: Path
    record: ArtifactRecord
    passed_over: tuple[str, ...] = ()
    _runner: Any = None

    @property
    def image_size(self) -> tuple[int, int]:
        """``(height, width)`` of the ``image`` input."""
        return self.record.image_size

    @property
    def route(self) -> bool:
        """It takes a ``body_part`` input (a ``route`` ensemble)."""
        return self.record.route

    def predict(self, images: np.ndarray, body_parts: np.ndarray | None = None) -> np.ndarray:
        """Probabilities ``float64 [batch]`` of ``uint8 [batch, H, W, 1]`` images.

        ``body_parts`` (``int32 [batch]``, indices in :data:`registry.BODY_PARTS`) is
        required by a ``route`` artifact and ignored otherwise.
        """
        images = np.ascontiguousarray(images, dtype=np.uint8)
        inputs: dict[str, np.ndarray] = {"image": images}
        if self.route:
            if body_parts is None:
                raise MuraError(f"{self.path} routes by body part: give each image's body part")
            inputs["body_part"] = np.ascontiguousarray(body_parts, dtype=np.int32)
        if self._runner is None:
            self._runner = _open(self.format, self.path)
        try:
            probabilities = self._runner(inputs)
        except Exception as error:  # a graph that does not match its record
            raise MuraError(f"{self.path}: the {self.format} artifact failed to run "
                            f"({_first_line(error)})") from None  # fmt: skip
        return np.asarray(probabilities, dtype=np.float64).reshape(-1)

    def predict_frame(self, frame: Any, *, batch_size: int = 32) -> np.ndarray:
        """Probabilities of the image files in ``frame`` (columns ``path`` and, for a
        ``route`` artifact, ``body_part``), in row order.

        Files are decoded and resized as ``mura predict`` does (luminance, bilinear).
        """
        from mura_core.data.dataset import with_frame_columns
        from mura_core.data.pipeline import decoded_dataset

        rows = with_frame_columns(frame)
        dataset = decoded_dataset(rows, image_size=self.image_size, channels=1, grayscale=True)
        parts = None
        if self.route:
            order = {part: index for index, part in enumerate(self.record.body_part_index or [])}
            parts = np.array([order.get(str(p), -1) for p in rows["body_part"]], np.int32)
        results, start = [], 0
        batches = dataset.batch(batch_size).prefetch(2)  # decode while the artifact runs
        for images, _ in batches.as_numpy_iterator():
            stop = start + len(images)
            results.append(self.predict(images, None if parts is None else parts[start:stop]))
            start = stop
        return np.concatenate(results) if results else np.zeros(0)


def _savedmodel(path: Path) -> Any:
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    return lambda inputs: serve(**{k: tf.constant(v) for k, v in inputs.items()})[
        "probability"
    ].numpy()


def _tflite(path: Path) -> Any:
    from ai_edge_litert.interpreter import Interpreter

    from mura_core.native import silenced_stderr

    runner = Interpreter(model_path=str(path)).get_signature_runner()
    announced = []

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray:
        if announced:
            return runner(**inputs)["probability"]
        with silenced_stderr():  # the XNNPACK delegate announces itself from C++
            announced.append(True)
            return runner(**inputs)["probability"]

    return run


def _onnx(path: Path) -> Any:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return lambda inputs: session.run(["probability"], inputs)[0]


_RUNNERS = {"savedmodel": _savedmodel, "tflite": _tflite, "onnx": _onnx}


def _open(format: str, path: Path) -> Any:
    """The runner of the artifact at ``path``, once its operations are checked."""
    from mura_core.export.graph_ops import check_ops

    try:
        check_ops(format, path)  # before anything of it is loaded
        return _RUNNERS[format](path)
    except ImportError as error:
        raise MuraError(f"running a {format} artifact needs {error.name}: "
                        "pip install 'mura-registry[export]'") from None  # fmt: skip
    except MuraError:
        raise
    except Exception as error:  # a runtime refusing a file that passed the checks
        raise MuraError(f"{path}: the {format} artifact does not load "
                        f"({_first_line(error)})") from None  # fmt: skip


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:300] if lines else type(error).__name__


def export_folder_of(path: str | Path) -> Path | None:
    """The export folder ``path`` names: itself, or the folder of one of the artifacts
    its ``export.json`` records (None: not an export).

    Raises:
        MuraError: an ``export.json`` that is not a valid export record.
    """
    path = Path(path)
    if path.is_dir() and (path / EXPORT_JSON).is_file():
        return path
    record = read_export_record(path.parent) if path.name != EXPORT_JSON else None
    if record is not None and any(path.parent / e.file == path for e in record.artifacts.values()):
        return path.parent
    return None


def load_artifact(path: str | Path, format: str | None = None) -> Artifact:
    """The artifact of an export folder (or of one of its artifact files).

    With several formats in the folder, ``format`` chooses one (default: the first of
    SavedModel, ONNX, TFLite present, the others named in :attr:`Artifact.passed_over`).
    Nothing of the artifact is loaded yet; its operations are checked when it first
    predicts.

    Raises:
        MuraError: no export record or an invalid one, no artifact of that format, or
            an artifact path leaving the folder.
    """
    path = Path(path)
    folder = path if path.is_dir() and (path / EXPORT_JSON).is_file() else path.parent
    record = read_export_record(folder)
    if record is None:
        raise MuraError(f"{path}: not an export folder (no {EXPORT_JSON}; see mura export)")
    artifacts = record.artifacts
    if path != folder:  # an artifact file, or the saved_model folder
        named = [f for f, entry in artifacts.items() if folder / entry.file == path]
        if not named:
            raise MuraError(f"{path}: not an artifact {folder / EXPORT_JSON} records")
        if format not in (None, named[0]):
            raise MuraError(f"{path} is the {named[0]} artifact, not {format}")
        format = named[0]
    preferred = format is None
    format = format or next((f for f in _PREFERENCE if f in artifacts), None)
    if format not in artifacts:
        present = ", ".join(sorted(artifacts)) or "none"
        raise MuraError(f"{folder} holds no {format} export (exported: {present})")
    entry = artifacts[format]  # type: ignore[index]
    others = tuple(f for f in _PREFERENCE if f in artifacts and f != format) if preferred else ()
    return Artifact(record.run, entry.format, artifact_path(folder, entry), entry, others)
