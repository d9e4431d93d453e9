"""The report's comparison per body part: runs side by side (``mura compare``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mura_core.errors import MuraError
from mura_core.evaluation.report import Evaluation
from mura_core.evaluation.tables import format_table

__all__ = ["part_scores", "part_table", "plot_parts"]


def part_scores(evaluation_tsv: str | Path, metric: str = "kappa") -> dict[str, float]:
    """Study-level ``metric`` per body part of a run's test evaluation (its
    ``evaluation.tsv``; empty if there is none)."""
    if not Path(evaluation_tsv).exists():
        return {}
    try:
        evaluation = Evaluation.read_tsv(evaluation_tsv)
    except MuraError:
        return {}
    return {part: getattr(levels["study"], metric) for part, levels in
            evaluation.by_body_part.items()}  # fmt: skip


def part_table(names: Sequence[str], scores: Sequence[dict[str, float]]) -> str:
    """One row per body part, one column per run (numbered; the legend follows)."""
    parts = sorted({part for run in scores for part in run})
    headers = ["body part", *(f"run {index + 1}" for index in range(len(names)))]
    rows = [[part, *(run.get(part) for run in scores)] for part in parts]
    legend = "\n".join(f"run {index + 1}: {name}" for index, name in enumerate(names))
    return f"{format_table(rows, headers)}\n{legend}"


def plot_parts(
    names: Sequence[str],
    scores: Sequence[dict[str, float]],
    path: str | Path,
    *,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Grouped bars of study kappa per body part, one colour per run (``metadata``: the
    figure's, such as the marker of :func:`mura_core.outputs.figure_metadata`)."""
    from mura_core.plotting import colour_cycle, fit_legend, new_figure

    parts = sorted({part for run in scores for part in run})
    figure, axis = new_figure(1, 1, figsize=(max(6.0, 1.4 * len(parts) + 2), 4.5))
    colours = colour_cycle()
    width = 0.8 / max(len(names), 1)
    for index, run in enumerate(scores):
        positions = [position + index * width for position in range(len(parts))]
        values = [run.get(part, float("nan")) for part in parts]
        axis.bar(positions, values, width, color=colours[index % len(colours)],
                 label=f"run {index + 1}: {names[index]}")  # fmt: skip
    axis.set_xticks([position + 0.4 - width / 2 for position in range(len(parts))], parts)
    axis.set_ylabel("study kappa (test set)")
    fit_legend(axis.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0)))
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=90, metadata=metadata)
    return path
