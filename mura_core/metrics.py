"""Streaming Keras metrics used to train and score MURA models.

TensorFlow Addons, which shipped the Cohen's kappa metric the report trained with, is
gone; :class:`CohenKappa` replaces it. Its state is the 2x2 confusion matrix, so it
accumulates exactly over batches, runs inside compiled (graph or XLA) train steps, and
sums correctly across replicas under ``tf.distribute`` strategies.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from mura_core.evaluation.scores import kappa_from_confusion

__all__ = ["CohenKappa", "kappa_from_confusion"]


@keras.saving.register_keras_serializable(package="mura")
class CohenKappa(keras.metrics.Metric):
    """Cohen's kappa between binary labels and thresholded probabilities.

    A prediction counts as positive (abnormal) when ``y_pred > threshold``, as in
    Keras' ``BinaryAccuracy``. Labels are binarised with the same rule, so soft
    labels in [0, 1] are accepted. ``sample_weight`` weights the confusion counts.

    Example:
        >>> metric = CohenKappa()
        >>> metric.update_state([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.1])
        >>> round(float(metric.result()), 4)
        0.5
    """

    def __init__(
        self,
        name: str = "kappa",
        threshold: float = 0.5,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.threshold = float(threshold)
        # Counts in float32 even under mixed precision: float16 loses integers > 2048.
        self.confusion = self.add_variable(
            shape=(4,), initializer="zeros", dtype="float32", name="confusion"
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch to the confusion counts ``[tn, fp, fn, tp]``."""
        y_true = ops.reshape(ops.convert_to_tensor(y_true), (-1,))
        y_pred = ops.reshape(ops.convert_to_tensor(y_pred), (-1,))
        actual = ops.cast(ops.greater(ops.cast(y_true, "float32"), self.threshold), "float32")
        predicted = ops.cast(ops.greater(ops.cast(y_pred, "float32"), self.threshold), "float32")
        if sample_weight is None:
            weight = ops.ones_like(actual)
        else:
            weight = ops.cast(ops.convert_to_tensor(sample_weight), "float32")
            if len(weight.shape) == 0:
                weight = ops.broadcast_to(weight, ops.shape(actual))
            else:
                weight = ops.reshape(weight, (-1,))
        tp = ops.sum(weight * actual * predicted)
        fn = ops.sum(weight * actual * (1.0 - predicted))
        fp = ops.sum(weight * (1.0 - actual) * predicted)
        tn = ops.sum(weight * (1.0 - actual) * (1.0 - predicted))
        self.confusion.assign_add(ops.stack([tn, fp, fn, tp]))

    def result(self) -> Any:
        """Kappa of everything seen since the last reset (0.0 when undefined)."""
        tn, fp, fn, tp = (self.confusion[i] for i in range(4))
        total = tn + fp + fn + tp
        safe_total = ops.maximum(total, 1.0)
        observed = (tp + tn) / safe_total
        expected = ((tp + fp) * (tp + fn) + (tn + fn) * (tn + fp)) / (safe_total * safe_total)
        denominator = 1.0 - expected
        defined = ops.logical_and(ops.greater(total, 0.0), ops.greater(denominator, 1e-7))
        kappa = (observed - expected) / ops.where(defined, denominator, 1.0)
        return ops.where(defined, kappa, 0.0)

    def reset_state(self) -> None:
        """Zero the confusion counts."""
        self.confusion.assign(ops.zeros((4,), dtype="float32"))

    def get_config(self) -> dict[str, Any]:
        """Serialisable configuration (name, threshold, dtype)."""
        return {**super().get_config(), "threshold": self.threshold}
