"""The runner's warning when batch-norm moving statistics cannot settle."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import registry
from mura_core.training.settling import (
    SETTLED_FRACTION,
    settling_warning,
    steps_per_epoch,
    warn_unsettled,
)


def test_a_tiny_run_is_warned_with_a_momentum_that_settles() -> None:
    message = settling_warning(0.99, steps_per_epoch=1, epochs=1)  # 32 images, batch 32
    assert message is not None and "set bnm.0.05 in the name" in message
    humerus = settling_warning(0.99, steps_per_epoch=40, epochs=100)  # XR_HUMERUS, batch 32
    assert humerus is not None and "after 120 training steps" in humerus
    suggested = float(humerus.split("bnm.")[1].split()[0])
    assert suggested**120 <= SETTLED_FRACTION < 0.99**120


@pytest.mark.parametrize(
    ("momentum", "steps", "epochs"),
    [(0.99, 1151, 100), (0.99, 1151, 1), (0.9, 40, 100), (0.05, 1, 1)],
)
def test_a_run_whose_statistics_settle_is_not_warned(momentum, steps, epochs) -> None:
    assert settling_warning(momentum, steps, epochs) is None


def test_the_runner_warns_once_on_stderr_only_for_batch_norm_models(capsys) -> None:
    data = SimpleNamespace(counts={"train": 32}, train=None)
    assert steps_per_epoch(data, 32) == 1
    with_bn = registry.build("cnn_in.32.32.1_cl.1.1_f.2_bn")
    assert warn_unsettled(with_bn, data, batch_size=32, epochs=1)
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("mura: warning: batch-norm momentum 0.99 keeps 99%")
    assert warn_unsettled(registry.build("cnn_in.32.32.1_cl.1.1_f.2"), data, 32, 1) is None
    assert capsys.readouterr().err == ""
