"""Plain-text tables of evaluations, beside the published MURA reference results."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from mura_core.evaluation.report import Evaluation

__all__ = [
    "REFERENCE_RESULTS",
    "SCORE_HEADERS",
    "Reference",
    "format_table",
    "markdown_table",
    "reference_table",
    "score_rows",
    "scores_table",
]


class Reference(NamedTuple):
    """A published result on the real MURA test set (the ``valid`` split)."""

    system: str
    level: str
    kappa: float
    auc: float | None


#: Reference results on MURA, from the report and the MURA paper (docs/DESIGN).
REFERENCE_RESULTS: tuple[Reference, ...] = (
    Reference("report: 6-block CNN, class weights, augmentation", "image", 0.527, 0.832),
    Reference("report: DenseNet201, top 12 blocks trained, MLP head", "image", 0.598, 0.860),
    Reference("MURA paper: DenseNet-169, ensemble of 5", "study", 0.705, 0.929),
    Reference("best radiologist in the MURA paper", "study", 0.778, None),
)


def _cell(value: object, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_table(
    rows: Sequence[Sequence[object]], headers: Sequence[str], *, digits: int = 3
) -> str:
    """Align ``rows`` under ``headers``; floats get ``digits`` decimals, NaN/None show ``-``."""
    cells = [[str(header) for header in headers]]
    cells += [[_cell(value, digits) for value in row] for row in rows]
    widths = [max(len(row[index]) for row in cells) for index in range(len(headers))]
    numeric = [
        all(isinstance(row[index], (int, float)) or row[index] is None for row in rows)
        for index in range(len(headers))
    ]
    lines = []
    for position, row in enumerate(cells):
        parts = [
            cell.rjust(width) if numeric[index] and position else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if position == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _markdown_cell(value: object, digits: int) -> str:
    return _cell(value, digits).replace("|", "\\|").replace("\n", " ")


def markdown_table(
    rows: Sequence[Sequence[object]], headers: Sequence[str], *, digits: int = 3
) -> str:
    """``rows`` as a GitHub-flavoured Markdown table, cells written as :func:`format_table`
    writes them; numeric columns are right-aligned."""
    numeric = [
        bool(rows) and all(isinstance(row[index], (int, float)) or row[index] is None
                           for row in rows)
        for index in range(len(headers))
    ]  # fmt: skip
    lines = [
        "| " + " | ".join(_markdown_cell(header, digits) for header in headers) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
    ]
    lines += ["| " + " | ".join(_markdown_cell(v, digits) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _interval(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "-"
    return f"[{low:.3f}, {high:.3f}]"


#: Columns of :func:`score_rows`.
SCORE_HEADERS: tuple[str, ...] = (
    "body part",
    "level",
    "n",
    "loss",
    "auc",
    "brier",
    "ece",
    "accuracy",
    "kappa",
    "kappa 95% CI",
    "sensitivity",
    "specificity",
)


def score_rows(evaluation: Evaluation) -> list[list[object]]:
    """Image and study scores overall and per body part, one row per (part, level), with
    the columns :data:`SCORE_HEADERS`."""
    groups = [("ALL", {"image": evaluation.image, "study": evaluation.study})]
    groups += list(evaluation.by_body_part.items())
    rows = []
    for part, levels in groups:
        for level in ("image", "study"):
            scores = levels[level]
            rows.append(
                [
                    part,
                    level,
                    scores.count,
                    scores.loss,
                    scores.auc,
                    scores.brier,
                    scores.ece,
                    scores.accuracy,
                    scores.kappa,
                    _interval(scores.kappa_low, scores.kappa_high),
                    scores.sensitivity,
                    scores.specificity,
                ]
            )
    return rows


def scores_table(evaluation: Evaluation) -> str:
    """:func:`score_rows` as a plain-text table."""
    return format_table(score_rows(evaluation), SCORE_HEADERS)


def reference_table(evaluation: Evaluation, name: str = "this run") -> str:
    """The run's overall kappa and AUC beside the reference results on real MURA."""
    rows: list[list[object]] = [
        [
            f"{name}",
            level,
            getattr(evaluation, level).kappa,
            _interval(getattr(evaluation, level).kappa_low, getattr(evaluation, level).kappa_high),
            getattr(evaluation, level).auc,
        ]
        for level in ("image", "study")
    ]
    rows += [[ref.system, ref.level, ref.kappa, "", ref.auc] for ref in REFERENCE_RESULTS]
    table = format_table(rows, ["system", "level", "kappa", "kappa 95% CI", "auc"])
    return f"{table}\n(reference rows: published results on the real MURA test set)"
