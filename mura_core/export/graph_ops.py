"""The operations in an exported artifact, read from its file without running it.

An artifact is a program: a SavedModel's graph can hold any TensorFlow operation
(``WriteFile``, ``PyFunc``...), a TFLite file custom or ``Flex`` operations, an ONNX file
operations of any domain. Before :mod:`~mura_core.export.artifact` runs one, each of its
operations is checked against :mod:`~mura_core.export.allowed_ops`, what ``mura export``
itself emits (:func:`check_ops`); the first other one is refused in one line.

* SavedModel: the nodes of ``saved_model.pb``'s graphs and of every function of their
  libraries, read as protocol buffers. The checkpoint operations of the exporter's own
  saver (``SaveV2``, ``RestoreV2``...) are allowed only in the functions that nothing but
  the ``saver_def``'s nodes call, which TensorFlow 2's loader never runs (it restores the
  variables itself); a SavedModel without an object graph (TensorFlow 1's format, whose
  loader runs its saver) is refused.
* TFLite: the operator codes of the flatbuffer (a custom operation by its name).
* ONNX: the nodes of the graph, of the graphs in its nodes' attributes, and of its local
  functions, by domain and type; tensors naming external data files are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mura_core.errors import MuraError
from mura_core.export.allowed_ops import (
    ALLOWED_ONNX_OPS,
    ALLOWED_SAVEDMODEL_OPS,
    ALLOWED_TFLITE_OPS,
    SAVER_OPS,
)

__all__ = ["artifact_ops", "check_ops", "onnx_ops", "savedmodel_ops", "tflite_ops"]


def _functions_in(values: Iterable[Any]) -> Iterator[str]:
    """The function names in attribute values (``func``, lists of them, and the
    attributes of those, recursively)."""
    for value in values:
        functions = [value.func] if value.func.name else []
        for function in [*functions, *value.list.func]:
            yield function.name
            yield from _functions_in(function.attr.values())


def _called(node: Any, library: set[str]) -> Iterator[str]:
    """The library functions a node calls: as its op, or through function attributes."""
    if node.op in library:
        yield node.op
    yield from _functions_in(node.attr.values())


def _closure(roots: Iterable[str], bodies: dict[str, Any], library: set[str]) -> set[str]:
    """The functions reachable from ``roots`` through calls."""
    seen: set[str] = set()
    stack = [name for name in roots if name in library]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack += [f for node in bodies[name].node_def for f in _called(node, library)]
    return seen


def _object_graph_functions(meta_graph: Any) -> set[str]:
    """The functions a SavedModel's object graph refers to (what the loader restores)."""
    graph = meta_graph.object_graph_def
    names = set(graph.concrete_functions)
    for node in graph.nodes:
        kind = node.WhichOneof("kind")
        if kind == "function":
            names.update(node.function.concrete_functions)
        elif kind == "bare_concrete_function":
            names.add(node.bare_concrete_function.concrete_function_name)
    return names


def _meta_graph_ops(meta_graph: Any) -> tuple[set[str], set[str]]:
    """Ops anything may run, and ops only the saver runs, in one meta graph."""
    graph = meta_graph.graph_def
    bodies = {function.signature.name: function for function in graph.library.function}
    library = set(bodies)
    saver = meta_graph.saver_def
    saver_nodes = {
        name.lstrip("^").split(":")[0]
        for name in (saver.save_tensor_name, saver.restore_op_name)
        if name
    }
    roots = [f for node in graph.node if node.name not in saver_nodes
             for f in _called(node, library)]  # fmt: skip
    run = _closure([*roots, *_object_graph_functions(meta_graph)], bodies, library)
    saver_roots = [f for node in graph.node if node.name in saver_nodes
                   for f in _called(node, library)]  # fmt: skip
    saver_only = _closure(saver_roots, bodies, library) - run
    ops = {node.op for node in graph.node}
    ops |= {node.op for name in library - saver_only for node in bodies[name].node_def}
    saver_ops = {node.op for name in saver_only for node in bodies[name].node_def}
    return ops - library, saver_ops - library


def savedmodel_ops(path: Path) -> tuple[set[str], set[str]]:
    """The operations of the SavedModel folder ``path``: those anything may run, and
    those only its saver's functions hold (never run by TensorFlow 2's loader).

    Raises:
        MuraError: no readable ``saved_model.pb``, or no object graph in it.
    """
    from tensorflow.python.saved_model.loader_impl import parse_saved_model

    try:
        saved_model = parse_saved_model(str(path))
    except (OSError, ValueError) as error:
        raise MuraError(f"{path}: not a readable SavedModel ({_first_line(error)})") from None
    ops: set[str] = set()
    saver_ops: set[str] = set()
    for meta_graph in saved_model.meta_graphs:
        if not meta_graph.HasField("object_graph_def"):
            raise MuraError(f"{path}: a TensorFlow 1 SavedModel (no object graph), which "
                            "mura export does not write")  # fmt: skip
        run, saver = _meta_graph_ops(meta_graph)
        ops |= run
        saver_ops |= saver
    if not saved_model.meta_graphs:
        raise MuraError(f"{path}: a SavedModel without a graph")
    return ops, saver_ops


def tflite_ops(path: Path) -> set[str]:
    """The operator codes of the TFLite file ``path``: builtin names (``CONV_2D``), or
    ``CUSTOM:<name>`` for a custom operation (``CUSTOM:FlexWriteFile``)."""
    from ai_edge_litert import schema_py_generated as schema

    names = {value: name for name, value in vars(schema.BuiltinOperator).items()
             if not name.startswith("_")}  # fmt: skip
    try:
        model = schema.Model.GetRootAs(path.read_bytes(), 0)
        codes = [model.OperatorCodes(i) for i in range(model.OperatorCodesLength())]
        ops = set()
        for code in codes:
            builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
            name = names.get(builtin, f"builtin {builtin}")
            if name == "CUSTOM":
                name = f"CUSTOM:{(code.CustomCode() or b'').decode('utf-8', 'replace')}"
            ops.add(name)
    except Exception as error:  # flatbuffers raises whatever a bad offset leads to
        raise MuraError(f"{path}: not a readable TFLite model ({_first_line(error)})") from None
    return ops


def _onnx_graph_ops(graph: Any) -> Iterator[str]:
    import onnx

    for node in graph.node:
        yield f"{node.domain or 'ai.onnx'}:{node.op_type}"
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                yield from _onnx_graph_ops(attribute.g)
            for subgraph in attribute.graphs:
                yield from _onnx_graph_ops(subgraph)


def onnx_ops(path: Path) -> set[str]:
    """The operations of the ONNX file ``path``, as ``domain:type`` (``ai.onnx:Conv``),
    including those of subgraphs and local functions."""
    try:
        import onnx
    except ImportError:
        raise MuraError("checking an onnx artifact needs onnx: "
                        "pip install 'mura-registry[export]'") from None  # fmt: skip
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as error:  # protobuf's DecodeError and onnx's own
        raise MuraError(f"{path}: not a readable ONNX model ({_first_line(error)})") from None
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    if any(uses_external_data(tensor) for tensor in _get_all_tensors(model)):
        raise MuraError(f"{path}: refused to run: its tensors name external data files, "
                        "which mura export never writes")  # fmt: skip
    ops = set(_onnx_graph_ops(model.graph))
    for function in model.functions:
        ops |= set(_onnx_graph_ops(function))
    return ops


def artifact_ops(format: str, path: Path) -> set[str]:
    """Every operation of the ``format`` artifact at ``path`` that may run."""
    if format == "savedmodel":
        return savedmodel_ops(path)[0]
    return tflite_ops(path) if format == "tflite" else onnx_ops(path)


def check_ops(format: str, path: Path) -> None:
    """Refuse an artifact holding an operation ``mura export`` does not emit.

    Raises:
        MuraError: naming the first such operation (alphabetically) and how many more.
    """
    allowed = {"savedmodel": ALLOWED_SAVEDMODEL_OPS, "tflite": ALLOWED_TFLITE_OPS,
               "onnx": ALLOWED_ONNX_OPS}[format]  # fmt: skip
    if format == "savedmodel":
        ops, saver_ops = savedmodel_ops(path)
        refused = sorted((ops - allowed) | (saver_ops - allowed - SAVER_OPS))
    else:
        refused = sorted(artifact_ops(format, path) - allowed)
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        raise MuraError(f"{path}: refused to run: the graph holds operation {refused[0]}"
                        f"{more}, which mura export never writes")  # fmt: skip


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:200] if lines else type(error).__name__
