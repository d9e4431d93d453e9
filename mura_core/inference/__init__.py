"""Running a trained model on images: batches, predictions and the evaluation of a run.
Training imports this package to evaluate a run when it ends; nothing here trains.
"""

from mura_core.inference.calibrating import calibrate_run, validation_logits
from mura_core.inference.predictions import inference_batches, predict_frame
from mura_core.inference.run_evaluation import RunEvaluation, evaluate_run
from mura_core.inference.subsets import SUBSETS, subset_frame

__all__ = [
    "SUBSETS",
    "RunEvaluation",
    "calibrate_run",
    "evaluate_run",
    "inference_batches",
    "predict_frame",
    "subset_frame",
    "validation_logits",
]
