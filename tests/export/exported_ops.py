"""The operations ``mura export`` writes, per format, for every built-in family and both
ensemble combinations: what :mod:`mura_core.export.allowed_ops` lists.

Run ``python -m tests.export.exported_ops`` to print them (several minutes: every
family's example is built with random weights at 32x32 and exported in every format;
the CNNs and ensembles also as float16 and int8 TFLite, whose operations are the same
builtins whatever the family). The tests check the artifacts their fixtures export
against the list.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

#: One small example per built-in family and head (the ops differ by family, pooling
#: and head, not by size).
NAMES = (
    "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25",
    "cnn_in.32.32.3_cl.2.1_f.8_ck.3.3_p.avg_ps.2.2_pstr.2.2_spdp.0.25",
    "ffcnn_in.32.32.3_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25",
    "densenet121_in.32.32.3_p.max_m.16.16_mdp.0.25",
    "resnet50_in.32.32.3_p.avg",
    "resnet50v2_in.32.32.3_p.max",
)
#: Families whose TFLite is also written quantised (the others' builtins are the same).
QUANTISED = ("cnn", "ffcnn")
MEMBER = NAMES[0]


def _single(name: str) -> Any:
    import registry

    return SimpleNamespace(model=registry.build(name, weights=None), name=name)


def _ensemble(combination: str) -> Any:
    """An ensemble of two members (random weights), as ``load_run`` returns one."""
    specs = [SimpleNamespace(key="XR_HAND", body_part="XR_HAND"),
             SimpleNamespace(key="XR_WRIST", body_part="XR_WRIST")]  # fmt: skip
    members = {spec.key: _single(MEMBER) for spec in specs}
    return SimpleNamespace(specs=specs, members=members, combination=combination,
                           predict_rows=None)  # fmt: skip


def _calibration(graph: Any) -> Any:
    def images():
        for seed in range(4):
            image = np.random.default_rng(seed).integers(0, 255, (1, *graph.image_size, 1))
            item = {"image": image.astype(np.uint8)}
            if graph.route:
                item["body_part"] = np.array([seed % 3], np.int32)
            yield item

    return images


def exported_ops(loaded: Any, work: Path, quantised: bool = True) -> dict[str, set[str]]:
    """The operations of ``loaded``'s serving graph written in each format (TFLite also
    float16 and int8 when ``quantised``), by format; the SavedModel's saver-only ones as
    ``saver``."""
    from mura_core.export.formats import write_artifact
    from mura_core.export.graph import serving_graph
    from mura_core.export.graph_ops import onnx_ops, savedmodel_ops, tflite_ops

    graph = serving_graph(loaded)
    found: dict[str, set[str]] = {"savedmodel": set(), "saver": set(), "tflite": set()}
    ways = [("savedmodel", "none"), ("onnx", "none"), ("tflite", "none")]
    ways += [("tflite", "float16"), ("tflite", "int8")] if quantised else []
    for index, (format, quantize) in enumerate(ways):
        folder = work / str(index)
        folder.mkdir(parents=True)
        calibration = _calibration(graph) if quantize == "int8" else None
        path = write_artifact(graph.model, format, folder, quantize=quantize,
                              calibration=calibration)  # fmt: skip
        if format == "savedmodel":
            run, saver = savedmodel_ops(path)
            found["savedmodel"] |= run
            found["saver"] |= saver
        elif format == "tflite":
            found["tflite"] |= tflite_ops(path)
        else:
            found["onnx"] = onnx_ops(path)
    return found


def all_exported_ops() -> dict[str, set[str]]:
    """:func:`exported_ops` over :data:`NAMES` and both ensemble combinations."""
    found: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory() as work:
        sources = [*NAMES, "avg", "route"]
        for index, source in enumerate(sources):
            single = source in NAMES
            loaded = _single(source) if single else _ensemble(source)
            quantised = not single or source.split("_")[0] in QUANTISED
            for format, ops in exported_ops(loaded, Path(work) / str(index), quantised).items():
                found.setdefault(format, set()).update(ops)
            print(f"# {source}: {sum(map(len, found.values()))} operations so far", flush=True)
    return found


def unlisted_ops(format: str, path: Path) -> set[str]:
    """The operations of an artifact ``mura export`` wrote that
    :mod:`~mura_core.export.allowed_ops` does not list (for a SavedModel, the saver's own
    functions may also hold :data:`~mura_core.export.allowed_ops.SAVER_OPS`)."""
    from mura_core.export import allowed_ops
    from mura_core.export.graph_ops import onnx_ops, savedmodel_ops, tflite_ops

    if format == "savedmodel":
        run, saver = savedmodel_ops(path)
        allowed = allowed_ops.ALLOWED_SAVEDMODEL_OPS
        return (run - allowed) | (saver - allowed - allowed_ops.SAVER_OPS)
    if format == "tflite":
        return tflite_ops(path) - allowed_ops.ALLOWED_TFLITE_OPS
    return onnx_ops(path) - allowed_ops.ALLOWED_ONNX_OPS


if __name__ == "__main__":
    for format, ops in sorted(all_exported_ops().items()):
        print(f"{format}: {len(ops)}")
        print("    " + "\n    ".join(f'"{op}",' for op in sorted(ops)))
