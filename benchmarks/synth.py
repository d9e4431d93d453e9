"""Synthetic MURA generator speed: the new renderer against today's (version 1).

Writes the same number of studies at MURA's image sizes (longest side 160 to 512) with
the version-1 generator (``benchmarks/synth_v1.py``, threads in one process), with the
new one in one process (``workers=1``: threads, as version 1) and with one worker
process per core, in interleaved rounds so a change in machine load hits all alike;
each rate is the best over ``--repeats`` rounds. The new trees are rendered at
``medium`` difficulty with 5% label noise. The last line reads
``synth: W1 img/s one worker (A.AAx of v1), WN img/s N workers (B.BBx of v1)``
(aim: A at least 1.0, B at least 1.7 on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth_v1  # noqa: E402

from mura_core.data.synth import synthesize  # noqa: E402
from mura_core.data.synth.writer import default_workers  # noqa: E402
from mura_core.versions import versions_line  # noqa: E402


def rate(write: Callable[[Path], int]) -> float:
    """Images per second of one call of ``write`` into a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as folder:
        start = time.perf_counter()
        images = write(Path(folder))
        return images / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1200, help="default: 1200")
    parser.add_argument("--repeats", type=int, default=3, help="default: 3")
    parser.add_argument("--workers", type=int, default=default_workers(), help="default: cores")
    args = parser.parse_args()
    print(versions_line(), flush=True)

    def new(workers: int) -> Callable[[Path], int]:
        def write(folder: Path) -> int:
            summary = synthesize(folder, studies=args.studies, seed=0, difficulty="medium",
                                 label_noise=0.05, workers=workers)  # fmt: skip
            return summary.images

        return write

    runs = {
        "v1": lambda folder: synth_v1.synthesize(folder, studies=args.studies, seed=0).images,
        "one worker": new(1),
        f"{args.workers} workers": new(args.workers),
    }
    best = dict.fromkeys(runs, 0.0)
    for round_number in range(args.repeats):
        order = list(runs) if round_number % 2 == 0 else list(reversed(runs))
        for label in order:
            best[label] = max(best[label], rate(runs[label]))
    for label, value in best.items():
        print(f"{label:<12} {value:7.1f} img/s")
    base, one, many = best.values()
    print(
        f"synth: {one:.0f} img/s one worker ({one / base:.2f}x of v1), "
        f"{many:.0f} img/s {args.workers} workers ({many / base:.2f}x of v1)"
    )


if __name__ == "__main__":
    main()
