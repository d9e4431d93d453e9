"""Timestamps the package writes: UTC in records, local time in file names."""

from __future__ import annotations

import datetime as dt
import time

__all__ = ["local_stamp", "utc_now"]


def utc_now() -> str:
    """The current time in UTC, ISO 8601 to the second (``2026-01-31T12:00:00+00:00``)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def local_stamp() -> str:
    """The current local time as ``YYYYmmdd-HHMMSS``, for file and folder names."""
    return time.strftime("%Y%m%d-%H%M%S")
