"""The Keras dtype policy a run trains under: ``float32``, or ``mixed_float16`` on GPUs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["precision_policy"]


@contextlib.contextmanager
def precision_policy(mixed: bool) -> Iterator[str]:
    """Set the Keras dtype policy (``mixed_float16`` if ``mixed``) for a block, then restore it.

    Yields the policy's name.
    """
    import keras

    previous = keras.mixed_precision.global_policy().name
    policy = "mixed_float16" if mixed else "float32"
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield policy
    finally:
        keras.mixed_precision.set_global_policy(previous)
