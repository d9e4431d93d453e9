"""The time an epoch will take, said once its first steps have run.

A full-size model on MURA trains for hours per epoch on a CPU (the report's CNN at
256 px: about 2.8 hours on 2 cores); :class:`EpochEstimate` says so after the first
steps of the run's first epoch, in one line on stderr::

    mura: note: about 2 h 48 min per epoch (2,301 steps of 4.38 s)

The first step (tracing and compilation) is left out; the estimate is the median of the
next steps, said after :data:`STEPS` of them or :data:`SECONDS` seconds, whichever comes
first, and only for an epoch estimated to take at least :data:`AT_LEAST` seconds (short
runs stay quiet).
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any, TextIO

import keras

__all__ = ["AT_LEAST", "SECONDS", "STEPS", "EpochEstimate", "duration"]

#: Timed steps after which the estimate is said.
STEPS = 10
#: Seconds of timed steps after which it is said, if sooner (at least 3 steps).
SECONDS = 30.0
#: Shortest epoch worth a note, in seconds.
AT_LEAST = 120.0


def duration(seconds: float) -> str:
    """``2 h 48 min``, ``12 min``, ``45 s``."""
    minutes = round(seconds / 60)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


class EpochEstimate(keras.callbacks.Callback):
    """Say how long an epoch will take, once, after the first epoch's first steps."""

    def __init__(self, stream: TextIO | None = None, clock: Any = time.perf_counter) -> None:
        super().__init__()
        self.stream = stream
        self.clock = clock
        self.seconds: list[float] = []
        self.said: str | None = None
        self._start = 0.0
        self._done = False

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = self.clock()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._done:
            return
        elapsed = self.clock() - self._start
        if batch == 0:
            return  # tracing and compilation
        self.seconds.append(elapsed)
        if len(self.seconds) >= STEPS or (len(self.seconds) >= 3 and sum(self.seconds) >= SECONDS):
            self._say()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._done = True  # the first epoch's own time is in the history

    def _say(self) -> None:
        self._done = True
        steps = (self.params or {}).get("steps")
        if not steps:
            return  # an input of unknown length
        step = statistics.median(self.seconds)
        if step * steps < AT_LEAST:
            return
        self.said = f"about {duration(step * steps)} per epoch ({steps:,} steps of {step:.2f} s)"
        print(f"mura: note: {self.said}", file=self.stream or sys.stderr, flush=True)
