"""Compiling a model as the report trains it: Adam, binary cross-entropy, AUC, accuracy, kappa.

The other set-up of a run: :mod:`~mura_core.training.precision` (the dtype policy) and
:mod:`~mura_core.training.strategy` (the distribution strategy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry import Family

__all__ = ["compile_model", "resolve_xla"]


def resolve_xla(setting: bool | str, family: Family) -> bool | str:
    """The ``jit_compile`` a run compiles with: ``setting`` unless ``"auto"``; then, on a
    machine without accelerators, ``family``'s declared :attr:`~registry.Family.cpu_xla`
    (Keras's own ``"auto"`` always turns XLA off there), else ``"auto"`` (Keras decides)."""
    if setting != "auto":
        return setting
    import tensorflow as tf

    if any(device.device_type != "CPU" for device in tf.config.list_physical_devices()):
        return "auto"
    return family.cpu_xla


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
