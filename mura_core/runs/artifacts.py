"""Writers and readers of a run folder's files (except the weights, which Keras writes)."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from mura_core.errors import MuraError

__all__ = [
    "HISTORY_COLUMNS",
    "HISTORY_METRICS",
    "STATUS_FIELDS",
    "progress_record",
    "read_history",
    "keep_history_until",
    "read_run_json",
    "update_run_json",
    "write_history_row",
    "write_json_atomic",
    "write_model_plot",
    "write_model_summary",
    "write_training_graph",
]

#: The report's metrics, each logged for training and validation (``val_``).
HISTORY_METRICS = ("loss", "auc", "accuracy", "kappa")
#: The history columns of an epoch, in the report's order.
HISTORY_COLUMNS = ("epoch", *HISTORY_METRICS, *(f"val_{metric}" for metric in HISTORY_METRICS))

def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _json_safe(value.item())
    return value


def write_json_atomic(path: str | Path, value: Any) -> Path:
    """Write ``value`` as indented JSON through a temporary file and a rename."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(_json_safe(value), stream, indent=2, allow_nan=False)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_run_json(path: str | Path) -> dict[str, Any]:
    """The content of ``run.json`` (an empty dict when absent).

    Raises:
        MuraError: the file is unreadable, not JSON, or not a JSON object.
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        if isinstance(error, RecursionError):  # json recurses into nested arrays
            reason = "nested too deeply"
        raise MuraError(f"{path}: damaged run.json ({reason})") from None
    if not isinstance(content, dict):
        kind = type(content).__name__
        raise MuraError(f"{path}: damaged run.json (a JSON {kind}, not an object)")
    return content


#: ``run.json`` fields that explain one status: they hold only while the run has it.
STATUS_FIELDS: dict[str, tuple[str, ...]] = {"failed": ("error",), "stopped": ("stopped",)}


def update_run_json(path: str | Path, **changes: Any) -> dict[str, Any]:
    """Merge top-level ``changes`` into ``run.json`` and return the new content.

    A new ``status`` drops the fields that explained another one (:data:`STATUS_FIELDS`):
    a run that failed and then completed records no error.
    """
    content = read_run_json(path)
    if "status" in changes:
        for status, fields in STATUS_FIELDS.items():
            if status != changes["status"]:
                for name in fields:
                    content.pop(name, None)
    content.update(changes)
    write_json_atomic(path, content)
    return content


def progress_record(folder: str | Path) -> dict[str, Any]:
    """``run.json``'s ``best`` (the best checkpoint) and ``epochs_trained`` (the history's
    last epoch) from a run folder's files: written when a run completes or is stopped."""
    from mura_core.runs.layout import RunFolder

    run = RunFolder(Path(folder))
    best, history = run.best_weights(), read_history(run.history)
    return {
        "best": None if best is None else {
            "epoch": best.epoch,
            "weights": best.path.name,
            "val_loss": best.val_loss,
            "val_auc": best.val_auc,
            "val_accuracy": best.val_accuracy,
            "val_kappa": best.val_kappa,
        },
        "epochs_trained": int(history["epoch"].max()) if len(history) else 0,
    }  # fmt: skip


def read_history(path: str | Path) -> pd.DataFrame:
    """The training history TSV (one row per finished epoch, 1-based ``epoch``).

    Raises:
        MuraError: the file is unreadable, not a TSV, or lacks a whole-number ``epoch``.
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=["epoch"])
    try:
        history = pd.read_csv(path, sep="\t")
    except (OSError, UnicodeDecodeError, ValueError) as error:  # pandas' errors included
        raise MuraError(f"{path}: damaged history ({type(error).__name__})") from None
    epochs = history.get("epoch")
    if epochs is not None and epochs.empty:
        return history
    if epochs is None or not pd.api.types.is_integer_dtype(epochs):
        raise MuraError(f"{path}: damaged history (no column 'epoch' of whole numbers)")
    return history


#: Order of the history columns: the report's, then the rate and the epoch's seconds.
HISTORY_ORDER = (*HISTORY_COLUMNS, "learning_rate", "seconds")


def _write_history(path: Path, history: pd.DataFrame) -> None:
    known = [column for column in HISTORY_ORDER if column in history]
    history = history[known + [column for column in history if column not in known]]
    temporary = path.with_name(f".{path.name}.tmp")
    history.to_csv(temporary, sep="\t", index=False)
    os.replace(temporary, path)


def write_history_row(path: str | Path, row: dict[str, Any]) -> None:
    """Put ``row`` into the history TSV at ``path`` (atomically), dropping any row of its
    epoch or later."""
    path = Path(path)
    history = read_history(path)
    if "epoch" in history and len(history):
        history = history[history["epoch"] < row["epoch"]]
    frames = [frame for frame in (history, pd.DataFrame([row])) if len(frame)]
    _write_history(path, pd.concat(frames, ignore_index=True))


def keep_history_until(path: str | Path, epoch: int) -> pd.DataFrame:
    """Drop the history rows after ``epoch`` (atomically); return what is kept."""
    path = Path(path)
    history = read_history(path)
    if len(history) and (history["epoch"] > epoch).any():
        history = history[history["epoch"] <= epoch]
        _write_history(path, history)
    return history


def write_model_summary(model: Any, path: str | Path) -> Path:
    """Save ``model.summary()`` as text."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=110)
    path = Path(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_model_plot(model: Any, path: str | Path) -> str | None:
    """Draw the model with ``keras.utils.plot_model``.

    Returns ``None`` on success, else why no plot was made (pydot or graphviz missing),
    which the runner records in ``run.json``.
    """
    import keras

    try:
        import pydot  # noqa: F401
    except ImportError:
        return "model_plot.png not written: pydot is not installed (pip install pydot)"
    try:
        keras.utils.plot_model(model, to_file=str(path), show_shapes=True, dpi=72)
    except (ImportError, OSError) as error:
        return f"model_plot.png not written: graphviz is unavailable ({error})"
    return None


def write_training_graph(
    history: pd.DataFrame, path: str | Path, *, title: str = ""
) -> Path | None:
    """Plot loss, AUC, accuracy and kappa per epoch, training against validation.

    Returns the path, or ``None`` when the history is empty.
    """
    if history.empty:
        return None
    from mura_core.plotting import fit_titles, label_epochs, new_figure

    figure, axes = new_figure(2, 2, figsize=(11, 7.5), sharex=True)
    for axis, metric in zip(axes.ravel(), HISTORY_METRICS, strict=True):
        for prefix, label in (("", "training"), ("val_", "validation")):
            column = f"{prefix}{metric}"
            if column in history:
                axis.plot(history["epoch"], history[column], marker=".", label=label)
        axis.set_title(metric)
        axis.grid(alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize="small")
    label_epochs(axes)
    if title:
        figure.suptitle(title, fontsize="small")
    fit_titles(figure)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=90)
    return path
