"""Export folders crafted by hand, as someone handing over a hostile one would: graphs
that write files, records that lie about their artifacts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SIZE = 32
IMAGE = {"name": "image", "shape": [None, SIZE, SIZE, 1], "dtype": "uint8"}
PROBABILITY = {"name": "probability", "shape": [None], "dtype": "float32"}


def minimal_record(format: str = "savedmodel", file: str = "saved_model") -> dict[str, Any]:
    """The least ``export.json`` naming one artifact."""
    entry = {"format": format, "file": file, "inputs": [IMAGE], "outputs": [PROBABILITY]}
    return copy.deepcopy({"run": "crafted", "artifacts": {format: entry}})


def write_record(folder: Path, record: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "export.json").write_text(json.dumps(record), encoding="utf-8")
    return folder


def _writing_function(target: Path, how: str = "write_file") -> Any:
    """A serving function that writes ``target`` each time it runs: with
    ``tf.io.write_file``, or as a checkpoint (``SaveV2``, the saver's own operation)."""
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([None, SIZE, SIZE, 1], tf.uint8, name="image")])
    def serve(image: Any) -> dict[str, Any]:
        probability = tf.reduce_mean(tf.cast(image, tf.float32), axis=[1, 2, 3])
        if how == "write_file":
            tf.io.write_file(str(target), "written by the artifact")
        else:
            tf.raw_ops.SaveV2(prefix=str(target), tensor_names=["p"], shape_and_slices=[""],
                              tensors=[probability])  # fmt: skip
        return {"probability": probability}

    return serve


def writing_savedmodel(folder: Path, target: Path, how: str = "write_file") -> Path:
    """An export folder whose SavedModel's signature writes ``target`` (``how``: see
    :func:`_writing_function`)."""
    import tensorflow as tf

    module = tf.Module()
    module.serve = _writing_function(target, how)
    tf.saved_model.save(module, str(folder / "saved_model"),
                        signatures={"serving_default": module.serve})  # fmt: skip
    return write_record(folder, minimal_record())


def checkpointing_savedmodel(folder: Path, target: Path) -> Path:
    """An export folder whose SavedModel's signature writes a checkpoint at ``target``."""
    return writing_savedmodel(folder, target, how="SaveV2")


def writing_tflite(folder: Path, target: Path) -> Path:
    """An export folder whose TFLite model writes ``target`` (a ``Flex`` operation)."""
    import tensorflow as tf

    serve = _writing_function(target)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS,
                                           tf.lite.OpsSet.SELECT_TF_OPS]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.tflite").write_bytes(converter.convert())
    return write_record(folder, minimal_record("tflite", "model.tflite"))


def foreign_onnx(folder: Path) -> Path:
    """An export folder whose ONNX graph calls an operation of a foreign domain."""
    import onnx
    from onnx import TensorProto, helper

    node = helper.make_node("Shell", ["image"], ["probability"], domain="evil.ops")
    graph = helper.make_graph(
        [node], "crafted",
        [helper.make_tensor_value_info("image", TensorProto.UINT8, [None, SIZE, SIZE, 1])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, [None])],
    )  # fmt: skip
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("evil.ops", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(folder / "model.onnx"))
    return write_record(folder, minimal_record("onnx", "model.onnx"))
