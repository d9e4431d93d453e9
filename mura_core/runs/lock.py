"""A run folder's lock: one training process at a time per run folder.

The lock is the file ``run.lock`` in the run folder, created exclusively (``O_EXCL``) and
holding the holder's host, process id and start time. A second process finds it and
stops, naming the holder. A lock left by a killed process is broken only when it was
taken on this host and that process no longer exists: run folders may sit on storage
shared by several hosts, where another host's process cannot be checked.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from mura_core.errors import MuraError
from mura_core.timestamps import utc_now

__all__ = ["LOCK_NAME", "RunLock"]

#: File name of the lock inside a run folder.
LOCK_NAME = "run.lock"


def _process_exists(pid: int) -> bool:
    """True when process ``pid`` exists on this host (or cannot be signalled)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate the process there: assume it lives
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


class RunLock:
    """Hold ``folder/run.lock`` while a process trains in ``folder`` (a context manager).

    Raises:
        MuraError: another live process (or a process on another host) holds the lock.
    """

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.held = False

    def _holder(self) -> dict[str, object]:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # json recurses into nested arrays
            return {}
        return value if isinstance(value, dict) else {}

    def _unreadable_for(self, seconds: float) -> bool:
        """True when the lock is gone, or has been unreadable for ``seconds``."""
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return True
        return age > seconds

    def _try_create(self) -> bool:
        record = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": utc_now(),
        }
        try:
            handle = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
        return True

    def acquire(self) -> RunLock:
        """Take the lock, breaking it first when its holder is a dead process of this host."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            if self._try_create():
                self.held = True
                return self
            holder = self._holder()
            host, pid = holder.get("host"), holder.get("pid")
            stale = host == socket.gethostname() and isinstance(pid, int)
            if stale and not _process_exists(pid):  # type: ignore[arg-type]
                self.path.unlink(missing_ok=True)
                continue
            if not holder and self._unreadable_for(seconds=10.0):
                self.path.unlink(missing_ok=True)  # a holder killed while writing it
                continue
            raise MuraError(
                f"run folder {self.path.parent.name} is in use by process {pid or '?'} on host "
                f"{host or '?'} since {holder.get('since', '?')} (if that process is gone, "
                f"delete {self.path})"
            )
        raise MuraError(f"cannot take the lock {self.path}")

    def release(self) -> None:
        """Drop the lock (the folder may already be gone)."""
        if self.held:
            if self._holder().get("pid") == os.getpid():
                self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
