"""Work per distinct image, not per row.

A CSV of image paths may name the same image many times (100,000 rows over 57 images);
what costs (finding the file, checking it, decoding and predicting it) is done once per
distinct value, and each row then looks its result up. ``mura submit`` and ``mura
predict`` read their CSVs through this.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

__all__ = ["once_each"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def once_each(values: Iterable[K], work: Callable[[K], V]) -> dict[K, V]:
    """``work(value)`` for each distinct value of ``values``, computed once, in order of
    first appearance."""
    results: dict[K, V] = {}
    for value in values:
        if value not in results:
            results[value] = work(value)
    return results
