"""ROC curve figure of an evaluation (image and study level, overall and per body part)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mura_core.evaluation.studies import aggregate_studies

__all__ = ["plot_roc"]


def _curve(labels: np.ndarray, probabilities: np.ndarray):
    from sklearn.metrics import roc_auc_score, roc_curve

    if len(np.unique(labels)) < 2:
        return None
    fpr, tpr, _ = roc_curve(labels, probabilities)
    return fpr, tpr, roc_auc_score(labels, probabilities)


def plot_roc(predictions: pd.DataFrame, path: str | Path, *, title: str = "") -> Path:
    """Save ROC curves of image predictions to ``path`` (PNG) and return it.

    The left panel compares image- and study-level curves over all body parts; the
    right panel shows the study-level curve of each body part.
    """
    from mura_core.plotting import fit_titles, new_figure

    path = Path(path)
    figure, (overall, parts) = new_figure(1, 2, figsize=(12, 5.5))
    studies = aggregate_studies(predictions)
    for label, frame in (("image", predictions), ("study", studies)):
        curve = _curve(frame["label"].to_numpy(), frame["probability"].to_numpy())
        if curve:
            overall.plot(curve[0], curve[1], label=f"{label} level (AUC {curve[2]:.3f})")
    overall.set_title("All body parts")
    if "body_part" in studies.columns:
        for part, frame in sorted(studies.groupby("body_part"), key=lambda item: item[0]):
            curve = _curve(frame["label"].to_numpy(), frame["probability"].to_numpy())
            if curve:
                parts.plot(curve[0], curve[1], label=f"{part} (AUC {curve[2]:.3f})")
    parts.set_title("Study level, per body part")
    for axes in (overall, parts):
        axes.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8)
        axes.set_xlabel("false positive rate (1 - specificity)")
        axes.set_ylabel("true positive rate (sensitivity)")
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1.01)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="lower right", fontsize="small")
    if title:
        figure.suptitle(title, fontsize="small")
    fit_titles(figure)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path
