"""Synthetic MURA: a dataset in exactly the MURA-v1.1 layout that behaves like a hard,
body-part-dependent, noisily labelled problem whose best achievable score is known.

MURA cannot be downloaded here, so tests, the demo and the benchmarks run on this.
:func:`synthesize` (or ``mura synth OUT``) writes::

    OUT/MURA-v1.1/
        train_image_paths.csv, train_labeled_studies.csv,
        valid_image_paths.csv, valid_labeled_studies.csv    (headerless, as MURA)
        abnormalities.csv     (synthetic only) kind and box of each visible finding
        true_labels.csv       (synthetic only) the label each study was drawn from
        dataset.json          (synthetic only) generator, arguments, counts, ceiling
        {train,valid}/XR_<PART>/patientNNNNN/studyN_{positive,negative}/imageN.png

The tree: every body part in both splits (validation patients numbered after training
patients, as in MURA), now and then several studies per patient, 1 to 3 images per
study, sizes varying with the longest side at most ``max_side``, mostly 8-bit grayscale
with some RGB studies, positive rates per body part as in MURA.

The images: the anatomy of each body part (``mura_core.data.synth.anatomy``) in a
soft-tissue envelope, bones drawn as an X-ray sees them (bright cortex, darker medulla),
with varied exposure, rotation, zoom and cropping, bright collimation bands along some
edges, and an ``L`` or ``R`` side marker burned into about 40% of the images. The marker
and the collimation are independent of the label: a model that learns them learns
nothing useful, but an explanation may still point at them.

The findings (``mura_core.data.synth.findings``): each truly abnormal study has one
kind (hardware, fracture, lytic lesion, degenerative change), drawn from a per-body-part
mix, shown in some of its views only (one view always shows it).

Difficulty (:mod:`~mura_core.data.synth.difficulty`): ``easy`` (0), ``medium`` (0.4),
``hard`` (0.85) or any number in [0, 1] sets the findings' size and contrast, the share
of views that show them, and the film noise. ``easy`` shows the finding in every view,
large and contrasted: a small CNN learns it in a few epochs.

Label noise: ``label_noise=P`` flips exactly ``round(P * n)`` of the n studies of each
split, in the CSVs and the folder suffix alike; the images follow the true label
(``true_labels.csv``: ``study,true_label`` with a header, the study as the CSVs write
it). ``dataset.json`` records the *ceiling* of each split: the kappa and accuracy of a
perfect reader of the true labels against the written ones
(:mod:`~mura_core.data.synth.ceiling`).

``abnormalities.csv`` has a header and one row per finding per image where it is
visible: ``path,kind,x_min,y_min,x_max,y_max``, ``path`` as the CSVs write it, the box in
that image's pixels (``x`` column, ``y`` row; min inclusive, max exclusive). Views that
do not show their study's finding, and flipped normal studies, have no row. It is the
ground truth for checking explanations.

The output is byte-identical for the same arguments whatever the number of workers
(each study draws from its own seeded generator; PNGs carry no metadata).
"""

from __future__ import annotations

import os
from pathlib import Path

from mura_core.data.layout import MURA_DIR
from mura_core.data.synth.ceiling import TRUE_LABELS_CSV, Ceiling, subset_ceiling
from mura_core.data.synth.difficulty import DIFFICULTY_NAMES, DIFFICULTY_POINTS
from mura_core.data.synth.difficulty import difficulty as parse_difficulty
from mura_core.data.synth.findings import FINDING_KINDS, FINDING_MIX
from mura_core.data.synth.plan import flip_labels, plan_studies
from mura_core.data.synth.writer import (
    ABNORMALITIES_COLUMNS,
    ABNORMALITIES_CSV,
    DATASET_JSON,
    RenderSettings,
    SynthSummary,
    default_workers,
    read_findings,
    synthetic_record,
    write_tree,
)
from mura_core.errors import MuraError

__all__ = [
    "ABNORMALITIES_COLUMNS",
    "ABNORMALITIES_CSV",
    "DATASET_JSON",
    "DIFFICULTY_NAMES",
    "DIFFICULTY_POINTS",
    "FINDING_KINDS",
    "FINDING_MIX",
    "TRUE_LABELS_CSV",
    "Ceiling",
    "SynthSummary",
    "read_findings",
    "subset_ceiling",
    "synthesize",
    "synthetic_record",
]


def _check(studies: int, valid_fraction: float, min_side: int, max_side: int, **shares) -> None:
    if studies < 1:
        raise MuraError("--studies must be at least 1")
    if not 0.0 <= valid_fraction < 1.0:
        raise MuraError("valid fraction must be in [0, 1)")
    if not 16 <= min_side <= max_side <= 4096:
        raise MuraError("image sides must satisfy 16 <= min_side <= max_side <= 4096")
    if not 0.0 <= shares["rgb_fraction"] <= 1.0:
        raise MuraError("RGB fraction must be in [0, 1]")
    if not 0.0 <= shares["label_noise"] <= 0.5:
        raise MuraError(f"label noise must be in [0, 0.5], not {shares['label_noise']:g}")


def synthesize(
    out: str | os.PathLike[str],
    *,
    studies: int = 300,
    seed: int = 0,
    valid_fraction: float = 0.15,
    min_side: int = 160,
    max_side: int = 512,
    rgb_fraction: float = 0.1,
    difficulty: str | float = "easy",
    label_noise: float = 0.0,
    workers: int | None = None,
    progress: bool = False,
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
        difficulty: ``easy``, ``medium``, ``hard`` or a number in [0, 1].
        label_noise: share of the studies of each split whose label is flipped.
        workers: processes rendering a large tree (default: every core); no effect on
            the output. ``workers=1`` and trees of fewer than 400 images are rendered by
            threads of this process.
        progress: draw a progress bar on stderr.
        overwrite: replace an existing synthetic tree (never a tree it did not write).

    Raises:
        MuraError: invalid arguments, ``out`` in a MURA tree or a run folder, or
            ``out/MURA-v1.1`` exists (and, with ``overwrite``, was not written here).
    """
    level = parse_difficulty(difficulty)
    _check(studies, valid_fraction, min_side, max_side,
           rgb_fraction=rgb_fraction, label_noise=label_noise)  # fmt: skip
    if workers is not None and workers < 1:
        raise MuraError("--workers must be at least 1")
    root = Path(out) / MURA_DIR
    if root.exists() and not (overwrite and (root / ABNORMALITIES_CSV).is_file()):
        reason = "use --overwrite" if not overwrite else "it was not written by mura synth"
        raise MuraError(f"{root} already exists ({reason})")
    plan = plan_studies(studies, valid_fraction, rgb_fraction, seed, level)
    plan = flip_labels(plan, label_noise, seed)
    arguments = {
        "studies": studies, "seed": seed, "valid_fraction": valid_fraction,
        "min_side": min_side, "max_side": max_side, "rgb_fraction": rgb_fraction,
        "difficulty": level.to_dict(), "label_noise": label_noise,
    }  # fmt: skip
    return write_tree(
        root,
        plan,
        RenderSettings(min_side, max_side, level),
        arguments,
        workers=workers or default_workers(),
        progress=progress,
    )
