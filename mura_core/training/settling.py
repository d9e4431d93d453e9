"""Whether a run's batch-norm moving statistics can settle, and the warning when not.

A ``BatchNormalization`` layer's moving mean and variance keep ``momentum ** steps`` of
their initial values after ``steps`` training steps. Inference uses those statistics, so
while a large share of the initial values is left the model's test-time outputs do not
follow the data (a constant prediction, a kappa of 0). The runner checks the first
:data:`SETTLE_EPOCHS` epochs (all of them when the run has fewer): when more than
:data:`SETTLED_FRACTION` of the initial statistics would be left, it warns in one line
and names a ``bnm`` value that would settle them.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from registry import batch_norm_layers

#: Epochs within which the moving statistics should settle.
SETTLE_EPOCHS = 3
#: Largest share of the initial moving statistics left after those epochs.
SETTLED_FRACTION = 0.05

__all__ = [
    "SETTLED_FRACTION",
    "SETTLE_EPOCHS",
    "settling_steps",
    "settling_warning",
    "steps_per_epoch",
    "warn_unsettled",
]


def settling_steps(steps_per_epoch: int, epochs: int) -> int:
    """Training steps within which the statistics should settle."""
    return max(1, steps_per_epoch) * max(1, min(epochs, SETTLE_EPOCHS))


def settled_momentum(steps: int) -> float:
    """The largest two-decimal momentum that leaves at most :data:`SETTLED_FRACTION`."""
    return max(0.01, math.floor(100 * SETTLED_FRACTION ** (1 / steps)) / 100)


def settling_warning(momentum: float, steps_per_epoch: int, epochs: int) -> str | None:
    """The warning for a momentum too slow for the run's steps, or ``None`` when it settles."""
    steps = settling_steps(steps_per_epoch, epochs)
    left = momentum**steps
    if left <= SETTLED_FRACTION:
        return None
    counted = min(epochs, SETTLE_EPOCHS)
    within = "1 epoch" if counted <= 1 else f"the first {counted} epochs"
    return (
        f"batch-norm momentum {momentum:g} keeps {left:.0%} of the initial moving statistics "
        f"after {steps} training steps ({within}); inference outputs may not follow the "
        f"data: set bnm.{settled_momentum(steps):g} in the name"
    )


def steps_per_epoch(data: Any, batch_size: int) -> int | None:
    """Training steps per epoch of a run's :class:`~mura_core.training.data.RunData`."""
    from mura_core.training.data import is_dataset

    images = data.counts.get("train")
    if images:
        return math.ceil(images / batch_size)
    if is_dataset(data.train):
        steps = int(data.train.cardinality())  # negative: unknown or infinite
        return steps if steps > 0 else None
    return None


def warn_unsettled(model: Any, data: Any, batch_size: int, epochs: int) -> str | None:
    """Print the settling warning to stderr when it applies; return it."""
    momenta = [layer.momentum for layer in batch_norm_layers(model)]
    steps = steps_per_epoch(data, batch_size)
    if not momenta or steps is None:
        return None
    message = settling_warning(max(momenta), steps, epochs)
    if message:
        print(f"mura: warning: {message}", file=sys.stderr)
    return message
