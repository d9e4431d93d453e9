"""``mura models list`` wall time against ``python -c "import tensorflow"``, side by side.

Both commands run alternately in fresh interpreters, several rounds each; the ratio of
the medians is printed on the last line (target: at most 0.25).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from mura_core.versions import versions_line

COMMANDS = {
    "mura models list": [sys.executable, "-m", "mura_core", "models", "list"],
    "import tensorflow": [sys.executable, "-c", "import tensorflow"],
}


def timed(command: list[str]) -> float:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(versions_line(), flush=True)
    times: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for command in COMMANDS.values():  # warm the file cache once
        timed(command)
    for _ in range(args.rounds):
        for label, command in COMMANDS.items():
            times[label].append(timed(command))
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, value in medians.items():
        print(f"{label:>20}: median {value:.3f}s over {args.rounds} runs")
    ratio = medians["mura models list"] / medians["import tensorflow"]
    print(f"cli startup: mura models list / import tensorflow = {ratio:.3f}x (target <= 0.25)")


if __name__ == "__main__":
    main()
