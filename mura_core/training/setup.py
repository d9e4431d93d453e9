"""The Keras and TensorFlow set-up of a run: compilation, precision policy, strategy."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
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


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@contextlib.contextmanager
def _precision(mixed: bool) -> Iterator[str]:
    """Set the Keras dtype policy for the duration of a run, then restore it."""
    import keras

    previous = keras.mixed_precision.global_policy().name
    policy = "mixed_float16" if mixed else "float32"
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield policy
    finally:
        keras.mixed_precision.set_global_policy(previous)


def _is_dataset(value: Any) -> bool:
    import tensorflow as tf

    return isinstance(value, tf.data.Dataset)


def _strategy(name: str) -> Any:
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
