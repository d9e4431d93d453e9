"""The best score a reader can reach on noisily labelled synthetic data.

A perfect reader calls every study by its true label; scored against the written (noisy)
labels it reaches the *ceiling*. It is computed exactly from the realised labels, for a
split (recorded in ``dataset.json``) or for any set of studies (``mura evaluate``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from mura_core.data.layout import resolve_root
from mura_core.errors import MuraError

__all__ = ["TRUE_LABELS_COLUMNS", "TRUE_LABELS_CSV", "Ceiling", "ceiling", "subset_ceiling"]

#: File (inside ``MURA-v1.1``, synthetic data only) with the label each study was drawn from.
TRUE_LABELS_CSV = "true_labels.csv"
TRUE_LABELS_COLUMNS: tuple[str, ...] = ("study", "true_label")


@dataclass(frozen=True)
class Ceiling:
    """Cohen's kappa and accuracy of the true labels against the written ones.

    Attributes:
        studies: how many studies it is computed on.
        flipped: how many of them carry a flipped label.
    """

    kappa: float
    accuracy: float
    studies: int
    flipped: int

    def describe(self) -> str:
        """``kappa 0.821, accuracy 0.911 (4 of 45 labels flipped)``."""
        return (
            f"kappa {self.kappa:.3f}, accuracy {self.accuracy:.3f} "
            f"({self.flipped} of {self.studies} labels flipped)"
        )

    def compare(self, kappa: float) -> str:
        """A study-level kappa next to this ceiling, as printed by ``mura evaluate``."""
        share = f": {kappa / self.kappa:.0%} of the ceiling" if self.kappa > 0 else ""
        return (
            f"study-level kappa {kappa:.3f}, ceiling {self.kappa:.3f} (a perfect reader of "
            f"the true labels; accuracy {self.accuracy:.3f}, {self.flipped} of "
            f"{self.studies} labels flipped){share}"
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: an undefined kappa (a single class) is ``None``."""
        values = asdict(self)
        values["kappa"] = None if math.isnan(self.kappa) else self.kappa
        return values


def ceiling(pairs: Iterable[tuple[int, int]]) -> Ceiling:
    """The ceiling of ``(written label, true label)`` pairs, one per study."""
    from mura_core.evaluation.scores import kappa_from_confusion

    counts = {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 0}
    for written, true in pairs:
        counts[(int(written), int(true))] += 1
    total = sum(counts.values())
    # rows: the written label (the reference); columns: the reader's call (the true label)
    kappa = kappa_from_confusion(
        counts[(0, 0)], counts[(0, 1)], counts[(1, 0)], counts[(1, 1)], undefined=math.nan
    )
    agree = counts[(0, 0)] + counts[(1, 1)]
    accuracy = agree / total if total else math.nan
    return Ceiling(kappa=kappa, accuracy=accuracy, studies=total, flipped=total - agree)


def read_true_labels(mura: Path) -> dict[str, int] | None:
    """Study id (its path without the trailing slash) -> true label; ``None`` without
    a ``true_labels.csv``."""
    file = mura / TRUE_LABELS_CSV
    if not file.is_file():
        return None
    with file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {row["study"].rstrip("/"): int(row["true_label"]) for row in rows}


def subset_ceiling(data_root: str | Path, studies: Iterable[tuple[str, int]]) -> Ceiling | None:
    """The ceiling over ``(study id, written label)`` pairs (repeats counted once), or
    ``None`` when the data records no true labels or lacks one of these studies."""
    try:
        true = read_true_labels(resolve_root(data_root).mura)
    except MuraError:
        return None  # only a MURA tree written by mura synth records true labels
    if true is None:
        return None
    written = dict(studies)
    if not written or any(study not in true for study in written):
        return None
    return ceiling((label, true[study]) for study, label in written.items())
