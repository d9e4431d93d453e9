"""Today's synthetic MURA generator (version 1), kept as the baseline of
``benchmarks/synth.py``: one rod-like picture per body part, a saturated plate on every
abnormal image, rendered with threads in one process. Not used by the library.

Its original description follows.

Synthetic MURA: a small dataset in exactly the MURA-v1.1 layout, with a learnable finding.

MURA cannot be downloaded here, so tests, the demo and the benchmarks run on this.
:func:`synthesize` (or ``mura synth OUT``) writes::

    OUT/MURA-v1.1/
        train_image_paths.csv, train_labeled_studies.csv,
        valid_image_paths.csv, valid_labeled_studies.csv    (headerless, as MURA)
        abnormalities.csv                                    (synthetic only, see below)
        {train,valid}/XR_<PART>/patientNNNNN/studyN_{positive,negative}/imageN.png

What it looks like: every body part, both splits (validation patients numbered after
training patients, as in MURA), now and then several studies per patient (sometimes of
another body part), 1 to 3 images per study, sizes varying with the longest side at most
``max_side`` (512), mostly 8-bit grayscale with some RGB studies. An image is a dark,
noisy film with one to five bright bones (how many and how thick depends on the body
part). Each image of a positive (abnormal) study carries a bright metal-like implant, a
saturated rounded plate laid on a bone, which a small CNN learns to see at 64x64 in a few
epochs. Positive rates per body part follow MURA's.

``abnormalities.csv`` has a header and one row per image of a positive study:
``path,x_min,y_min,x_max,y_max`` where ``path`` is the image path as the CSVs write it and
the box is in pixels of that image (``x`` column, ``y`` row; min inclusive, max exclusive).
It is the ground truth for checking explanations (saliency should fall in the box).

The output is byte-identical for the same arguments (PNGs are written without metadata).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from mura_core.data.layout import (
    BODY_PARTS,
    LABEL_NAMES,
    MURA_DIR,
    SPLITS,
    image_paths_csv,
    labeled_studies_csv,
)
from mura_core.errors import MuraError

#: File (inside ``MURA-v1.1``) with the bounding box of every synthetic abnormality.
ABNORMALITIES_CSV = "abnormalities.csv"
ABNORMALITIES_COLUMNS: tuple[str, ...] = ("path", "x_min", "y_min", "x_max", "y_max")

# Share of MURA's training images per body part, and the share of positive studies
# (the report's inspection table).
_PART_WEIGHTS = {
    "XR_ELBOW": 4931, "XR_FINGER": 5106, "XR_FOREARM": 1825, "XR_HAND": 5543,
    "XR_HUMERUS": 1272, "XR_SHOULDER": 8379, "XR_WRIST": 9752,
}  # fmt: skip
_POSITIVE_RATE = {
    "XR_ELBOW": 0.41, "XR_FINGER": 0.39, "XR_FOREARM": 0.36, "XR_HAND": 0.27,
    "XR_HUMERUS": 0.47, "XR_SHOULDER": 0.50, "XR_WRIST": 0.41,
}  # fmt: skip
# (number of bones, bone thickness as a fraction of the short side)
_BONES = {
    "XR_ELBOW": (2, 0.16), "XR_FINGER": (1, 0.16), "XR_FOREARM": (2, 0.12),
    "XR_HAND": (5, 0.07), "XR_HUMERUS": (1, 0.22), "XR_SHOULDER": (1, 0.26),
    "XR_WRIST": (3, 0.10),
}  # fmt: skip

__all__ = ["ABNORMALITIES_COLUMNS", "ABNORMALITIES_CSV", "SynthSummary", "synthesize"]


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`synthesize` wrote."""

    root: Path
    images: int
    studies: int
    patients: int
    positive_studies: int


@dataclass(frozen=True)
class _Study:
    split: str
    body_part: str
    patient: str
    number: int
    label: int
    images: int
    rgb: bool
    seed: int

    @property
    def relpath(self) -> str:
        folder = f"study{self.number}_{LABEL_NAMES[self.label]}"
        return "/".join((MURA_DIR, self.split, self.body_part, self.patient, folder))


def _plan(studies: int, valid_fraction: float, rgb_fraction: float, seed: int) -> list[_Study]:
    """Patients and studies: every body part in both splits once there are 14 studies."""
    rng = np.random.default_rng([seed, 0])
    parts = list(BODY_PARTS)
    weights = np.array([_PART_WEIGHTS[part] for part in parts], dtype=float)
    weights /= weights.sum()
    n_valid = max(1, round(studies * valid_fraction)) if studies > 1 else 0
    plan: list[_Study] = []
    for split, budget in (("train", studies - n_valid), ("valid", n_valid)):
        first_patient = len({study.patient for study in plan}) + 1
        made, patient_index = 0, 0
        uncovered = list(parts)
        while made < budget:
            patient = f"patient{first_patient + patient_index:05d}"
            count = min(budget - made, int(rng.choice([1, 2, 3], p=[0.8, 0.15, 0.05])))
            numbers: dict[str, int] = {}
            for k in range(count):
                if uncovered:
                    part = uncovered.pop(0)  # every body part in every split first
                elif k == 0 or rng.random() < 0.1:
                    part = parts[int(rng.choice(len(parts), p=weights))]
                else:
                    part = plan[-1].body_part
                numbers[part] = numbers.get(part, 0) + 1
                plan.append(
                    _Study(
                        split=split,
                        body_part=part,
                        patient=patient,
                        number=numbers[part],
                        label=int(rng.random() < _POSITIVE_RATE[part]),
                        images=int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25])),
                        rgb=bool(rng.random() < rgb_fraction),
                        seed=int(rng.integers(2**63)),
                    )
                )
                made += 1
            patient_index += 1
    return plan


def _capsule_distance(
    shape: tuple[int, int], p0: np.ndarray, p1: np.ndarray, reach: float
) -> tuple[tuple[slice, slice], np.ndarray]:
    """Distance to the segment ``p0``-``p1`` over the window within ``reach`` of it."""
    height, width = shape
    low = np.floor(np.minimum(p0, p1) - reach - 1).astype(int)
    high = np.ceil(np.maximum(p0, p1) + reach + 2).astype(int)
    top, left = max(int(low[0]), 0), max(int(low[1]), 0)
    bottom, right = min(int(high[0]), height), min(int(high[1]), width)
    window = (slice(top, max(top, bottom)), slice(left, max(left, right)))
    yy = np.arange(window[0].start, window[0].stop, dtype=np.float32)[:, None]
    xx = np.arange(window[1].start, window[1].stop, dtype=np.float32)[None, :]
    (y0, x0), (y1, x1) = p0, p1
    dy, dx = np.float32(y1 - y0), np.float32(x1 - x0)
    length2 = max(float(dy * dy + dx * dx), 1e-6)
    t = np.clip(((yy - y0) * dy + (xx - x0) * dx) / np.float32(length2), 0.0, 1.0)
    return window, np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx)).astype(np.float32)


def _render(
    body_part: str, positive: bool, rng: np.random.Generator, min_side: int, max_side: int
) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
    """One grayscale image (uint8) and the box of its abnormality (or ``None``)."""
    long_side = int(rng.integers(min_side, max_side + 1))
    short_side = max(8, int(long_side * rng.uniform(0.6, 1.0)))
    height, width = (long_side, short_side) if rng.random() < 0.75 else (short_side, long_side)
    rows = np.arange(height, dtype=np.float32)[:, None]
    image = np.full((height, width), rng.uniform(10, 35), dtype=np.float32)
    image += rows * np.float32(rng.uniform(-0.04, 0.04))  # uneven exposure
    count, thickness = _BONES[body_part]
    side = min(height, width)
    angle = rng.uniform(-0.35, 0.35) + (0.0 if height >= width else np.pi / 2)
    direction = np.array([np.cos(angle), np.sin(angle)])  # (dy, dx)
    normal = np.array([-direction[1], direction[0]])
    spacing = side * 0.8 / max(count, 1)
    center = np.array([height / 2, width / 2]) + rng.uniform(-0.08, 0.08, 2) * side
    bones = []
    for index in range(count):
        offset = (index - (count - 1) / 2) * spacing
        half = max(height, width) * rng.uniform(0.3, 0.45)
        middle = center + normal * offset
        p0, p1 = middle - direction * half, middle + direction * half
        radius = side * thickness * rng.uniform(0.4, 0.55)
        window, distance = _capsule_distance((height, width), p0, p1, radius)
        bone = np.clip(radius + 0.5 - distance, 0.0, 1.0)
        marrow = np.clip(radius * 0.45 + 0.5 - distance, 0.0, 1.0)
        shade = bone * np.float32(rng.uniform(110, 160)) - marrow * np.float32(rng.uniform(15, 35))
        image[window] = np.maximum(image[window], shade)
        bones.append((p0, p1))
    box = None
    if positive:
        p0, p1 = bones[int(rng.integers(len(bones)))]
        t = rng.uniform(0.25, 0.75)
        cy, cx = p0 + (p1 - p0) * t
        half_length = side * rng.uniform(0.10, 0.15)
        half_width = side * rng.uniform(0.045, 0.065)
        middle = np.array([cy, cx])
        q0, q1 = middle - direction * half_length, middle + direction * half_length
        window, distance = _capsule_distance((height, width), q0, q1, half_width)
        plate = np.clip(half_width + 0.5 - distance, 0.0, 1.0)
        image[window] = np.maximum(image[window], plate * np.float32(254.0))
        ys, xs = np.nonzero(plate > 0)
        top, left = window[0].start, window[1].start
        box = (
            left + int(xs.min()),
            top + int(ys.min()),
            left + int(xs.max()) + 1,
            top + int(ys.max()) + 1,
        )
    image += rng.standard_normal(size=image.shape, dtype=np.float32) * np.float32(4.0)
    return np.clip(image, 0, 255).astype(np.uint8), box


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _write_study(
    root: Path, study: _Study, min_side: int, max_side: int
) -> list[tuple[str, tuple[int, int, int, int] | None]]:
    """Render and write the images of one study; their paths and abnormality boxes."""
    folder = root.joinpath(*study.relpath.split("/")[1:])
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(study.seed)
    written = []
    for number in range(1, study.images + 1):
        pixels, box = _render(study.body_part, bool(study.label), rng, min_side, max_side)
        if study.rgb:
            tint = np.array([1.0, 0.97, 0.92], dtype=np.float32)
            pixels = (pixels[..., None] * tint).astype(np.uint8)
        (folder / f"image{number}.png").write_bytes(_png(pixels))
        written.append((f"{study.relpath}/image{number}.png", box))
    return written


def _write_csv(file: Path, rows: list[tuple]) -> None:
    with file.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def synthesize(
    out: str | os.PathLike[str],
    *,
    studies: int = 300,
    seed: int = 0,
    valid_fraction: float = 0.15,
    min_side: int = 160,
    max_side: int = 512,
    rgb_fraction: float = 0.1,
    overwrite: bool = False,
) -> SynthSummary:
    """Write a synthetic MURA-v1.1 tree under ``out`` (see the module docstring).

    Args:
        out: folder to hold ``MURA-v1.1`` (created if needed).
        studies: number of studies over both splits.
        seed: the output is byte-identical for the same arguments.
        valid_fraction: share of the studies in MURA's ``valid`` split.
        min_side, max_side: range of the longest side of an image, in pixels.
        rgb_fraction: share of the studies whose images are written as RGB.
        overwrite: replace an existing synthetic tree (never a tree it did not write).

    Raises:
        MuraError: invalid arguments, or ``out/MURA-v1.1`` exists.
    """
    if studies < 1:
        raise MuraError("--studies must be at least 1")
    if not 0.0 <= valid_fraction < 1.0:
        raise MuraError("valid fraction must be in [0, 1)")
    if not 16 <= min_side <= max_side <= 4096:
        raise MuraError("image sides must satisfy 16 <= min_side <= max_side <= 4096")
    if not 0.0 <= rgb_fraction <= 1.0:
        raise MuraError("RGB fraction must be in [0, 1]")
    root = Path(out).expanduser() / MURA_DIR
    if root.exists():
        if not (overwrite and (root / ABNORMALITIES_CSV).is_file()):
            reason = "use --overwrite" if not overwrite else "it was not written by mura synth"
            raise MuraError(f"{root} already exists ({reason})")
        shutil.rmtree(root)
    plan = _plan(studies, valid_fraction, rgb_fraction, seed)
    image_rows: dict[str, list[tuple]] = {split: [] for split in SPLITS}
    study_rows: dict[str, list[tuple]] = {split: [] for split in SPLITS}
    boxes: list[tuple] = []

    def write(study: _Study) -> list[tuple[str, tuple[int, int, int, int] | None]]:
        return _write_study(root, study, min_side, max_side)

    # Each study draws from its own seeded generator, so threads keep the output
    # byte-identical; numpy and the PNG encoder release the GIL.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as executor:
        for study, images in zip(plan, executor.map(write, plan)):
            study_rows[study.split].append((f"{study.relpath}/", study.label))
            for relpath, box in images:
                image_rows[study.split].append((relpath,))
                if box is not None:
                    boxes.append((relpath, *box))
    for split in SPLITS:
        _write_csv(root / image_paths_csv(split), image_rows[split])
        _write_csv(root / labeled_studies_csv(split), study_rows[split])
    _write_csv(root / ABNORMALITIES_CSV, [ABNORMALITIES_COLUMNS, *boxes])
    return SynthSummary(
        root=root,
        images=sum(len(rows) for rows in image_rows.values()),
        studies=len(plan),
        patients=len({(study.patient) for study in plan}),
        positive_studies=sum(study.label for study in plan),
    )
