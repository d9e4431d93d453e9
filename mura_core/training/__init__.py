"""Training: run settings, callbacks as an interface, data factories and the runner.

Importing this package imports TensorFlow (through Keras).

>>> from mura_core.training import train                                  # doctest: +SKIP
>>> result = train("cnn_in.64.64.1_cl.4.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25__aug",
...                data_root="data", out="runs", epochs=10)
"""

from mura_core.training.callbacks import (
    CallbackFactory,
    HistoryTSV,
    TrainingStateBackup,
    default_callbacks,
    make_callbacks,
)
from mura_core.training.context import RunContext, TrainConfig, resolve_run_name
from mura_core.training.data import DataFactory, RunData, mura_data
from mura_core.training.inference import evaluate_run, predict_frame
from mura_core.training.runner import Runner, TrainResult, compile_model, train

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
    "evaluate_run",
    "make_callbacks",
    "mura_data",
    "predict_frame",
    "resolve_run_name",
    "train",
]
