"""The operations ``mura export`` writes, per format: what an artifact may hold.

Derived, not guessed: ``python -m tests.export.exported_ops`` exports an example of every
built-in family (custom and FeedForward CNNs, DenseNet, ResNet and ResNet v2, with their
heads and poolings) and both ensemble combinations (``avg``, ``route``) in every format
(TFLite also float16 and int8) and prints their operations; the export tests check that
every artifact they write holds only these. No file, process, network or Python-calling
operation is among them (a test checks that too). A new family whose layers need another
operation adds it here, with its export in the tests.

``mura_core.export.graph_ops.check_ops`` refuses any other operation.
"""

from __future__ import annotations

__all__ = ["ALLOWED_ONNX_OPS", "ALLOWED_SAVEDMODEL_OPS", "ALLOWED_TFLITE_OPS", "SAVER_OPS"]

#: TensorFlow operations of a SavedModel's graph and of the functions its signatures and
#: object graph call.
ALLOWED_SAVEDMODEL_OPS: frozenset[str] = frozenset(
    {
        "AddV2",
        "AssignVariableOp",
        "AvgPool",
        "BiasAdd",
        "BroadcastTo",
        "Cast",
        "ConcatV2",
        "Const",
        "Conv2D",
        "Identity",
        "MatMul",
        "Max",
        "MaxPool",
        "Mean",
        "Mul",
        "NoOp",
        "OneHot",
        "Pack",
        "Pad",
        "Placeholder",
        "ReadVariableOp",
        "RealDiv",
        "Relu",
        "Reshape",
        "Rsqrt",
        "Shape",
        "Sigmoid",
        "Squeeze",
        "StatefulPartitionedCall",
        "StridedSlice",
        "Sub",
        "Sum",
        "VarHandleOp",
        "VarIsInitializedOp",
    }
)

#: Checkpoint operations of the exporter's own saver, allowed only in the functions that
#: nothing but the SavedModel's ``saver_def`` calls (TensorFlow 2's loader never runs them).
SAVER_OPS: frozenset[str] = frozenset(
    {
        "DisableCopyOnRead",
        "MergeV2Checkpoints",
        "RestoreV2",
        "SaveV2",
        "Select",
        "ShardedFilename",
        "StaticRegexFullMatch",
        "StringJoin",
    }
)

#: TFLite builtin operators (no custom or ``Flex`` operation).
ALLOWED_TFLITE_OPS: frozenset[str] = frozenset(
    {
        "ADD",
        "AVERAGE_POOL_2D",
        "BROADCAST_TO",
        "CAST",
        "CONCATENATION",
        "CONV_2D",
        "DEQUANTIZE",
        "DIV",
        "EMBEDDING_LOOKUP",
        "FULLY_CONNECTED",
        "LOGISTIC",
        "MAX_POOL_2D",
        "MEAN",
        "MUL",
        "PACK",
        "PAD",
        "QUANTIZE",
        "REDUCE_MAX",
        "RESHAPE",
        "SHAPE",
        "STRIDED_SLICE",
        "SUM",
    }
)

#: ONNX operations, as ``domain:type`` (the default domain only).
ALLOWED_ONNX_OPS: frozenset[str] = frozenset(
    {
        "ai.onnx:Add",
        "ai.onnx:AveragePool",
        "ai.onnx:Cast",
        "ai.onnx:Concat",
        "ai.onnx:Conv",
        "ai.onnx:Div",
        "ai.onnx:Expand",
        "ai.onnx:Gather",
        "ai.onnx:GlobalAveragePool",
        "ai.onnx:GlobalMaxPool",
        "ai.onnx:MatMul",
        "ai.onnx:MaxPool",
        "ai.onnx:Mul",
        "ai.onnx:OneHot",
        "ai.onnx:Pad",
        "ai.onnx:ReduceMean",
        "ai.onnx:ReduceSum",
        "ai.onnx:Relu",
        "ai.onnx:Reshape",
        "ai.onnx:Shape",
        "ai.onnx:Sigmoid",
        "ai.onnx:Slice",
        "ai.onnx:Squeeze",
        "ai.onnx:Transpose",
        "ai.onnx:Unsqueeze",
    }
)
