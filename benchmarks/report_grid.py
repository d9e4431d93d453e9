"""The report's custom-CNN grid and its body-part ensemble question, on synthetic data.

On one synthetic MURA tree of medium difficulty with label noise (``mura synth``, written
once into ``--data`` and reused), with batch-norm momentum set for the data's size
(``bnm.0.9``: the moving statistics settle within the first epochs of a few dozen steps):

* **grid**: the report's CNN at ``--size`` pixels, grayscale, 16 filters, blocks 3 to 6,
  dropout (``ld``) or spatial dropout (``spdp``), each without and with class weights
  and augmentation (``__wc``, ``__aug``, ``__wc_aug``): 32 runs as one ``mura sweep``
  (Ray, two at once). One line per run: test AUC and kappa per image and per study;
  then ``grid: N of M runs above study kappa 0; best K (name), median K; ceiling C``.
* **ensemble**: the report's member architecture (6 blocks, dropout, ``__wc_aug``) as a
  single all-parts model, a from-scratch ``parts`` ensemble (one member per body part),
  a warm-started one (``ws``: each member fine-tuned from the all-parts run), each
  combined by ``route`` (an image is scored by its part's member) and ``avg`` (every
  member scores every image). One row per model and body part: test study kappa, with
  the ceiling of that part's test studies; then ``ensemble: single K, parts route K,
  parts avg K, ws route K, ws avg K; ceiling C``.

The ceiling is the study kappa of a model that knows every study's true label, scored
against the written (noisy) labels: what no model can beat on this split.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mura_core.versions import versions_line  # noqa: E402

#: The report's CNN body at ``{size}`` pixels, with the momentum token for small data.
BODY = "cnn_in.{size}.{size}.1_cl.{blocks}.1_f.16_ck.3.3_bn_bnm.0.9_p.max_ps.2.2_pstr.2.2"
#: The grid's run suffixes: none, class weights, augmentation, both.
SUFFIXES = ("", "__wc", "__aug", "__wc_aug")
PARTS = ("ELBOW", "FINGER", "FOREARM", "HAND", "HUMERUS", "SHOULDER", "WRIST")


def mura(*args: str) -> subprocess.CompletedProcess:
    """Run ``python -m mura_core ARGS`` in this checkout; exits on a usage error."""
    result = subprocess.run([sys.executable, "-m", "mura_core", *args], cwd=REPO,
                            capture_output=True, text=True)  # fmt: skip
    if result.returncode not in (0, 1):
        sys.exit(f"mura {' '.join(args[:2])} failed:\n{result.stderr[-3000:]}")
    return result


def tree(root: Path, studies: int, noise: float) -> None:
    """The synthetic tree at ``root``, written unless already there."""
    if (root / "MURA-v1.1").is_dir():
        return
    mura("synth", str(root), "--studies", str(studies), "--difficulty", "medium",
         "--label-noise", str(noise), "--max-side", "160")  # fmt: skip


def grid_names(size: int) -> list[str]:
    return [BODY.format(size=size, blocks=blocks) + f"_{reg}.0.25{suffix}"
            for blocks in range(3, 7) for reg in ("ld", "spdp") for suffix in SUFFIXES]  # fmt: skip


def ensemble_names(size: int) -> dict[str, str]:
    member = BODY.format(size=size, blocks=6) + "_ld.0.25"
    return {
        "single": f"{member}__wc_aug",
        "parts route": f"parts_m({member})_c.route__wc_aug",
        "parts avg": f"parts_m({member})_c.avg__wc_aug",
        "ws route": f"parts_m({member})_c.route_ws__wc_aug",
        "ws avg": f"parts_m({member})_c.avg_ws__wc_aug",
    }


def trained(runs: Path, name: str) -> bool:
    """True when ``runs`` holds the complete run ``name``."""
    from mura_core.runs import summarize_run

    folder = runs / name
    return folder.is_dir() and summarize_run(folder).status == "complete"


def scores(runs: Path, name: str) -> dict:
    """A run's test scores: image and study level, and study kappa by body part."""
    from mura_core.evaluation.by_part import part_scores
    from mura_core.runs import find_run, parse_run_folder, summarize_run

    folder, _ = parse_run_folder(find_run(name, runs))
    summary = summarize_run(folder.path)
    return {**summary.evaluation, "parts": part_scores(folder.evaluation),
            "status": summary.status}  # fmt: skip


def ceilings(root: Path, runs: Path, name: str) -> dict[str, float]:
    """Study-kappa ceiling of the run's test studies, overall and by body part."""
    import pandas as pd

    from mura_core.data.synth import subset_ceiling
    from mura_core.runs import find_run, parse_run_folder

    folder, _ = parse_run_folder(find_run(name, runs))
    frame = pd.read_csv(folder.path / "predictions.test.tsv", sep="\t")
    pairs = lambda rows: zip(rows["study"], rows["label"])  # noqa: E731
    found = {"all": subset_ceiling(root, pairs(frame)).kappa}
    for part, rows in frame.groupby("body_part"):
        found[str(part).removeprefix("XR_")] = subset_ceiling(root, pairs(rows)).kappa
    return found


def fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


def run_grid(root: Path, runs: Path, args: argparse.Namespace) -> None:
    names = grid_names(args.size)
    mura("sweep", *names, "--data", str(root), "--runs", str(runs), "--epochs",
         str(args.epochs), "--batch-size", "16", "--quiet", *args.engine)  # fmt: skip
    kappas = []
    print(f"{'run':<90} image auc/kappa  study auc/kappa")
    for name in names:
        found = scores(runs, name)
        image, study = found.get("image", {}), found.get("study", {})
        kappas.append((study.get("kappa") or 0.0, name))
        print(f"{name:<90} {fmt(image.get('auc'))} {fmt(image.get('kappa'))}    "
              f"{fmt(study.get('auc'))} {fmt(study.get('kappa'))}")  # fmt: skip
    ceiling = ceilings(root, runs, names[0])["all"]
    best = max(kappas)
    above = sum(kappa > 0 for kappa, _ in kappas)
    print(f"grid: {above} of {len(kappas)} runs above study kappa 0; best {best[0]:.3f} "
          f"({best[1]}), median {statistics.median(k for k, _ in kappas):.3f}; "
          f"ceiling {ceiling:.3f}")  # fmt: skip


def run_ensembles(root: Path, runs: Path, args: argparse.Namespace) -> None:
    names = ensemble_names(args.size)
    common = ["--data", str(root), "--runs", str(runs), "--epochs", str(args.epochs),
              "--batch-size", "16", "--quiet"]  # fmt: skip
    for key, name in names.items():  # the single run first: ``ws`` starts from it
        if trained(runs, name):
            continue  # the grid trained the single model already
        result = mura("train", name, *common, *(args.engine if key != "single" else ()))
        if result.returncode:
            print(f"{key}: exit {result.returncode}: {result.stderr.strip()[-500:]}")
    found = {key: scores(runs, name) for key, name in names.items()}
    limits = ceilings(root, runs, names["single"])
    print(f"{'study kappa':<12}" + "".join(f"{key:>12}" for key in names) + f"{'ceiling':>12}")
    for part in ("all", *PARTS):
        row = []
        for key in names:
            if part == "all":
                row.append(found[key].get("study", {}).get("kappa"))
            else:
                row.append(found[key]["parts"].get(f"XR_{part}"))
        print(f"{part:<12}" + "".join(f"{fmt(v):>12}" for v in row)
              + f"{fmt(limits.get(part)):>12}")  # fmt: skip
    summary = ", ".join(f"{key} {fmt(found[key].get('study', {}).get('kappa'))}" for key in names)
    print(f"ensemble: {summary}; ceiling {limits['all']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "mura-grid")
    parser.add_argument("--runs", type=Path, default=None, help="default: DATA/runs")
    parser.add_argument("--studies", type=int, default=1500)
    parser.add_argument("--label-noise", type=float, default=0.05)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--part", choices=("grid", "ensemble", "both"), default="both")
    parser.add_argument("--local", action="store_true", help="one run at a time, no Ray")
    args = parser.parse_args()
    print(versions_line(), flush=True)
    args.engine = (["--engine", "local"] if args.local else
                   ["--engine", "ray", "--max-concurrent", "2", "--cpus-per-run", "1"])  # fmt: skip
    root = args.data
    runs = args.runs or root / "runs"
    tree(root, args.studies, args.label_noise)
    if args.part in ("grid", "both"):
        run_grid(root, runs, args)
    if args.part in ("ensemble", "both"):
        run_ensembles(root, runs, args)


if __name__ == "__main__":
    main()
