"""Find and summarise the runs under a folder (``mura runs list``)."""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import HISTORY_COLUMNS, read_history, read_run_json
from mura_core.runs.layout import RunFolder

__all__ = ["RunSummary", "find_run", "is_run_folder", "list_runs", "summarize_run"]


@dataclass(frozen=True)
class RunSummary:
    """What a run folder says about its run, without loading TensorFlow."""

    name: str
    folder: Path
    status: str
    epochs: int
    best: dict[str, float] = field(default_factory=dict)
    evaluation: dict[str, dict[str, float]] = field(default_factory=dict)
    family: str | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "name": self.name,
            "folder": str(self.folder),
            "family": self.family,
            "status": self.status,
            "epochs": self.epochs,
            "best": self.best,
            "evaluation": self.evaluation,
            "problem": self.problem,
        }


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _best_epoch(history) -> dict[str, float]:
    if history.empty or "val_loss" not in history:
        return {}
    row = history.loc[history["val_loss"].idxmin()]
    best = {key: _clean(float(row[key])) for key in HISTORY_COLUMNS if key in row}
    best["epoch"] = int(row["epoch"])
    return best


def _evaluation(folder: RunFolder) -> dict[str, dict[str, float]]:
    from mura_core.evaluation.report import Evaluation

    if not folder.evaluation.exists():
        return {}
    try:
        evaluation = Evaluation.read_tsv(folder.evaluation)
    except MuraError:
        return {}
    keys = ("loss", "auc", "accuracy", "kappa", "sensitivity", "specificity")
    return {
        level: {key: _clean(getattr(getattr(evaluation, level), key)) for key in keys}
        for level in ("image", "study")
    }


def is_run_folder(path: Path) -> bool:
    """True for a folder holding a ``run.json``, a history or a weights file."""
    folder = RunFolder(path)
    return path.is_dir() and (
        folder.run_json.exists()
        or folder.history.exists()
        or any(path.glob("weights.*.weights.h5"))
    )


def summarize_run(path: str | Path) -> RunSummary:
    """Summarise one run folder: status, epochs, best epoch and test evaluation."""
    folder = RunFolder(Path(path))
    info = read_run_json(folder.run_json)
    try:
        name = folder.name
    except OSError as error:
        raise MuraError(f"{folder.name_file} is unreadable: {error}") from error
    history = read_history(folder.history)
    status = info.get("status") or ("interrupted" if folder.backup.exists() else "unknown")
    family = info.get("family") or folder.name.split("_", 1)[0]
    return RunSummary(
        name=name,
        folder=folder.path,
        status=status,
        epochs=int(history["epoch"].max()) if len(history) else 0,
        best=_best_epoch(history),
        evaluation=_evaluation(folder),
        family=family,
    )


def list_runs(root: str | Path = "runs", pattern: str = "*") -> list[RunSummary]:
    """Runs under ``root`` whose name (or family) matches the fnmatch ``pattern``.

    A pattern without wildcards matches names containing it, as ``mura models list``.
    A run whose files are damaged is listed with status ``damaged`` and its ``problem``.
    """
    root = Path(root)
    if not root.is_dir():
        raise MuraError(f"no runs folder at {root}")
    if not any(character in pattern for character in "*?["):
        pattern = f"*{pattern}*"
    summaries = []
    for path in sorted(root.iterdir()):
        if not is_run_folder(path):
            continue
        family = path.name.split("_", 1)[0]
        try:
            name = RunFolder(path).name
        except OSError:
            name = path.name
        if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(family, pattern):
            summaries.append(_summary_or_damage(path, family))
    return summaries


def _summary_or_damage(path: Path, family: str) -> RunSummary:
    """The run's summary, or one marked ``damaged`` naming the file at fault."""
    try:
        return summarize_run(path)
    except MuraError as error:
        return RunSummary(path.name, path, "damaged", 0, family=family, problem=str(error))


def find_run(run: str | Path, root: str | Path = "runs") -> Path:
    """The folder of ``run``: a path to a run folder, or a run name under ``root``.

    A name is tried as given and in its canonical form.

    Raises:
        MuraError: no such run folder.
    """
    path = Path(run)
    if _is_dir(path):
        return path
    candidates = [Path(root) / str(run)]
    try:
        import registry
        from mura_core.runs.layout import run_folder_name

        candidates.append(Path(root) / run_folder_name(registry.canonical(str(run))))
    except Exception:  # not a name: only the path forms apply
        pass
    for candidate in candidates:
        if _is_dir(candidate):
            return candidate
    raise MuraError(f"no run folder at {run} (nor under {root}/)")


def _is_dir(path: Path) -> bool:
    """``path.is_dir()``, False for a name too long for the file system."""
    try:
        return path.is_dir()
    except OSError:
        return False
