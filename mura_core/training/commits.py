"""An epoch's commit: the one record that says which epoch of a run is finished.

Every epoch ends with the same sequence of writes in the run folder, each either a new
file or an atomic rename, so that a process killed between any two of them leaves a
state the next start can settle:

1. the best-only checkpoint ``weights.NN-....weights.h5`` (a new file, named by epoch);
2. the weights and optimizer state, ``backup/epoch-NNNN.weights.h5`` (written under a
   temporary name, then renamed);
3. **the commit**: ``backup/state.json`` replaced atomically; it names that weights file
   and records the epoch, the state of the stateful callbacks and the epoch's history
   row;
4. the history row, appended to ``history.tsv`` (atomically) from what the commit
   recorded;
5. the previous epoch's backup weights deleted.

:func:`reconcile` runs when training starts (or resumes): files of epochs after the
committed one are discarded, temporary files removed, and a history row the commit
recorded but a kill kept out of ``history.tsv`` is written. Nothing found in the folder
is a reason to refuse: at most the epoch in progress is trained again. The backup is
removed only after ``run.json`` records that training finished (:func:`release`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import keep_history_until, write_history_row, write_json_atomic
from mura_core.runs.layout import STATE_FILE, RunFolder, weights_files

__all__ = [
    "STATE_FILE",
    "commit",
    "committed_epoch",
    "drop_stale_weights",
    "read_state",
    "reconcile",
    "release",
    "weights_name",
]

#: Files written under a temporary name before their rename (never adopted).
_TEMPORARY = (".*.tmp", ".*.tmp.*")


def weights_name(epoch: int) -> str:
    """The backup weights file of ``epoch``."""
    return f"epoch-{epoch:04d}.weights.h5"


def read_state(backup: str | Path) -> dict[str, Any] | None:
    """The commit record of a backup folder (``None``: no epoch committed).

    Raises:
        MuraError: the record exists but is not one this package writes.
    """
    path = Path(backup) / STATE_FILE
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        int(state["epoch"]), str(state["weights"])
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise MuraError(f"{path} is not a training state record ({error}); "
                        "use --overwrite to train the run again") from error  # fmt: skip
    return state


def committed_epoch(backup: str | Path) -> int:
    """The last committed epoch of a backup folder (0: none)."""
    state = read_state(backup)
    return 0 if state is None else int(state["epoch"])


def commit(
    backup: str | Path,
    *,
    epoch: int,
    weights: str,
    callbacks: list[dict[str, Any]],
    history_row: dict[str, Any] | None,
) -> None:
    """Commit ``epoch``: atomically replace the record naming its (written) weights."""
    state = {"epoch": epoch, "weights": weights, "callbacks": callbacks}
    if history_row is not None:
        state["history_row"] = history_row
    write_json_atomic(Path(backup) / STATE_FILE, state)


def drop_stale_weights(backup: str | Path, keep: str | None) -> None:
    """Delete the backup weights files other than ``keep``."""
    for stale in Path(backup).glob("epoch-*.weights.h5"):
        if stale.name != keep:
            stale.unlink(missing_ok=True)


def _drop_temporary(folder: RunFolder) -> None:
    for place in (folder.path, folder.backup):
        if not place.is_dir():
            continue
        for pattern in _TEMPORARY:
            for path in place.glob(pattern):
                if path.is_file():
                    path.unlink(missing_ok=True)


def reconcile(folder: RunFolder) -> int:
    """Settle the run folder with its commit record; return the committed epoch.

    Drops temporary files, backup weights the record does not name, checkpoints and
    history rows of later epochs, and writes the committed epoch's history row when a
    kill came between the commit and the history.
    """
    _drop_temporary(folder)
    state = read_state(folder.backup)
    committed = 0 if state is None else int(state["epoch"])
    drop_stale_weights(folder.backup, None if state is None else state["weights"])
    for item in weights_files(folder.path):
        if item.epoch > committed:
            item.path.unlink()
    history = keep_history_until(folder.history, committed)
    row = (state or {}).get("history_row")
    if row and not (len(history) and (history["epoch"] == committed).any()):
        write_history_row(folder.history, row)
    return committed


def release(folder: RunFolder) -> None:
    """Remove the backup (and any temporary file) once ``run.json`` records that
    training finished."""
    if folder.backup.is_dir():
        shutil.rmtree(folder.backup)
    _drop_temporary(folder)
