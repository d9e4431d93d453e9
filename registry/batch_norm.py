"""Batch-norm momentum: the ``bnm`` token any family with batch normalisation may declare.

A spec field typed :data:`BatchNormMomentum` takes ``bnm.0.9``; :func:`registry.build`
then sets that momentum on every ``BatchNormalization`` layer of the built model. Absent
means Keras's default, :data:`KERAS_MOMENTUM` (0.99), which is therefore written as absent:
``bnm.0.99`` and no ``bnm`` are one name. The moving statistics keep ``momentum ** steps``
of their initial values after ``steps`` training steps, so a small data set (tens of
steps per epoch) needs a lower momentum for its inference-mode outputs to follow the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field

from registry.tokens import Token

#: Keras's default momentum of ``BatchNormalization``.
KERAS_MOMENTUM = 0.99

MOMENTUM_TOKEN = Token(
    "bnm", "batch-norm momentum of the moving statistics (absent: 0.99)", off=KERAS_MOMENTUM
)

#: The type of a spec field holding the batch-norm momentum (default ``None``).
BatchNormMomentum = Annotated[float | None, Field(gt=0.0, lt=1.0), MOMENTUM_TOKEN]


def spec_momentum(spec: Any) -> float | None:
    """The momentum a spec sets, from its :data:`BatchNormMomentum` field (``None``: default)."""
    for field, info in type(spec).model_fields.items():
        if MOMENTUM_TOKEN in info.metadata:
            return getattr(spec, field)
    return None


def batch_norm_layers(model: Any) -> Iterator[Any]:
    """Every ``BatchNormalization`` layer of a Keras model, nested models included."""
    for layer in getattr(model, "layers", ()):
        if any(base.__name__ == "BatchNormalization" for base in type(layer).__mro__):
            yield layer
        else:
            yield from batch_norm_layers(layer)


def set_momentum(model: Any, momentum: float) -> int:
    """Set ``momentum`` on every batch-norm layer of ``model``; returns how many.

    Keras reads a layer's ``momentum`` attribute when its training step is traced, so
    this is done after building and before compiling; it is not a weight, so a model
    rebuilt from its name and then loaded gets it again.
    """
    layers = list(batch_norm_layers(model))
    for layer in layers:
        layer.momentum = float(momentum)
    return len(layers)
