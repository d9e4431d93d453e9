"""Training the runs the ensemble tests share (see ``ensemble_runs`` in conftest)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from tests.ensembles.conftest import MEMBER, SETTINGS

AVG = f"parts_m({MEMBER})_bp.HAND.WRIST_c.avg__wc"
ROUTE_WS = f"parts_m({MEMBER})_bp.ELBOW.HAND.WRIST_c.route_ws__wc"
SINGLE = f"{MEMBER}__wc"
#: The layer whose weights the warm-start test compares.
LAYER = "block1_conv1"


class Interrupt(Exception):
    """Stands for a failure in the middle of a member's training."""


def _interrupting(run_name: str, after_epoch: int):
    """A callback factory: the default callbacks, and an interruption of ``run_name``
    once ``after_epoch`` is committed (the first time only)."""
    import keras

    from mura_core.training.callbacks import default_callbacks

    state = {"done": False}

    class Interrupter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if epoch + 1 == after_epoch and not state["done"]:
                state["done"] = True
                raise Interrupt(f"killed after epoch {after_epoch}")

    def factory(run):
        callbacks = default_callbacks(run)
        return callbacks + ([Interrupter()] if run.name == run_name else [])

    return factory


def _recording(starts: dict[str, list]):
    """A callback factory recording LAYER's weights of each run when training starts."""
    import keras

    from mura_core.training.callbacks import default_callbacks

    class Recorder(keras.callbacks.Callback):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.run_name = name

        def on_train_begin(self, logs: Any = None) -> None:
            weights = self.model.get_layer(LAYER).get_weights()
            starts[self.run_name] = [w.copy() for w in weights]

    return lambda run: default_callbacks(run) + [Recorder(run.name)]


def train_all(out: Path, data: Path) -> dict[str, Any]:
    """Train the shared runs; returns what the tests inspect."""
    from mura_core.ensembles import train_ensemble
    from mura_core.training import TrainConfig, train

    def config(name: str, epochs: int = 1) -> TrainConfig:
        return TrainConfig(name=name, data_root=data, out=out, epochs=epochs, **SETTINGS)

    single = train(SINGLE, data, out=out, epochs=1, **SETTINGS)
    second = f"{MEMBER}__wc_XR_WRIST"  # members train in canonical order: HAND, then WRIST
    interrupted = train_ensemble(config(AVG, epochs=2), callbacks=_interrupting(second, 1))
    avg = train_ensemble(config(AVG, epochs=2))
    starts: dict[str, list] = {}
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        route = train_ensemble(
            config(ROUTE_WS), members=["XR_WRIST", "HAND"], callbacks=_recording(starts)
        )
    return {"out": out, "single": single, "interrupted": interrupted, "avg": avg,
            "route": route, "starts": starts,
            "warm_start_warnings": [str(warning.message) for warning in warned]}  # fmt: skip
