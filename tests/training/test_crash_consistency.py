"""A run killed at any instant resumes: the same command finishes it, at most the epoch in
progress trained again, its history with no gap and no repeated epoch.

``tests/faults.py`` records what ``mura train`` leaves on disk before each of its writes
(every state a ``kill -9`` can leave); each state is then resumed with the same command.
A real ``kill -9`` in the middle of an epoch's commit (its weights written, not yet
committed: what ``mura train`` once refused to resume) is tested for a sweep's run and
an ensemble's member.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO, TINY_CNN
from tests.ensembles.conftest import MEMBER, PLUGIN_ENV
from tests.test_abuse.helpers import run_cli

FAULTS = REPO / "tests" / "faults.py"
#: The command under test: two epochs of the tiny CNN on 32 images, no evaluation.
TRAIN = ("--epochs", "2", "--batch-size", "16", "--limit", "32", "--quiet", "--no-evaluate")


def _faults(mode: str, value: object, folder: Path, *args: object, env=None):
    command = [sys.executable, str(FAULTS), mode, str(value), str(folder), "--", *map(str, args)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600, env=env)


def _events(snapshots: Path) -> list[tuple[int, str, str]]:
    rows = (line.split("\t") for line in (snapshots / "events.tsv").read_text().splitlines())
    return [(int(number), event, path) for number, event, path in rows]


def _commits_before(events: list[tuple[int, str, str]], number: int) -> int:
    """Epochs committed before write ``number``: renames onto ``backup/state.json``."""
    return sum(1 for n, event, path in events
               if n < number and event == "os.rename" and "/.state.json." in path)  # fmt: skip


def _state_key(folder: Path) -> tuple:
    """What a state holds, to resume each distinct one once."""
    files = (p for p in folder.rglob("*") if p.is_file() and "tensorboard" not in p.parts)
    return tuple(sorted((str(p.relative_to(folder)), p.stat().st_size) for p in files))


def _kinds(folder: Path) -> frozenset[str]:
    """The kinds of file a state holds: names with digits and temporary suffixes masked."""
    names = (str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
             and "tensorboard" not in p.parts)  # fmt: skip
    return frozenset(re.sub(r"\.[a-z0-9_]{8}\.tmp$", ".*.tmp", re.sub(r"\d", "#", name))
                     for name in names)  # fmt: skip


def _history(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "history.tsv", sep="\t")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, mura_root):
    """``mura train`` run once, with the runs folder copied before each of its writes."""
    base = tmp_path_factory.mktemp("recorded")
    runs, snapshots = base / "runs", base / "snapshots"
    done = _faults("record", snapshots, runs, "train", TINY_CNN, "--data", mura_root,
                   "--runs", runs, *TRAIN)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return runs, snapshots, _events(snapshots)


def _trained_recorded_before(events: list[tuple[int, str, str]], number: int) -> bool:
    """True once ``run.json`` records that training finished (the backup's release
    follows that record)."""
    release = next(n for n, event, path in events if event == "shutil.rmtree")
    return number >= release


def _settles(state: Path, target: Path, mura_root: Path) -> int:
    """Start the run from ``state`` as ``mura train`` does, up to its first epoch: check
    the inputs and settle the folder with its commit record; return the committed epoch."""
    from mura_core.training.commits import reconcile
    from mura_core.training.context import TrainConfig
    from mura_core.training.runner import Runner

    shutil.copytree(state, target, symlinks=True)
    config = TrainConfig(name=TINY_CNN, data_root=mura_root, out=target, epochs=2,
                         batch_size=16, limit=32, verbose=0)  # fmt: skip
    run = Runner(config, evaluate=False).prepare()
    return reconcile(run.folder)


def test_every_state_a_kill_leaves_resumes_with_the_same_command(
    capsys, recorded, mura_root, tmp_path
):
    """Each distinct state is settled; from the first epoch's commit on, one state of each
    kind (the files it holds, the epochs committed, whether training or the run is
    recorded as finished) is resumed by the same command to the end."""
    runs, snapshots, events = recorded
    complete = _history(runs / TINY_CNN)
    assert list(complete["epoch"]) == [1, 2]
    first_commit = _kill_mid_commit(events, 1)
    completed = max(n for n, event, path in events if event == "os.rename" and "run.json" in path)
    seen, kinds, resumed = set(), set(), 0
    for number, event, path in events:
        state = snapshots / f"{number:04d}"
        key = _state_key(state)
        if key in seen:
            continue
        seen.add(key)
        committed = _commits_before(events, number)
        where = f"killed before write {number} ({event} {path})"
        target = tmp_path / f"state{number:04d}"
        trained = _trained_recorded_before(events, number)
        if not trained:  # a trained run is finished, not settled: the run below shows it
            assert _settles(state, tmp_path / f"settled{number:04d}", mura_root) == committed, where
        kind = (_kinds(state), committed, trained, number > completed)
        if number < first_commit or kind in kinds:
            continue  # nothing committed (the run starts again), or a kind already resumed
        kinds.add(kind)
        shutil.copytree(state, target, symlinks=True)
        status, _, err = run_cli(capsys, "train", TINY_CNN, "--data", mura_root,
                                 "--runs", target, *TRAIN)  # fmt: skip
        if number > completed:  # only the lock was left to remove: the run is complete
            assert status == 2 and "already trained" in err, f"{where}: {err}"
        else:
            assert status == 0, f"{where}: {err}"
        folder = target / TINY_CNN
        history = _history(folder)
        assert list(history["epoch"]) == [1, 2], f"{where}: {list(history['epoch'])}"
        kept = history[history["epoch"] <= committed]["loss"].tolist()
        assert kept == complete[complete["epoch"] <= committed]["loss"].tolist(), (
            f"{where}: a committed epoch was trained again"
        )
        info = json.loads((folder / "run.json").read_text())
        assert info["status"] == "complete", where
        sessions = info["timings"]["sessions"]
        if trained:  # only the evaluation was left: no training session added
            assert len(sessions) == 1, f"{where}: {sessions}"
        else:
            assert sessions[-1]["first_epoch"] == committed + 1, f"{where}: {sessions}"
        assert not (folder / "backup").exists() and not list(folder.glob(".*.tmp")), where
        assert not (folder / "run.lock").exists(), where
        resumed += 1
    assert len(seen) >= 25 and resumed >= 10, (len(seen), resumed)


def _kill_mid_commit(events: list[tuple[int, str, str]], epoch: int) -> int:
    """The number of epoch ``epoch``'s first commit write (weights written, not yet
    committed)."""
    commits = [n for n, event, path in events
               if event == "open" and "/backup/.state.json." in path]  # fmt: skip
    return commits[epoch - 1]


@pytest.mark.parametrize("kind", ["sweep", "ensemble"])
def test_kill_9_of_a_sweep_run_or_ensemble_member_then_the_same_command_resumes(
    kind, mura_root, tmp_path, capsys
):
    runs = tmp_path / "runs"
    if kind == "sweep":
        command = ("sweep", TINY_CNN, "--engine", "local", "--data", mura_root, "--runs", runs,
                   "--epochs", "2", "--batch-size", "16", "--limit", "32",
                   "--no-evaluate")  # fmt: skip
        folder = runs / TINY_CNN
    else:
        name = f"parts_m({MEMBER})_bp.WRIST_c.avg"
        command = ("train", name, "--engine", "local", "--data", mura_root, "--runs", runs,
                   *TRAIN)  # fmt: skip
        folder = runs / name / "members" / "XR_WRIST"
    env = PLUGIN_ENV if kind == "ensemble" else None
    killed = _faults("kill-at", "backup/.state.json", runs, *command, env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert list(folder.glob("backup/epoch-*.weights.h5")) and not (folder / "history.tsv").exists()
    status, _, err = run_cli(capsys, *command)  # the same command, in this process
    assert status == 0, err
    assert list(_history(folder)["epoch"]) == [1, 2]
