"""Run folders: one per trained run, named by the run's canonical name.

``RUNS/<model name>[__<run suffix>]/`` holds ``run.json`` (resolved config, package
versions (:mod:`~mura_core.versions`), split hash, seed, timings), ``history.tsv``,
``evaluation.tsv``, ``model_summary.txt``, ``training_graph.png``, ``model_plot.png``
(when pydot and graphviz are present), ``split.csv``, ``fingerprint.tsv`` (the data the
run was given, checked by :mod:`~mura_core.runs.data_check`), ``evaluations/<name>/``
(evaluations on other data), the best weights
``weights.{epoch:02d}-{val_loss:.4f}-{val_auc:.4f}-{val_accuracy:.4f}-{val_kappa:.4f}.weights.h5``
and TensorBoard logs; while a process trains, ``run.lock``
(:mod:`~mura_core.runs.lock`); during an overwrite, the old artifacts in ``previous/``
(``mura_core.runs.aside``). :func:`load_run` rebuilds the model from the folder's
name, after checking the run's identity (:mod:`~mura_core.runs.identity`).
Importing this package does not import TensorFlow.
"""

from mura_core.runs.artifacts import (
    read_history,
    read_run_json,
    update_run_json,
    write_model_plot,
    write_model_summary,
    write_training_graph,
)
from mura_core.runs.layout import (
    WEIGHTS_TEMPLATE,
    RunFolder,
    WeightsFile,
    best_weights,
    weights_files,
)
from mura_core.runs.listing import RunSummary, find_run, list_runs, summarize_run
from mura_core.runs.loading import (
    LoadedRun,
    check_provider,
    load_parsed_run,
    load_run,
    parse_run_folder,
)

__all__ = [
    "WEIGHTS_TEMPLATE",
    "LoadedRun",
    "RunFolder",
    "RunSummary",
    "WeightsFile",
    "best_weights",
    "check_provider",
    "find_run",
    "list_runs",
    "load_parsed_run",
    "load_run",
    "parse_run_folder",
    "read_history",
    "read_run_json",
    "summarize_run",
    "update_run_json",
    "weights_files",
    "write_model_plot",
    "write_model_summary",
    "write_training_graph",
]
