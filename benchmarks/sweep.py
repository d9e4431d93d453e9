"""Sweep engine: four small runs as four ``mura train`` processes, then as one Ray sweep.

On a synthetic MURA tree (``mura synth``), the same four named CNNs train for the same
epochs, once as four sequential ``mura train`` processes and once as
``mura sweep --engine ray --max-concurrent 2 --cpus-per-run 1``, each into its own runs
folder. The lines before the last break each wall time down, from the runs' own
``run.json`` timings: Ray's start-up (the sweep reports it), process and TensorFlow
start-up with data loading and model building (wall time of a process or trial less its
training and evaluation), training (``fit``) and evaluation, summed over the runs; the
Ray lines also give how many runs trained at once on average. The last line reads
``sweep: ray X.XXx of sequential wall time`` (target on 2 cores: 0.80 or less).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's packages, as the subprocesses (cwd=REPO) use

from mura_core.versions import versions_line  # noqa: E402

PATTERN = "cnn_in.64.64.1_cl.{2,3}.1_f.16_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_{ld,spdp}.0.25"


def mura(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``python -m mura_core ARGS``; returns its wall time and the finished process."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mura_core", *args], cwd=REPO,
                            capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"mura {' '.join(args[:2])} failed:\n{result.stderr[-2000:]}")
    return seconds, result


def timings(runs: Path, name: str) -> tuple[float, float]:
    """Training and evaluation seconds that the run folder records."""
    info = json.loads((runs / name / "run.json").read_text(encoding="utf-8"))
    recorded = info.get("timings", {})
    return recorded.get("train_seconds", 0.0), recorded.get("evaluation_seconds", 0.0)


def sequential(names: list[str], root: Path, runs: Path, common: list[str]) -> dict:
    wall, train, evaluation, started = 0.0, 0.0, 0.0, 0.0
    for name in names:
        seconds, _ = mura("train", name, "--data", str(root), "--runs", str(runs), *common)
        fit, scored = timings(runs, name)
        wall, train, evaluation = wall + seconds, train + fit, evaluation + scored
        started += seconds - fit - scored
    return {"wall": wall, "startup": started, "train": train, "evaluation": evaluation}


def with_ray(names: list[str], root: Path, runs: Path, common: list[str], temp: Path) -> dict:
    wall, result = mura("sweep", *names, "--data", str(root), "--runs", str(runs), *common,
                        "--engine", "ray", "--max-concurrent", "2", "--cpus-per-run", "1",
                        "--ray-temp", str(temp), "--json")  # fmt: skip
    records = json.loads(result.stdout)
    failed = [item for item in records if item["status"] != "complete"]
    if failed:
        sys.exit(f"runs did not complete: {failed}")
    match = re.search(r"Ray started in ([0-9.]+) s", result.stderr)
    ray_start = float(match.group(1)) if match else float("nan")
    train = evaluation = trials = 0.0
    for item in records:
        fit, scored = timings(runs, item["run"])
        train, evaluation, trials = train + fit, evaluation + scored, trials + item["seconds"]
    return {"wall": wall, "ray": ray_start, "startup": trials - train - evaluation,
            "train": train, "evaluation": evaluation, "busy": trials}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--studies", type=int, default=120, help="synthetic studies")
    args = parser.parse_args()
    print(versions_line(), flush=True)
    from mura_core.data.synth import synthesize
    from mura_core.sweeps import plan_runs

    names = [item.name for item in plan_runs([PATTERN])]
    common = ["--epochs", str(args.epochs), "--batch-size", "16", "--quiet"]
    with tempfile.TemporaryDirectory(prefix="mura-sweep-") as folder:
        work = Path(folder)
        synthesize(work / "mura", studies=args.studies, seed=0, min_side=64, max_side=128)
        one = sequential(names, work / "mura", work / "sequential", common)
        two = with_ray(names, work / "mura", work / "ray", common, work / "ray-tmp")
    print(f"{len(names)} runs of {args.epochs} epochs on {os.cpu_count()} CPUs")
    print(f"sequential: wall {one['wall']:.1f} s = process and TensorFlow start-up, data and "
          f"build {one['startup']:.1f} s + training {one['train']:.1f} s + evaluation "
          f"{one['evaluation']:.1f} s")  # fmt: skip
    at_once = two["busy"] / max(two["wall"] - two["ray"], 1e-9)
    print(f"ray: wall {two['wall']:.1f} s; Ray start-up {two['ray']:.1f} s; per trial, summed: "
          f"worker and TensorFlow start-up, data and build {two['startup']:.1f} s + training "
          f"{two['train']:.1f} s + evaluation {two['evaluation']:.1f} s; "
          f"{at_once:.2f} runs at once on average")  # fmt: skip
    print(f"sweep: ray {two['wall'] / one['wall']:.2f}x of sequential wall time")


if __name__ == "__main__":
    main()
