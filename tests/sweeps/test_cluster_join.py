"""Joining a Ray cluster that is not there: one line, within 30 s, nothing written.

The joins run in subprocesses: this worker may hold the suite's embedded Ray session,
which a join in this process would use instead of the address.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from mura_core.cli import main
from mura_core.errors import MuraError
from mura_core.sweeps.cluster import JOIN_SECONDS, check_address
from tests.conftest import run_cli

pytest.importorskip("ray", reason="the ray extra is not installed")

MEMBER = "cnn_in.32.32.1_cl.1.1_f.8_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25"
ENSEMBLE = f"parts_m({MEMBER})_bp.HAND.WRIST_c.avg"


@pytest.mark.parametrize(
    "address, expected",
    [
        ("auto", None),
        ("127.0.0.1:6379", ("127.0.0.1", 6379)),
        ("head-node.example.org:1", ("head-node.example.org", 1)),
        ("[::1]:65535", ("::1", 65535)),
    ],
)
def test_well_formed_addresses(address, expected):
    assert check_address(address) == expected


@pytest.mark.parametrize(
    "address",
    ["not a host", "127.0.0.1", "127.0.0.1:", ":6379", "host:0", "host:65536", "host:-1",
     "host:6379x", "ray://host:10001", "-host:1", "host..name:1", "[nope]:1", "::1:6379",
     "h\u00f6st:1", "host:\u0661\u0662", "a" * 254 + ":1", ""],
)  # fmt: skip
def test_malformed_addresses_are_refused(address):
    with pytest.raises(MuraError, match="--address must be auto or HOST:PORT"):
        check_address(address)


def _commands(data: str, runs: str, address: str) -> dict[str, list[str]]:
    """Every command that joins a cluster: a sweep and an ensemble's training."""
    common = ["--data", data, "--runs", runs, "--epochs", "1", "--engine", "ray",
              "--address", address]  # fmt: skip
    return {"sweep": ["sweep", MEMBER, *common], "ensemble": ["train", ENSEMBLE, *common]}


@pytest.mark.parametrize("command", ["sweep", "ensemble"])
def test_a_malformed_address_is_one_line_before_any_work(command, mura_root, tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(_commands(str(mura_root), str(runs), "not a host")[command]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["mura: error: --address must be auto or HOST:PORT (got 'not a host')"]
    assert not runs.exists()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word (not a Ray cluster)."""
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def _closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _join_fails_cleanly(args: list[str], runs, expected: str) -> None:
    started = time.monotonic()
    result = run_cli(*args, timeout=90)
    seconds = time.monotonic() - started
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith(f"mura: error: {expected}"), lines
    assert seconds < JOIN_SECONDS, f"took {seconds:.1f} s"
    assert result.stdout == ""
    # nothing written: no run folder, so no run.lock and no 'running' status
    assert not runs.exists() or not any(runs.rglob("*")), sorted(runs.rglob("*"))


@pytest.mark.parametrize("command", ["sweep", "ensemble"])
def test_nothing_listening_is_refused_at_once(command, mura_root, tmp_path):
    runs = tmp_path / "runs"
    address = f"127.0.0.1:{_closed_port()}"
    args = _commands(str(mura_root), str(runs), address)[command]
    _join_fails_cleanly(args, runs, f"cannot join the Ray cluster at {address} (connection refused")


def test_a_port_that_never_answers_is_refused_within_30_s(mura_root, tmp_path, silent_port):
    runs = tmp_path / "runs"
    address = f"127.0.0.1:{silent_port}"
    args = _commands(str(mura_root), str(runs), address)["ensemble"]
    _join_fails_cleanly(args, runs, f"cannot join the Ray cluster at {address}: ")
