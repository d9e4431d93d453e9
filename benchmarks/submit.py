"""``mura submit`` and ``mura predict`` on 100,000 rows over 57 images against 57 rows.

Trains a tiny CNN one epoch on a small synthetic MURA tree, then runs both commands (in
this process, through :func:`mura_core.cli.main`) on a CSV naming 57 distinct images
once each and on a CSV naming the same 57 images in 100,000 rows, alternately, several
rounds; the best round of each counts. Work is done per distinct image, so the two
should take about as long: the last line reads exactly
``distinct images: 100000 rows over 57 images take X.XXx (submit), Y.YYx (predict) the
time of 57 rows``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

from mura_core.versions import versions_line

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

MODEL = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def _quiet_main(argv: list[str]) -> float:
    """Wall time of ``mura ARGV``, its output discarded (it must succeed)."""
    from mura_core.cli import main

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"mura {' '.join(argv[:2])} failed with status {code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--images", type=int, default=57)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(versions_line(), flush=True)

    from mura_core.data.synth import synthesize
    from mura_core.training.runner import train

    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "mura"
        synthesize(root, studies=80, seed=5, min_side=64, max_side=128)
        run = train(MODEL, root, out=Path(work) / "runs", epochs=1, verbose=0).run.folder.path
        listed = (root / "MURA-v1.1" / "train_image_paths.csv").read_text().split()
        paths = listed[: args.images]
        tables = {"once": root / "MURA-v1.1" / "once_image_paths.csv",
                  "repeated": root / "MURA-v1.1" / "repeated_image_paths.csv"}  # fmt: skip
        tables["once"].write_text("\n".join(paths) + "\n")
        repeated = (paths[i % len(paths)] for i in range(args.rows))
        tables["repeated"].write_text("\n".join(repeated) + "\n")
        commands = {
            (command, kind): (["submit", str(run), str(table), str(Path(work) / f"{kind}.csv"),
                               "--overwrite"]  # each round replaces the last round's file
                              if command == "submit" else ["predict", str(run), str(table)])
            for command in ("submit", "predict") for kind, table in tables.items()
        }  # fmt: skip
        for argv in commands.values():  # warm-up: TensorFlow's start, tracing, file cache
            _quiet_main(argv)
        best = {key: float("inf") for key in commands}
        for _ in range(args.rounds):
            for key, argv in commands.items():
                best[key] = min(best[key], _quiet_main(argv))
    for (command, kind), seconds in best.items():
        rows = args.rows if kind == "repeated" else len(paths)
        print(f"{command:>8} {rows:>7} rows: {seconds:6.2f} s")
    ratio = {c: best[(c, "repeated")] / best[(c, "once")] for c in ("submit", "predict")}
    print(f"distinct images: {args.rows} rows over {len(paths)} images take "
          f"{ratio['submit']:.2f}x (submit), {ratio['predict']:.2f}x (predict) the time of "
          f"{len(paths)} rows")  # fmt: skip


if __name__ == "__main__":
    main()
