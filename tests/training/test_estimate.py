"""The time an epoch will take, said once after its first steps, and only when long."""

from __future__ import annotations

import io

import pytest

from mura_core.training.estimate import AT_LEAST, STEPS, EpochEstimate, duration


class Clock:
    """A clock that advances ``step`` seconds between a step's begin and end."""

    def __init__(self, step: float) -> None:
        self.now, self.step, self.ticks = 0.0, step, 0

    def __call__(self) -> float:
        self.ticks += 1
        if self.ticks % 2 == 0:  # a step's end
            self.now += self.step
        return self.now


def _run(step: float, steps: int, batches: int) -> tuple[EpochEstimate, str]:
    stream = io.StringIO()
    estimate = EpochEstimate(stream=stream, clock=Clock(step))
    estimate.set_params({"steps": steps, "epochs": 1})
    for batch in range(batches):
        estimate.on_train_batch_begin(batch)
        estimate.on_train_batch_end(batch)
    estimate.on_epoch_end(0)
    return estimate, stream.getvalue()


def test_a_long_epoch_is_estimated_once_from_its_first_steps():
    estimate, said = _run(step=4.38, steps=2301, batches=40)
    assert said == "mura: note: about 2 h 48 min per epoch (2,301 steps of 4.38 s)\n"
    assert estimate.said is not None and len(estimate.seconds) == 7  # the first 30 s of steps


def test_the_first_step_is_left_out_and_ten_steps_are_enough():
    estimate, said = _run(step=1.0, steps=1000, batches=STEPS + 5)
    assert len(estimate.seconds) == STEPS
    assert "about 17 min per epoch (1,000 steps of 1.00 s)" in said


@pytest.mark.parametrize("steps", [10, int(AT_LEAST) - 1])
def test_a_short_epoch_is_not_worth_a_note(steps):
    estimate, said = _run(step=1.0, steps=steps, batches=steps)
    assert said == "" and estimate.said is None


def test_an_input_of_unknown_length_says_nothing():
    stream = io.StringIO()
    estimate = EpochEstimate(stream=stream, clock=Clock(10.0))
    estimate.set_params({"steps": None, "epochs": 1})
    for batch in range(12):
        estimate.on_train_batch_begin(batch)
        estimate.on_train_batch_end(batch)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("seconds", "text"), [(45, "45 s"), (61, "1 min"), (720, "12 min"), (10080, "2 h 48 min")]
)
def test_durations_read_as_a_person_would_say_them(seconds, text):
    assert duration(seconds) == text
