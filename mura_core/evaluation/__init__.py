"""Evaluation as MURA is scored: per image and per study, overall and per body part.

A study's probability is the mean of its images' probabilities and it is called
abnormal above 0.5 (the MURA paper's rule). Importing this package does not import
TensorFlow.
"""

from mura_core.evaluation.plots import plot_roc
from mura_core.evaluation.report import LEVELS, Evaluation, evaluate_predictions
from mura_core.evaluation.scores import (
    BinaryScores,
    bootstrap_kappa,
    kappa_from_confusion,
    score_binary,
)
from mura_core.evaluation.studies import STUDY_THRESHOLD, aggregate_studies
from mura_core.evaluation.tables import (
    REFERENCE_RESULTS,
    SCORE_HEADERS,
    Reference,
    format_table,
    markdown_table,
    reference_table,
    score_rows,
    scores_table,
)

__all__ = [
    "LEVELS",
    "REFERENCE_RESULTS",
    "SCORE_HEADERS",
    "STUDY_THRESHOLD",
    "BinaryScores",
    "Evaluation",
    "Reference",
    "aggregate_studies",
    "bootstrap_kappa",
    "evaluate_predictions",
    "format_table",
    "kappa_from_confusion",
    "markdown_table",
    "plot_roc",
    "reference_table",
    "score_rows",
    "scores_table",
    "score_binary",
]
