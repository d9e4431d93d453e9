"""Does the synthetic difficulty measure something? The demo's CNN at easy, medium, hard.

For each level, writes a synthetic MURA tree with the same seed, size and label noise
(5%), trains the demo's CNN (``examples/demo.py``: 64x64 grayscale, class weights,
augmentation) for the same number of epochs at every level (20, twice the demo's: at
ten epochs even ``easy`` has not converged), evaluates it per study on the test set
(MURA ``valid``, 420 studies) and prints its study-level kappa next to the ceiling (the
kappa of a perfect reader of the true labels against the noisy ones). Takes about four
minutes on two cores.
The last line reads ``difficulty: easy K/C, medium K/C, hard K/C``; the levels should
come out in that order, hard clearly above chance (0) and below medium.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

from demo import DEMO_RUN  # noqa: E402

from mura_core.data.synth import DIFFICULTY_NAMES, synthesize  # noqa: E402
from mura_core.versions import versions_line  # noqa: E402


def measure(level: str, folder: Path, args: argparse.Namespace) -> tuple[float, float]:
    """Study-level kappa and ceiling of the demo CNN trained at ``level``."""
    from mura_core.training.runner import train

    start = time.perf_counter()
    test_share = args.test_studies / args.studies
    summary = synthesize(
        folder / "data", studies=args.studies, seed=args.seed, valid_fraction=test_share,
        min_side=80, max_side=128, difficulty=level, label_noise=args.label_noise,
    )  # fmt: skip
    result = train(DEMO_RUN, folder / "data", out=folder / "runs", epochs=args.epochs,
                   batch_size=32, seed=args.seed, verbose=0)  # fmt: skip
    study = result.evaluation.study
    ceiling = summary.ceilings["valid"]
    print(
        f"{level:<7} study kappa {study.kappa:.3f} (95% CI {study.kappa_low:.3f} to "
        f"{study.kappa_high:.3f}) on {study.count} studies, ceiling {ceiling.kappa:.3f}; "
        f"AUC {study.auc:.3f}; image kappa {result.evaluation.image.kappa:.3f}; "
        f"{time.perf_counter() - start:.0f} s",
        flush=True,
    )
    return study.kappa, ceiling.kappa


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=2000, help="both splits (default: 2000)")
    parser.add_argument("--test-studies", type=int, default=420, help="default: 420")
    parser.add_argument("--epochs", type=int, default=20, help="default: 20")
    parser.add_argument("--label-noise", type=float, default=0.05, help="default: 0.05")
    parser.add_argument("--seed", type=int, default=0, help="default: 0")
    args = parser.parse_args()
    print(versions_line(), flush=True)
    scores = {}
    with tempfile.TemporaryDirectory(prefix="synth-difficulty-") as folder:
        for level in DIFFICULTY_NAMES:
            scores[level] = measure(level, Path(folder) / level, args)
    print("difficulty: " + ", ".join(f"{k} {s:.2f}/{c:.2f}" for k, (s, c) in scores.items()))


if __name__ == "__main__":
    main()
