"""``mura explain RUN PATH... --output DIR``: Grad-CAM heatmaps of a run's predictions.

Each PATH is a PNG file, a study folder or a MURA CSV of image paths. For every image,
``DIR/<part>_<patient>_<study>/<image>_gradcam.png`` overlays the heatmap on the X-ray
(same size as the image, with a colour bar); for every study, ``montage.png`` shows its
views with the study's probability and prediction. The layer explained is the one the
run's family declares; a family that declares none cannot be explained. An ensemble
explains each image through the member that scored it (``route``) or the mean of its
members' heatmaps (``avg``); images no member covers are counted in one warning line,
and images none of them covers are refused, as ``mura predict`` refuses them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain", help="Grad-CAM heatmaps of a run's predictions on images or studies"
    )
    parser.add_argument("run", metavar="RUN", help="run folder (or run name under --runs)")
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="PNG files, study folders or CSVs of image paths"
    )
    parser.add_argument("--output", required=True, metavar="DIR", help="folder for the PNGs")
    add_run_flags(parser)
    parser.add_argument("--batch-size", type=int, default=16, metavar="B", help="default: 16")
    parser.add_argument("--overwrite", action="store_true", help="write into a non-empty DIR")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def study_folder_name(study: str) -> str:
    """``XR_WRIST_patient00001_study1_positive``: the study's last three path parts."""
    return "_".join(Path(study).parts[-3:])


def run(args: argparse.Namespace) -> int:
    from mura_core.cli.output import print_json
    from mura_core.cli.train import uncovered_warning
    from mura_core.data.images import collect_images
    from mura_core.ensembles.coverage import require_coverage
    from mura_core.errors import MuraError
    from mura_core.explain import (
        explain_ensemble,
        explain_frame,
        explain_layer,
        member_layer,
        write_montage,
        write_overlay,
    )
    from mura_core.runs import find_run, parse_run_folder

    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise MuraError(f"{output}: exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not args.overwrite:
        raise MuraError(f"{output} is not empty (use --overwrite to write into it)")
    _, parsed = parse_run_folder(find_run(args.run, args.runs))
    # a family without an explain layer fails here, before anything is loaded
    layer = member_layer(parsed) if parsed.is_ensemble else explain_layer(parsed)
    images = collect_images(args.paths)
    loaded = load_run_from(args)
    found = require_coverage(loaded, images)  # the check mura predict makes too
    uncovered_warning(found.uncovered)
    images = found.covered
    progress = len(images) > args.batch_size
    if parsed.is_ensemble:
        explanations, _ = explain_ensemble(loaded, images, batch_size=args.batch_size,
                                           progress=progress)  # fmt: skip
    else:
        explanations = explain_frame(loaded.model, images, loaded.name, layer,
                                     batch_size=args.batch_size, progress=progress)  # fmt: skip
    output.mkdir(parents=True, exist_ok=True)
    rows, studies = [], {}
    for item in explanations:
        folder = output / study_folder_name(item.study)
        folder.mkdir(exist_ok=True)
        picture = write_overlay(item, folder / f"{Path(item.path).stem}_gradcam.png")
        rows.append(item.as_dict(str(picture)))
        studies.setdefault(item.study, []).append(item)
    for study, items in studies.items():
        write_montage(items, output / study_folder_name(study) / "montage.png")
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        flat = " (flat)" if row["flat"] else ""
        print(f"{row['probability']:.3f}  peak x={row['peak']['x']} y={row['peak']['y']}{flat}  "
              f"{row['path']}")  # fmt: skip
    print(f"\n{len(rows)} heatmaps and {len(studies)} study montages in {output} (layer {layer})")
    return 0
