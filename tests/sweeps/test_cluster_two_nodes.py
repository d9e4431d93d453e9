"""A two-node Ray cluster on this machine, started as docs/sweeps.rst ("Clusters") says,
with token authentication as Ray 2.60's ``ray start --head`` turns it on: a sweep that
joins without the token is refused in one line; one with it trains across the nodes.

The cluster shares nothing with the suite's embedded Ray session (its own processes,
ports, temporary folders and home folder, hence its own token); every command runs in a
subprocess, and the nodes are ended by their process groups in a ``finally``. Its tests
stay on one xdist worker (``MODULE_SCOPED`` in tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.sweeps.conftest import tiny

pytest.importorskip("ray", reason="the ray extra is not installed")

RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"
#: The commands of the docs' cluster section that this module runs.
DOCUMENTED = (
    "ray start --head --port 6379",
    "RAY_AUTH_MODE=token ray start --address HEAD:6379",
    "RAY_AUTH_MODE=token mura sweep 'PATTERN' --data /shared/data --runs /shared/runs",
    "--engine ray --address HEAD:6379 --json",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    address: str
    home: Path  # the nodes' home folder, holding the token in .ray/auth_token

    def env(self, **more: str) -> dict[str, str]:
        """The environment of a process of this machine's user, on this cluster."""
        return {"HOME": str(self.home), "RAY_ADDRESS": "", **more}


def _start_node(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``ray start ARGS --block`` in its own process group, each port its own (two nodes,
    and other Ray instances, share this machine)."""
    command = [RAY, "start", *args, "--block", "--num-gpus", "0", "--disable-usage-stats",
               "--dashboard-agent-listen-port", str(_free_port())]  # fmt: skip
    with log.open("w") as stream:
        return subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)  # fmt: skip


def _wait_started(node: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while "Ray runtime started" not in log.read_text(errors="replace"):
        assert node.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)


def _stop(nodes: list[subprocess.Popen]) -> None:
    """End every process of each node: its process group (the node's processes and the
    workers they started)."""
    for node in reversed(nodes):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.pid, signal.SIGKILL)
        node.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A head node and a worker node, one CPU each, token authentication on (a token in
    the home folder, as an embedded Ray leaves it); torn down in a ``finally``."""
    # Ray's socket paths must stay under 108 bytes: a short folder of its own, not pytest's
    root = Path(tempfile.mkdtemp(prefix="mura-rc-", dir="/tmp"))
    home = root / "home"
    (home / ".ray").mkdir(parents=True)
    (home / ".ray" / "auth_token").write_text(secrets.token_hex(32), encoding="utf-8")
    port = _free_port()
    cluster = Cluster(f"127.0.0.1:{port}", home)
    env = {**os.environ, **cluster.env()}
    env.pop("RAY_AUTH_MODE", None)  # the head turns token mode on: it finds the token
    nodes: list[subprocess.Popen] = []
    try:
        head_log, worker_log = root / "head.log", root / "worker.log"
        nodes.append(_start_node(
            ["--head", "--port", str(port), "--num-cpus", "1", "--temp-dir", str(root / "h"),
             "--include-dashboard", "false", "--dashboard-port", str(_free_port()),
             "--ray-client-server-port", str(_free_port())], env, head_log))  # fmt: skip
        _wait_started(nodes[0], head_log)
        assert "Token authentication is enabled" in head_log.read_text(errors="replace")
        nodes.append(_start_node(
            ["--address", cluster.address, "--num-cpus", "1", "--temp-dir", str(root / "w")],
            {**env, "RAY_AUTH_MODE": "token"}, worker_log))  # fmt: skip
        _wait_started(nodes[1], worker_log)
        yield cluster
    finally:
        _stop(nodes)
        shutil.rmtree(root, ignore_errors=True)


def test_the_docs_show_these_commands():
    text = (REPO / "docs" / "sweeps.rst").read_text(encoding="utf-8")
    for command in DOCUMENTED:
        assert command in text, command


def _sweep(cluster: Cluster, data: Path, runs: Path, **env: str):
    names = [tiny(1), tiny(2)]
    return run_cli("sweep", *names, "--data", str(data), "--runs", str(runs), "--epochs", "1",
                   "--batch-size", "16", "--limit", "32", "--no-evaluate", "--engine", "ray",
                   "--address", cluster.address, "--json",
                   env=cluster.env(**env), timeout=240)  # fmt: skip


def test_joining_without_the_token_is_one_line_naming_cause_and_fix(cluster, mura_root,
                                                                    tmp_path):  # fmt: skip
    runs = tmp_path / "runs"
    started = time.monotonic()
    result = _sweep(cluster, mura_root, runs, RAY_AUTH_MODE="")
    assert time.monotonic() - started < 30
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"mura: error: the Ray cluster at {cluster.address} refused this process: it requires "
        "token authentication (InvalidAuthToken; RAY_AUTH_MODE is not set): set "
        "RAY_AUTH_MODE=token and give this process the cluster's token (RAY_AUTH_TOKEN, or "
        "the file ~/.ray/auth_token of the head node), or start the cluster with "
        "RAY_AUTH_MODE=disabled"
    ]
    assert not runs.exists()


def test_a_sweep_across_the_two_nodes_prints_only_json(cluster, mura_root, tmp_path):
    runs = tmp_path / "runs"
    result = _sweep(cluster, mura_root, runs, RAY_AUTH_MODE="token")
    assert result.returncode == 0, result.stderr[-3000:]
    records = json.loads(result.stdout)  # nothing Ray printed is mixed in
    assert [item["status"] for item in records] == ["complete", "complete"]
    assert [item["epochs"] for item in records] == [1, 1]
    for item in records:
        info = json.loads((Path(item["folder"]) / "run.json").read_text())
        assert info["status"] == "complete" and "error" not in info
