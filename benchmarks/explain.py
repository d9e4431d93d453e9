"""Do Grad-CAM heatmaps point at the findings? The pointing game on synthetic MURA.

For each of ``--seeds`` (default 0, 1, 2: the data and the training seed), trains a small
CNN on synthetic data of medium difficulty, explains the test images that are truly
abnormal (``true_labels.csv``), show a finding (``abnormalities.csv``) and are classified
correctly, and counts how often the heatmap's peak falls inside a finding's box (a flat
heatmap is a miss). The baseline is a uniformly random point in the image: its hit rate
is the share of the image the boxes cover. The first line gives the versions measured on;
each seed's lines break the rate down by kind of finding; then the mean and standard
deviation over the seeds, by kind, of the study kappa and cost, and last, exactly
``explain: hit-rate M.MM +- S.SS vs random R.RR +- T.TT`` (aim: a mean of 0.6 or more).

A seed's ``explain: cost X.XXx of predict`` is what the heatmaps cost: the time to
compute the heatmap arrays of the test images (Grad-CAM, resized to each original image)
over the time of the model's forward pass predicting them, on the same decoded batches in
the same process, after a warm-up pass of each (image decoding and PNG rendering
excluded from both; the best of three passes each, as the machine may be shared).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mura_core.versions import versions_line

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: The demo's CNN at 96 pixels (class weights, augmentation): its explain layer, the last
#: conv activation, is a 12x12 map.
MODEL = "cnn_in.96.96.1_cl.4.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25__wc_aug"


def covered_share(boxes: list, width: int, height: int) -> float:
    """Share of the image inside any box: a uniformly random point's chance of a hit."""
    mask = np.zeros((height, width), dtype=bool)
    for _, (x0, y0, x1, y1) in boxes:
        mask[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)] = True
    return float(mask.mean())


def pointing_game(explanations, boxes, true_labels) -> dict[str, list[tuple[bool, float]]]:
    """Per kind of finding: (hit, random hit rate) of each eligible image."""
    results: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    for item in explanations:
        study = Path(item.path).parent
        image_boxes = boxes.get(Path(item.path).resolve())
        if not image_boxes or true_labels.get(study) != 1 or item.probability <= 0.5:
            continue
        height, width = item.heatmap.shape
        x, y = item.peak
        hit = not item.flat and any(
            x0 <= x < x1 and y0 <= y < y1 for _, (x0, y0, x1, y1) in image_boxes
        )
        chance = covered_share(image_boxes, width, height)
        for kind in sorted({kind for kind, _ in image_boxes}):
            results[kind].append((hit, chance))
        results["all"].append((hit, chance))
    return results


def true_labels_by_folder(mura: Path) -> dict[Path, int]:
    """``{study folder: true label}`` from ``true_labels.csv``."""
    labels = {}
    with (mura / "true_labels.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            labels[(mura.parent / row["study"]).resolve()] = int(row["true_label"])
    return labels


def cost_of_explaining(model, frame, name: str, layer: str, *, batch_size: int = 32,
                       repeats: int = 3) -> float:  # fmt: skip
    """Seconds to compute the heatmap arrays of ``frame``'s images over seconds to predict
    them (see the module docstring)."""
    from mura_core.explain import explain_batch
    from mura_core.inference import inference_batches

    batches = list(inference_batches(name, frame, batch_size).map(lambda images, *rest: images))
    rows = frame.to_dict("records")
    chunks = [rows[start : start + batch_size] for start in range(0, len(rows), batch_size)]

    def explaining() -> None:
        for images, chunk in zip(batches, chunks, strict=True):
            explain_batch(model, layer, images, chunk)

    def predicting() -> None:
        for images in batches:
            model.predict_on_batch(images)

    times: dict[Callable[[], None], list[float]] = {explaining: [], predicting: []}
    for step in (explaining, predicting):
        step()  # warm-up: tracing and first-call costs
    for _ in range(repeats):
        for step, seconds in times.items():
            start = time.perf_counter()
            step()
            seconds.append(time.perf_counter() - start)
    return min(times[explaining]) / min(times[predicting])


def one_seed(args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Train on the synthetic data of ``seed`` and play the pointing game: the study
    kappa, the explanation cost and the (hit, chance) pairs by kind of finding."""
    from mura_core.data.images import collect_images
    from mura_core.data.synth import read_findings, synthesize
    from mura_core.explain import explain_frame, explain_layer
    from mura_core.runs import load_run
    from mura_core.training.runner import train

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        synthesize(root / "data", studies=args.studies, seed=seed, min_side=96,
                   max_side=160, difficulty="medium", label_noise=0.0)  # fmt: skip
        mura = root / "data" / "MURA-v1.1"
        result = train(args.model, root / "data", out=root / "runs", epochs=args.epochs,
                       batch_size=32, seed=seed, verbose=0)  # fmt: skip
        kappa = result.evaluation.study.kappa if result.evaluation else float("nan")
        print(f"seed {seed}: trained {args.model}: {args.epochs} epochs, test study kappa "
              f"{kappa:.3f}")  # fmt: skip
        loaded = load_run(result.folder.path)
        images = collect_images([str(mura / "valid_image_paths.csv")])
        images["path"] = [str(Path(path).resolve()) for path in images["path"]]
        layer = explain_layer(loaded.parsed)
        explanations = explain_frame(loaded.model, images, loaded.name, layer, batch_size=32)
        cost = cost_of_explaining(loaded.model, images, loaded.name, layer, batch_size=32)
        boxes = read_findings(mura)
        results = pointing_game(explanations, boxes, true_labels_by_folder(mura))
        if args.figure and seed == args.seeds[0]:
            write_figure(explanations, boxes, args.figure)
    for kind, rows in sorted(results.items()):
        hits, chances = zip(*rows, strict=True)
        label = f"{kind} (truly abnormal, with a box, classified correctly)" if kind == "all" \
            else kind  # fmt: skip
        print(f"  {len(rows):4d} images {label}: hit-rate {np.mean(hits):.2f} vs random "
              f"{np.mean(chances):.2f}")  # fmt: skip
    print(f"  explain: cost {cost:.2f}x of predict")
    return {"kappa": kappa, "cost": cost, "results": results}


def spread(values: list[float]) -> str:
    """``mean +- standard deviation`` (the deviation only over two or more values)."""
    if len(values) < 2:
        return f"{np.mean(values):.2f}"
    return f"{np.mean(values):.2f} +- {np.std(values, ddof=1):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=MODEL, help="run name to train (default: %(default)s)")
    parser.add_argument("--studies", type=int, default=2000, help="synthetic studies")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="data and training seeds, one run each (default: 0 1 2)")  # fmt: skip
    parser.add_argument("--figure", type=Path, help="also write a montage of one study here")
    args = parser.parse_args()

    print(versions_line(), flush=True)
    runs = [one_seed(args, seed) for seed in args.seeds]
    kinds = sorted({kind for run in runs for kind in run["results"]} - {"all"})
    for kind in kinds:
        rates = [np.mean([hit for hit, _ in run["results"][kind]]) for run in runs
                 if kind in run["results"]]  # fmt: skip
        print(f"  {kind:12} hit-rate {spread(rates)}")
    rates = [np.mean([hit for hit, _ in run["results"].get("all") or [(False, 0.0)]])
             for run in runs]  # fmt: skip
    chances = [np.mean([chance for _, chance in run["results"].get("all") or [(False, 0.0)]])
               for run in runs]  # fmt: skip
    kappas, costs = [run["kappa"] for run in runs], [run["cost"] for run in runs]
    print(f"explain: study kappa {spread(kappas)}, cost {spread(costs)}x of predict "
          f"over {len(runs)} seeds")  # fmt: skip
    print(f"explain: hit-rate {spread(rates)} vs random {spread(chances)}")


def write_figure(explanations, boxes, path: Path) -> None:
    """A montage of the first study whose every view has a box (for the docs)."""
    from mura_core.explain import write_montage

    by_study = defaultdict(list)
    for item in explanations:
        by_study[item.study].append(item)
    for items in by_study.values():
        if all(Path(item.path).resolve() in boxes for item in items) and len(items) > 1:
            write_montage(items, path)
            print(f"figure: {path}", file=sys.stderr)
            return


if __name__ == "__main__":
    main()
