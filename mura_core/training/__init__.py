"""Training: run settings, callbacks as an interface, data factories and the runner.

Its names are imported when first used: ``from mura_core.training import train`` imports
TensorFlow (through Keras), ``from mura_core.training.context import resolve_run_name``
does not (``mura sweep --dry-run`` validates names without starting TensorFlow).

>>> from mura_core.training import train                                  # doctest: +SKIP
>>> result = train(
...     "cnn_in.64.64.1_cl.4.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25__aug",
...     data_root="data", out="runs", epochs=10,
... )
"""

from __future__ import annotations

from mura_core.lazy_exports import lazy_exports

#: Where each public name lives.
_HOMES = {
    "CallbackFactory": "callbacks",
    "HistoryTSV": "callbacks",
    "TrainingStateBackup": "callbacks",
    "default_callbacks": "callbacks",
    "make_callbacks": "callbacks",
    "RunContext": "context",
    "TrainConfig": "context",
    "resolve_run_name": "context",
    "DataFactory": "data",
    "RunData": "data",
    "mura_data": "data",
    "Runner": "runner",
    "TrainResult": "runner",
    "compile_model": "runner",
    "train": "runner",
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "CallbackFactory",
    "DataFactory",
    "HistoryTSV",
    "RunContext",
    "RunData",
    "Runner",
    "TrainConfig",
    "TrainResult",
    "TrainingStateBackup",
    "compile_model",
    "default_callbacks",
    "make_callbacks",
    "mura_data",
    "resolve_run_name",
    "train",
]
