"""Compiling a model as the report trains it: Adam, binary cross-entropy, AUC, accuracy, kappa.

The other set-up of a run: :mod:`~mura_core.training.precision` (the dtype policy) and
:mod:`~mura_core.training.strategy` (the distribution strategy).
"""

from __future__ import annotations

from typing import Any

__all__ = ["compile_model"]


def compile_model(
    model: Any, *, learning_rate: float = 1e-3, jit_compile: bool | str = "auto"
) -> Any:
    """Compile ``model`` as the report: Adam, binary cross-entropy, auc/accuracy/kappa."""
    import keras

    from mura_core.metrics import CohenKappa

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=[
            keras.metrics.AUC(name="auc"),
            keras.metrics.BinaryAccuracy(name="accuracy"),
            CohenKappa(name="kappa"),
        ],
        jit_compile=jit_compile,
    )
    return model
