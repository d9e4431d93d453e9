"""``--overwrite`` without loss: a run's old artifacts wait in ``previous/`` until replaced.

Training a run again with ``overwrite`` first moves the run's artifacts (the files of
:data:`ARTIFACT_GLOBS` and the folders of :data:`ARTIFACT_DIRS`) into ``RUN/previous/``.
They are deleted once the new run has written its first checkpoint; if the new run
fails before that (bad data, Ctrl-C in the first epoch, a crash, ``kill -9``), they are
put back, by the failing run itself or by the next command on that run folder.
Anything else in the run folder is never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_run_json
from mura_core.runs.layout import RunFolder

__all__ = [
    "ARTIFACT_DIRS",
    "ARTIFACT_GLOBS",
    "PREVIOUS_DIR",
    "discard_aside",
    "new_run_has_checkpoint",
    "recover_aside",
    "restore_aside",
    "set_aside",
]

#: Folder inside a run folder holding the artifacts an overwrite replaces.
PREVIOUS_DIR = "previous"
#: A run's artifact files (never anything else in the folder).
ARTIFACT_GLOBS = (
    "run.json",
    "history.tsv",
    "evaluation*.tsv",
    "predictions.*.tsv",
    "roc_curve*.png",
    "training_graph.png",
    "model_summary.txt",
    "model_plot.png",
    "split.csv",
    "split.csv.sha256",
    "fingerprint.tsv",
    "weights.*.weights.h5",
)
#: A run's artifact folders: the resumable state, the TensorBoard logs and the
#: evaluations on other data.
ARTIFACT_DIRS = ("backup", "tensorboard", "evaluations")


def _artifacts(folder: Path) -> list[Path]:
    found = {path for pattern in ARTIFACT_GLOBS for path in folder.glob(pattern)}
    found.update(folder / name for name in ARTIFACT_DIRS if (folder / name).exists())
    return sorted(found)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def set_aside(folder: RunFolder) -> Path | None:
    """Move the run's artifacts into ``previous/``; return it (``None``: nothing to move)."""
    artifacts = _artifacts(folder.path) if folder.path.is_dir() else []
    if not artifacts:
        return None
    previous = folder.path / PREVIOUS_DIR
    previous.mkdir(exist_ok=True)
    for path in artifacts:
        path.rename(previous / path.name)
    return previous


def restore_aside(folder: RunFolder) -> bool:
    """Put the artifacts of ``previous/`` back, replacing those of a failed new run."""
    previous = folder.path / PREVIOUS_DIR
    if not previous.is_dir():
        return False
    for path in _artifacts(folder.path):
        _remove(path)
    for path in sorted(previous.iterdir()):
        path.rename(folder.path / path.name)
    previous.rmdir()
    return True


def discard_aside(folder: RunFolder) -> None:
    """Delete ``previous/``: the new run has a checkpoint of its own."""
    previous = folder.path / PREVIOUS_DIR
    if previous.is_dir():
        shutil.rmtree(previous)


def new_run_has_checkpoint(folder: RunFolder) -> bool:
    """True once the run writing into ``folder`` has committed an epoch (or finished
    training): a checkpoint of an epoch not committed does not count."""
    if folder.state.exists():
        return True
    try:
        status = read_run_json(folder.run_json).get("status")
    except MuraError:
        return False
    return status in ("trained", "complete")


def recover_aside(folder: RunFolder) -> str | None:
    """Settle a ``previous/`` left by an overwrite that was killed; say what was done."""
    previous = folder.path / PREVIOUS_DIR
    if not previous.is_dir():
        return None
    if new_run_has_checkpoint(folder):
        discard_aside(folder)
        return None
    restore_aside(folder)
    return f"restored the artifacts an interrupted --overwrite had set aside in {previous}"
