"""Writing a synthetic MURA-v1.1 tree: rendering studies (in parallel for large trees),
the four CSVs, the ground truth files and ``dataset.json``."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from mura_core.data.layout import SPLITS, image_paths_csv, labeled_studies_csv
from mura_core.data.synth.ceiling import TRUE_LABELS_COLUMNS, TRUE_LABELS_CSV, Ceiling, ceiling
from mura_core.data.synth.difficulty import Difficulty
from mura_core.data.synth.geometry import Box
from mura_core.data.synth.plan import Study
from mura_core.data.synth.render import encode_png, render_view

__all__ = [
    "ABNORMALITIES_COLUMNS",
    "ABNORMALITIES_CSV",
    "DATASET_JSON",
    "IN_PROCESS_IMAGES",
    "RenderSettings",
    "SYNTH_VERSION",
    "SynthSummary",
    "default_workers",
    "synthetic_record",
    "read_findings",
    "write_tree",
]

#: File (inside ``MURA-v1.1``) with the box of every visible synthetic finding.
ABNORMALITIES_CSV = "abnormalities.csv"
ABNORMALITIES_COLUMNS: tuple[str, ...] = ("path", "kind", "x_min", "y_min", "x_max", "y_max")
#: File (inside ``MURA-v1.1``) recording the generator, its arguments, counts and ceiling.
DATASET_JSON = "dataset.json"
#: Version of the generator, recorded in ``dataset.json``.
SYNTH_VERSION = 2
#: Trees with fewer images are rendered in the calling process.
IN_PROCESS_IMAGES = 400

_TINT = np.array([1.0, 0.97, 0.92], dtype=np.float32)


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`~mura_core.data.synth.synthesize` wrote."""

    root: Path
    images: int
    studies: int
    patients: int
    positive_studies: int
    flipped_studies: int = 0
    ceilings: dict[str, Ceiling] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderSettings:
    """What every image of a tree is rendered with."""

    min_side: int
    max_side: int
    difficulty: Difficulty


def _write_study(root: Path, settings: RenderSettings, study: Study) -> list[tuple[str, str, Box]]:
    """Render and write the images of one study; the boxes of its visible findings."""
    folder = root.joinpath(*study.relpath.split("/")[1:])
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(study.seed)
    boxes = []
    for number, visible in enumerate(study.visible, start=1):
        kind = study.kind if visible else None
        pixels, box = render_view(
            study.body_part, kind, settings.difficulty, rng, settings.min_side, settings.max_side
        )
        if study.rgb:
            pixels = (pixels[..., None] * _TINT).astype(np.uint8)
        (folder / f"image{number}.png").write_bytes(encode_png(pixels))
        if kind is not None and box is not None:
            boxes.append((f"{study.relpath}/image{number}.png", kind, box))
    return boxes


def _rendered(
    root: Path, settings: RenderSettings, plan: list[Study], workers: int
) -> Iterator[list[tuple[str, str, Box]]]:
    """The boxes of each study, in plan order. Small trees (or ``workers=1``) are
    rendered by threads of this process; larger ones by ``workers`` processes started
    with ``forkserver`` (``spawn`` where it is missing), never ``fork``."""
    write = partial(_write_study, root, settings)
    if workers <= 1 or sum(len(study.visible) for study in plan) < IN_PROCESS_IMAGES:
        # numpy, zlib and Pillow release the GIL: a few threads overlap their work
        with ThreadPoolExecutor(max_workers=min(4, default_workers())) as threads:
            yield from threads.map(write, plan)
        return
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])  # imported once, not once per worker
    else:  # pragma: no cover - Windows
        context = multiprocessing.get_context("spawn")
    chunk = max(1, min(32, len(plan) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
        yield from executor.map(write, plan, chunksize=chunk)


def _write_csv(file: Path, rows: list[tuple]) -> None:
    with file.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _ceilings(plan: list[Study]) -> dict[str, Ceiling]:
    splits = [split for split in SPLITS if any(study.split == split for study in plan)]
    return {
        split: ceiling((s.label, s.true_label) for s in plan if s.split == split)
        for split in splits
    }


def _record(plan: list[Study], arguments: dict[str, object]) -> dict[str, object]:
    """``dataset.json``: generator, arguments, counts per split and body part, ceilings."""
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for study in plan:
        row = counts.setdefault(study.split, {}).setdefault(
            study.body_part,
            dict.fromkeys(("studies", "images", "abnormal", "true_abnormal", "flipped"), 0),
        )
        row["studies"] += 1
        row["images"] += len(study.visible)
        row["abnormal"] += study.label
        row["true_abnormal"] += study.true_label
        row["flipped"] += int(study.label != study.true_label)
    ceilings = {split: value.to_dict() for split, value in _ceilings(plan).items()}
    generator = {"name": "mura_core.data.synth", "version": SYNTH_VERSION}
    return {"generator": generator, "arguments": arguments, "counts": counts, "ceiling": ceilings}


def write_tree(
    root: Path,
    plan: list[Study],
    settings: RenderSettings,
    arguments: dict[str, object],
    *,
    workers: int,
    progress: bool,
) -> SynthSummary:
    """Render ``plan`` under ``root`` (``.../MURA-v1.1``) and write its files."""
    from tqdm import tqdm

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    image_rows: dict[str, list[tuple]] = {split: [] for split in SPLITS}
    study_rows: dict[str, list[tuple]] = {split: [] for split in SPLITS}
    boxes: list[tuple] = []
    total = sum(len(study.visible) for study in plan)
    with tqdm(total=total, unit="image", file=sys.stderr, disable=not progress) as bar:
        for study, found in zip(plan, _rendered(root, settings, plan, workers)):
            study_rows[study.split].append((f"{study.relpath}/", study.label))
            for number in range(1, len(study.visible) + 1):
                image_rows[study.split].append((f"{study.relpath}/image{number}.png",))
            boxes.extend((path, kind, *box) for path, kind, box in found)
            bar.update(len(study.visible))
    for split in SPLITS:
        _write_csv(root / image_paths_csv(split), image_rows[split])
        _write_csv(root / labeled_studies_csv(split), study_rows[split])
    _write_csv(root / ABNORMALITIES_CSV, [ABNORMALITIES_COLUMNS, *boxes])
    truth = [(f"{study.relpath}/", study.true_label) for study in plan]
    _write_csv(root / TRUE_LABELS_CSV, [TRUE_LABELS_COLUMNS, *truth])
    record = json.dumps(_record(plan, arguments), indent=2)
    (root / DATASET_JSON).write_text(record + "\n", encoding="utf-8")
    return SynthSummary(
        root=root,
        images=total,
        studies=len(plan),
        patients=len({study.patient for study in plan}),
        positive_studies=sum(study.label for study in plan),
        flipped_studies=sum(study.label != study.true_label for study in plan),
        ceilings=_ceilings(plan),
    )


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def synthetic_record(mura: Path) -> dict[str, object] | None:
    """What ``mura synth`` recorded of the tree in the MURA folder ``mura``: its
    ``dataset.json`` (empty if unreadable), or ``None`` for a tree it did not write."""
    written = any((mura / name).is_file() for name in (DATASET_JSON, ABNORMALITIES_CSV))
    if not written:
        return None
    try:
        record = json.loads((mura / DATASET_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # json recurses into nested arrays
        return {}
    return record if isinstance(record, dict) else {}


def read_findings(mura: Path) -> dict[Path, list[tuple[str, tuple[int, int, int, int]]]]:
    """``{resolved image path: [(kind, (x_min, y_min, x_max, y_max)), ...]}`` from the
    ``abnormalities.csv`` of the synthetic tree ``mura`` (its ``MURA-v1.1`` folder)."""
    findings: dict[Path, list[tuple[str, tuple[int, int, int, int]]]] = {}
    with (mura / ABNORMALITIES_CSV).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            x0, y0, x1, y1 = (int(row[key]) for key in ABNORMALITIES_COLUMNS[2:])
            path = (mura.parent / row["path"]).resolve()
            findings.setdefault(path, []).append((row["kind"], (x0, y0, x1, y1)))
    return findings
