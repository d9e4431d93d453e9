"""What recording and checking a run's data costs at the size of real MURA.

Builds a MURA-shaped tree of ``--images`` small files (40,000 by default, as real MURA:
file metadata is all a fingerprint reads, so the files' content does not matter) with
its ``valid_labeled_studies.csv``, then times taking the fingerprint of every image
(:func:`~mura_core.data.fingerprint.fingerprint_split`, at training start) and comparing
the tree with it (:func:`~mura_core.data.fingerprint.compare`, what ``mura evaluate``,
``export`` and ``submit`` do), best of three. The last line reads exactly
``fingerprint: N images taken in X.XX s, compared in Y.YY s``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from mura_core.data.fingerprint import compare, fingerprint_split
from mura_core.data.split import DataSplit
from mura_core.versions import versions_line


def build_tree(root: Path, images: int) -> pd.DataFrame:
    """``images`` files under ``root/MURA-v1.1/valid``, four per study; their frame."""
    rows, studies = [], []
    for index in range(images):
        patient, study = divmod(index // 4, 3)
        label = "positive" if patient % 2 else "negative"
        folder = f"MURA-v1.1/valid/XR_WRIST/patient{patient:05d}/study{study + 1}_{label}"
        if index % 4 == 0:
            (root / folder).mkdir(parents=True)
            studies.append(f"{folder}/,{int(label == 'positive')}\n")
        relpath = f"{folder}/image{index % 4 + 1}.png"
        (root / relpath).write_bytes(b"\x89PNG" + index.to_bytes(4, "big"))
        rows.append({"path": str(root / relpath), "relpath": relpath,
                     "label": int(label == "positive")})  # fmt: skip
    (root / "MURA-v1.1" / "valid_labeled_studies.csv").write_text("".join(studies))
    return pd.DataFrame(rows)


def best_of(rounds: int, function) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=40_000)
    args = parser.parse_args()
    print(versions_line(), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        frame = build_tree(root, args.images)
        empty = frame.iloc[:0]
        split = DataSplit(train=empty, validation=empty, test=frame, seed=0,
                          validation_fraction=0.2)  # fmt: skip
        table = fingerprint_split(split)
        taken = best_of(3, lambda: fingerprint_split(split))
        compared = best_of(3, lambda: compare(table, root))
        assert not compare(table, root)
    print(f"fingerprint: {args.images} images taken in {taken:.2f} s, compared in "
          f"{compared:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
