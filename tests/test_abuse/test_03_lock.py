"""Item 3: one training process per run folder; stale locks of this host are broken."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

from mura_core.errors import MuraError
from mura_core.runs.lock import RunLock
from mura_core.training.runner import train

from .helpers import run_cli

HOLD = textwrap.dedent(
    """
    import socket, sys, time
    if sys.argv[2] != "-":
        socket.gethostname = lambda: sys.argv[2]
    from mura_core.runs.lock import RunLock
    RunLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    if sys.argv[3] == "hold":
        time.sleep(120)
    """
)


def _lock_from_child(folder, host: str = "-", hold: bool = True) -> subprocess.Popen:
    args = [sys.executable, "-c", HOLD, str(folder), host, "hold" if hold else "exit"]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "locked"
    return child


def test_a_run_folder_in_use_is_refused_naming_host_and_process(
    capsys, mura_root, tmp_path, tiny_cnn
):
    folder = tmp_path / tiny_cnn
    child = _lock_from_child(folder)
    try:
        status, _, err = run_cli(
            capsys, "train", tiny_cnn, "--data", mura_root, "--out", tmp_path, "--epochs", "1"
        )
        assert status == 2 and err.count("\n") == 1, err
        assert f"process {child.pid}" in err and socket.gethostname() in err
        assert [path.name for path in folder.iterdir()] == ["run.lock"]
    finally:
        child.kill()
        child.wait()


def test_a_lock_left_by_a_dead_process_of_this_host_is_broken(tmp_path):
    child = _lock_from_child(tmp_path / "run", hold=False)
    child.wait()
    with RunLock(tmp_path / "run") as lock:
        assert lock.held and str(os.getpid()) in lock.path.read_text()
    assert not (tmp_path / "run" / "run.lock").exists()


def test_a_lock_taken_on_another_host_is_never_broken(mura_root, tmp_path, tiny_cnn):
    child = _lock_from_child(tmp_path / tiny_cnn, host="gpu-node-7", hold=False)
    child.wait()  # its process is gone, but on another host we cannot know that
    with pytest.raises(MuraError, match=f"in use by process {child.pid} on host gpu-node-7"):
        train(tiny_cnn, mura_root, out=tmp_path, epochs=1, verbose=0)
