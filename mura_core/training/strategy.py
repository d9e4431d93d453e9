"""The ``tf.distribute`` strategy a run trains under, by its name in the run's settings."""

from __future__ import annotations

from typing import Any

__all__ = ["distribution_strategy"]


def distribution_strategy(name: str) -> Any:
    """``"mirrored"``: a ``MirroredStrategy`` over the local devices; else the default one.

    Build the model inside ``strategy.scope()``.
    """
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
