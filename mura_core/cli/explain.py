"""``mura explain RUN PATH... --output DIR``: Grad-CAM heatmaps of a run's predictions.

Each PATH is a PNG or DICOM file, a study folder or a MURA CSV of image paths. For every image,
``DIR/<part>_<patient>_<study>/<image>_gradcam.png`` overlays the heatmap on the X-ray
(same size as the image, with a colour bar); for every study, ``montage.png`` shows its
views with the study's probability and prediction. The folder name is the last three
parts of the study's absolute path; studies (or images) whose names coincide each get
``~`` and a digest of their path (:func:`mura_core.outputs.output_names`), and every
file is checked to land inside DIR before anything is computed. The layer explained is
the one the run's family declares; a family that declares none cannot be explained. An
ensemble explains each image through the member that scored it (``route``) or the mean
of its members' heatmaps (``avg``); images no member covers are counted in one warning
line, and images none of them covers are refused, as ``mura predict`` refuses them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from, resolve_run_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain", help="Grad-CAM heatmaps of a run's predictions on images or studies"
    )
    parser.add_argument("run", metavar="RUN", help="run folder (or run name under --runs)")
    parser.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="PNG or DICOM files, study folders or CSVs of image paths",
    )
    parser.add_argument("--output", required=True, metavar="DIR", help="folder for the PNGs")
    add_run_flags(parser)
    parser.add_argument("--batch-size", type=int, default=16, metavar="B", help="default: 16")
    parser.add_argument("--overwrite", action="store_true", help="write into a non-empty DIR")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def check_output(output: Path, overwrite: bool) -> None:
    """Refuse a file, a folder in a MURA tree or a run folder, or (without
    ``--overwrite``) a folder that is not empty."""
    from mura_core.errors import MuraError
    from mura_core.outputs import check_place

    if output.exists() and not output.is_dir():
        raise MuraError(f"{output}: exists and is not a folder")
    check_place(output, "--output")
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise MuraError(f"{output} is not empty (use --overwrite to write into it)")


def planned_files(output: Path, images: Any) -> tuple[dict[str, Path], dict[str, Path]]:
    """Each image's overlay file and each study's montage (keyed by image path), all
    checked to land inside ``output``."""
    from mura_core.outputs import inside, output_names

    names = output_names(zip(images["path"], images["study"]), "_gradcam.png")
    overlays = {path: inside(output, name) for path, name in names.items()}
    montages = {path: inside(output, name.parent, "montage.png") for path, name in names.items()}
    return overlays, montages


def run(args: argparse.Namespace) -> int:
    from mura_core.calibration import apply_calibration, study_threshold
    from mura_core.cli.output import print_json
    from mura_core.cli.train import uncovered_warning
    from mura_core.data.images import collect_images
    from mura_core.ensembles.coverage import require_coverage
    from mura_core.explain import (
        explain_ensemble,
        explain_frame,
        explain_layer,
        member_layer,
        write_montage,
        write_overlay,
    )

    output = Path(args.output)
    check_output(output, args.overwrite)
    resolved = resolve_run_from(args)
    parsed = resolved[1]
    # a family without an explain layer fails here, before anything is loaded
    layer = member_layer(parsed) if parsed.is_ensemble else explain_layer(parsed)
    images = collect_images(args.paths)
    overlays, montages = planned_files(output, images)
    loaded = load_run_from(args, resolved)
    threshold = study_threshold(apply_calibration(loaded))  # calibrated probabilities
    found = require_coverage(loaded, images)  # the check mura predict makes too
    uncovered_warning(found.uncovered)
    images = found.covered
    progress = len(images) > args.batch_size
    if parsed.is_ensemble:
        explanations, _ = explain_ensemble(loaded, images, batch_size=args.batch_size,
                                           progress=progress)  # fmt: skip
    else:
        explanations = explain_frame(loaded.model, images, loaded.parsed, layer,
                                     batch_size=args.batch_size, progress=progress)  # fmt: skip
    rows, studies = [], {}
    for item in explanations:
        picture = overlays[item.path]
        picture.parent.mkdir(parents=True, exist_ok=True)
        rows.append(item.as_dict(str(write_overlay(item, picture))))
        studies.setdefault(montages[item.path], []).append(item)
    for montage, items in studies.items():
        write_montage(items, montage, threshold=threshold)
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        flat = " (flat)" if row["flat"] else ""
        print(f"{row['probability']:.3f}  peak x={row['peak']['x']} y={row['peak']['y']}{flat}  "
              f"{row['path']}")  # fmt: skip
    print(f"\n{len(rows)} heatmaps and {len(studies)} study montages in {output} (layer {layer})")
    return 0
