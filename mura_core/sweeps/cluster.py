"""Starting and joining Ray: how to import it and place trials (:class:`RayOptions`), the
``--address`` syntax, a join bounded in time, one-line reasons.

``--address`` is ``auto`` (the cluster ``ray start`` last started on this machine) or
``HOST:PORT`` (the head node's GCS port). Its syntax is checked before any work
(:func:`check_address`); joining first knocks on the port (:func:`probe`), so that a
cluster that does not answer is one line within seconds, then lets Ray try only a few
times (:data:`JOIN_LIMITS`), so that a join that cannot succeed ends within
:data:`JOIN_SECONDS`. Ray's own warnings during the join are caught and summarised: a
cluster with token authentication (Ray 2.60's ``ray start --head`` enables it whenever
a token exists, such as the ``~/.ray/auth_token`` an embedded Ray writes) refusing this
process says so and names the fix. While Ray runs, standard output is standard error
(:func:`ray_session`): nothing Ray prints, such as ``(raylet) ...`` notices of a dead
node, reaches a command's JSON.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mura_core.errors import MuraError
from mura_core.native import captured_stderr, stdout_to_stderr
from mura_core.vocabulary import Scheduler, SweepMetric

__all__ = [
    "INSTALL_HINT",
    "JOIN_LIMITS",
    "JOIN_SECONDS",
    "RayOptions",
    "check_address",
    "connect",
    "engine_session",
    "import_ray",
    "probe",
    "ray_installed",
    "ray_session",
]

#: How to get the engine, said whenever Ray is missing.
INSTALL_HINT = "pip install 'mura-registry[ray]'"


@dataclass(frozen=True)
class RayOptions:
    """How the Ray engine places and schedules the trials (``cpus_per_run``: 1 unless
    given; the local engine limits TensorFlow's threads only when it is given)."""

    address: str | None = None
    cpus_per_run: float | None = None
    gpus_per_run: float = 0.0
    max_concurrent: int | None = None
    scheduler: Scheduler = "fifo"
    metric: SweepMetric = "val_kappa"
    grace_period: int = 1
    temp_dir: Path | None = None
    num_cpus: int | None = None


def ray_installed() -> bool:
    """True when Ray Tune can be imported (without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):  # blocked, or a broken installation
        return False


def import_ray() -> tuple[Any, Any]:
    """``(ray, ray.tune)``, or a one-line error saying how to install them."""
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")
    os.environ.setdefault("TUNE_DISABLE_STRICT_METRIC_CHECKING", "1")  # the final report
    try:
        import ray
        from ray import tune
    except ImportError as error:
        raise MuraError(f"--engine ray needs Ray Tune ({error.name} is missing): "
                        f"{INSTALL_HINT}, or use --engine local") from None  # fmt: skip
    return ray, tune



#: The forms ``--address`` takes, as messages and the CLI's help say them.
ADDRESS_FORMS = "auto or HOST:PORT"
#: A join that cannot succeed ends within this many seconds (the documented bound).
JOIN_SECONDS = 30
#: Seconds the cluster's port has to accept a connection.
PROBE_SECONDS = 5.0
#: Ray's connection settings while joining, unless set in the environment. One attempt
#: (the port answered the probe), of at most 2 s to reach the GCS and its event channel
#: each and 4 s to hear its cluster id: about 8 s.
JOIN_LIMITS = {
    "RAY_gcs_server_port_wait_time_s": "1",
    "RAY_gcs_rpc_server_connect_timeout_s": "2",
    "RAY_py_gcs_connect_timeout_s": "4",
}
#: How to join a cluster with token authentication, said when it refuses this process.
TOKEN_FIX = (
    "set RAY_AUTH_MODE=token and give this process the cluster's token (RAY_AUTH_TOKEN, "
    "or the file ~/.ray/auth_token of the head node), or start the cluster with "
    "RAY_AUTH_MODE=disabled"
)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_AUTH_SIGNS = ("InvalidAuthToken", "Unauthenticated", "AuthenticationError")


def check_address(address: str) -> tuple[str, int] | None:
    """The host and port of ``address`` (``None`` for ``auto``).

    Raises:
        MuraError: not ``auto`` nor ``HOST:PORT`` (a host name, an IPv4 address or a
            bracketed IPv6 address; a port in [1, 65535]).
    """
    wrong = MuraError(f"--address must be {ADDRESS_FORMS} (got {address!r})")
    if address == "auto":
        return None
    host, colon, port = address.rpartition(":")
    if not colon or not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise wrong
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise wrong from None
        return host[1:-1], int(port)
    if len(host) > 253 or not _HOST.fullmatch(host):
        raise wrong
    return host, int(port)


def probe(host: str, port: int, seconds: float = PROBE_SECONDS) -> None:
    """Knock on ``host:port``; a one-line error when nothing answers within ``seconds``."""
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=seconds):
            return
    except socket.gaierror:
        reason = f"unknown host {host}"
    except ConnectionRefusedError:
        reason = "connection refused: nothing listens there"
    except TimeoutError:
        reason = f"no answer within {seconds:g} s"
    except OSError as error:
        reason = error.strerror or type(error).__name__
    raise MuraError(
        f"cannot join the Ray cluster at {where} ({reason}); start one with "
        "`ray start --head` or check --address"
    )


def _auto_address() -> tuple[str, int] | None:
    """Host and port of the cluster ``--address auto`` finds, as Ray finds it (``None``
    when this Ray does not say: its join is then bounded by :data:`JOIN_LIMITS` only)."""
    try:
        from ray._private import services

        found = services.canonicalize_bootstrap_address_or_die("auto")
    except (ImportError, AttributeError):
        return None
    except ConnectionError:
        raise MuraError(
            "--address auto found no running Ray cluster on this machine; start one with "
            "`ray start --head` or give HOST:PORT"
        ) from None
    host, _, port = found.rpartition(":")
    return host.strip("[]"), int(port)


def _reload_ray_config() -> None:
    """Make Ray's native configuration read the ``RAY_*`` environment again (as Ray does
    when it turns token authentication on)."""
    try:
        from ray._raylet import Config

        Config.initialize("")
    except (ImportError, AttributeError):  # another Ray: its defaults apply
        pass


@contextlib.contextmanager
def _join_limits() -> Iterator[None]:
    """Ray's connection settings of :data:`JOIN_LIMITS` for the join in the block.

    A joined driver keeps them (its later connections to the cluster are bounded too);
    after a failed join, Ray's configuration is what it was.
    """
    saved = {name: os.environ.get(name) for name in JOIN_LIMITS}
    for name, value in JOIN_LIMITS.items():
        os.environ.setdefault(name, value)
    _reload_ray_config()
    joined = False
    try:
        yield
        joined = True
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if not joined:
            _reload_ray_config()


def _join_error(address: str, error: BaseException, warnings: str) -> MuraError:
    """The one-line reason a join failed, from the error and Ray's warnings."""
    chain, cause = [], error
    while cause is not None and len(chain) < 10:
        chain.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__ or cause.__context__
    text = "\n".join(chain) + "\n" + warnings
    if any(sign in text for sign in _AUTH_SIGNS):
        mode = os.environ.get("RAY_AUTH_MODE") or "not set"
        return MuraError(
            f"the Ray cluster at {address} refused this process: it requires token "
            f"authentication (InvalidAuthToken; RAY_AUTH_MODE is {mode}): {TOKEN_FIX}"
        )
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    first = lines[0] if lines else type(error).__name__
    return MuraError(
        f"cannot join the Ray cluster at {address}: {first[:300]} (is it the GCS port of a "
        "head node started with `ray start --head`, of the same Ray version?)"
    )


def _join(ray: Any, address: str, settings: dict[str, Any]) -> None:
    """``ray.init(address=...)``, bounded in time, every failure one line."""
    host_port = check_address(address) or _auto_address()
    if host_port is not None:
        probe(*host_port)
    failure: Exception | None = None
    with captured_stderr() as warnings:
        try:
            with _join_limits():
                ray.init(address=address, **settings)
        except Exception as error:
            failure = error
    if failure is not None:
        raise _join_error(address, failure, warnings.text) from None


def connect(ray: Any, options: RayOptions) -> bool:
    """Connect to Ray: join ``options.address``, or start an embedded Ray on this
    machine; returns True when this call connected (and must shut Ray down).

    Raises:
        MuraError: a malformed address, or a cluster that does not answer or refuses
            this process (within :data:`JOIN_SECONDS`).
    """
    if ray.is_initialized():
        return False
    settings: dict[str, Any] = {
        "log_to_driver": False,  # the trials' output stays in their workers' logs
        "configure_logging": True,
        "logging_level": logging.ERROR,
    }
    if options.address:
        _join(ray, options.address, settings)
        return True
    temp = None if options.temp_dir is None else str(Path(options.temp_dir).resolve())
    ray.init(include_dashboard=False, num_cpus=options.num_cpus, _temp_dir=temp, **settings)
    return True


@contextlib.contextmanager
def ray_session(
    options: RayOptions, notes: Callable[[str], None] | None = None
) -> Iterator[bool]:
    """Ray for the duration of the block (joined or started here, and then shut down
    here; an already connected Ray is used as it is), with standard output sent to
    standard error; yields whether this block connected. ``notes`` hears how long
    starting or joining took."""
    ray, _ = import_ray()
    clock = time.perf_counter()
    with stdout_to_stderr():
        started = connect(ray, options)
        if started and notes is not None:
            how = "connected" if options.address else "started"
            notes(f"Ray {how} in {time.perf_counter() - clock:.1f} s")
        try:
            yield started
        finally:
            if started:
                ray.shutdown()


def engine_session(
    engine: str, options: RayOptions | None, notes: Callable[[str], None] | None = None
) -> contextlib.AbstractContextManager[Any]:
    """:func:`ray_session` for the ``ray`` engine (so that a cluster that cannot be joined
    is refused before anything is written), nothing for ``local``."""
    if engine != "ray":
        return contextlib.nullcontext()
    return ray_session(options or RayOptions(), notes)
