"""Image- and study-level evaluation of a model's predictions, overall and per body part."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mura_core.errors import MuraError
from mura_core.evaluation.scores import BinaryScores, score_binary
from mura_core.evaluation.studies import aggregate_studies

__all__ = ["LEVELS", "Evaluation", "evaluate_predictions"]

#: Evaluation levels: per image (as the report scored) and per study (as MURA is scored).
LEVELS = ("image", "study")

#: Columns of ``evaluation.tsv``, after ``level`` and ``body_part``.
SCORE_COLUMNS = (
    "count",
    "positives",
    "loss",
    "auc",
    "brier",
    "ece",
    "accuracy",
    "kappa",
    "kappa_low",
    "kappa_high",
    "sensitivity",
    "specificity",
    "tn",
    "fp",
    "fn",
    "tp",
)

#: Columns added since the first evaluation files: NaN when an older file lacks them.
_ADDED_COLUMNS = {"brier", "ece"}

#: ``body_part`` value of the rows covering every body part.
ALL_PARTS = "ALL"


@dataclass(frozen=True)
class Evaluation:
    """Scores at image and study level, overall and for each body part present."""

    image: BinaryScores
    study: BinaryScores
    by_body_part: dict[str, dict[str, BinaryScores]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"image", "study", "by_body_part": {part: {"image", "study"}}}``."""
        return {
            "image": self.image.to_dict(),
            "study": self.study.to_dict(),
            "by_body_part": {
                part: {level: scores.to_dict() for level, scores in levels.items()}
                for part, levels in self.by_body_part.items()
            },
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per (level, body part), ``ALL`` first: the layout of ``evaluation.tsv``."""
        rows = [
            {"level": level, "body_part": ALL_PARTS, **_row(getattr(self, level))}
            for level in LEVELS
        ]
        for part, levels in self.by_body_part.items():
            rows.extend(
                {"level": level, "body_part": part, **_row(levels[level])} for level in LEVELS
            )
        return pd.DataFrame(rows, columns=["level", "body_part", *SCORE_COLUMNS])

    def write_tsv(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` as a tab-separated file and return its path."""
        path = Path(path)
        self.to_frame().to_csv(path, sep="\t", index=False)
        return path

    @classmethod
    def read_tsv(cls, path: str | Path) -> Evaluation:
        """Read an ``evaluation.tsv`` written by :meth:`write_tsv`."""
        frame = pd.read_csv(path, sep="\t")
        missing = {"level", "body_part", *SCORE_COLUMNS} - set(frame.columns) - _ADDED_COLUMNS
        if missing:
            raise MuraError(f"{path} is not an evaluation file (no {sorted(missing)[0]!r} column)")
        table: dict[str, dict[str, BinaryScores]] = {}
        for row in frame.to_dict("records"):
            table.setdefault(str(row["body_part"]), {})[str(row["level"])] = _scores(row)
        overall = table.pop(ALL_PARTS, None)
        if overall is None or set(overall) != set(LEVELS):
            raise MuraError(f"{path} lacks the overall image and study rows")
        return cls(image=overall["image"], study=overall["study"], by_body_part=table)


def _row(scores: BinaryScores) -> dict[str, object]:
    return {column: getattr(scores, column) for column in SCORE_COLUMNS}


def _scores(row: dict[str, object]) -> BinaryScores:
    values = {}
    for column in SCORE_COLUMNS:
        value = row.get(column, math.nan)
        if column in {"count", "positives", "tn", "fp", "fn", "tp"}:
            values[column] = int(value)
        else:
            values[column] = math.nan if pd.isna(value) else float(value)
    return BinaryScores(**values)


def _level_scores(images: pd.DataFrame, *, resamples: int, seed: int) -> dict[str, BinaryScores]:
    studies = aggregate_studies(images)
    return {
        "image": score_binary(
            images["label"].to_numpy(),
            images["probability"].to_numpy(),
            resamples=resamples,
            seed=seed,
        ),
        "study": score_binary(
            studies["label"].to_numpy(),
            studies["probability"].to_numpy(),
            with_loss=False,
            resamples=resamples,
            seed=seed,
        ),
    }


def evaluate_predictions(
    predictions: pd.DataFrame, *, resamples: int = 1000, seed: int = 0
) -> Evaluation:
    """Evaluate image predictions at image and study level, overall and per body part.

    Args:
        predictions: one row per image with ``study``, ``label`` (0/1),
            ``probability`` and, for the per-part breakdown, ``body_part``.
        resamples: bootstrap resamples of kappa's 95% interval (0 disables it).
        seed: bootstrap seed, so the interval is reproducible.
    """
    missing = {"study", "label", "probability"} - set(predictions.columns)
    if missing:
        raise MuraError(f"predictions lack column(s) {', '.join(sorted(missing))}")
    if predictions.empty:
        raise MuraError("no predictions to evaluate")
    if not np.isfinite(predictions["probability"].to_numpy(dtype=float)).all():
        raise MuraError("predictions contain NaN or infinite probabilities")
    overall = _level_scores(predictions, resamples=resamples, seed=seed)
    by_part: dict[str, dict[str, BinaryScores]] = {}
    if "body_part" in predictions.columns:
        for part, images in sorted(predictions.groupby("body_part"), key=lambda item: item[0]):
            by_part[str(part)] = _level_scores(images, resamples=resamples, seed=seed)
    return Evaluation(image=overall["image"], study=overall["study"], by_body_part=by_part)
