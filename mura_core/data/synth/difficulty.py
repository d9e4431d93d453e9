"""How hard the synthetic findings are to see: named points on a scale from 0 to 1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from mura_core.errors import MuraError

__all__ = ["DIFFICULTY_NAMES", "DIFFICULTY_POINTS", "Difficulty", "DifficultyName", "difficulty"]

#: The named difficulties, in increasing order.
DifficultyName = Literal["easy", "medium", "hard"]
DIFFICULTY_NAMES: tuple[str, ...] = get_args(DifficultyName)
#: Where each name sits on the scale (0 the easiest).
DIFFICULTY_POINTS: dict[str, float] = dict(zip(DIFFICULTY_NAMES, (0.0, 0.4, 0.85)))


def _between(easy: float, hardest: float, value: float) -> float:
    return easy + (hardest - easy) * value


@dataclass(frozen=True)
class Difficulty:
    """A point on the difficulty scale and the rendering parameters it sets.

    Attributes:
        value: the point in [0, 1].
        name: its name when it is one of :data:`DIFFICULTY_POINTS`, else ``None``.
    """

    value: float
    name: str | None = None

    @property
    def size(self) -> float:
        """Scale of a finding (1.0 a typical size)."""
        return _between(3.5, 0.8, self.value)

    @property
    def contrast(self) -> float:
        """Share of bone density a lucent finding removes (fractures, lesions)."""
        return _between(1.0, 0.35, self.value)

    @property
    def visibility(self) -> float:
        """Chance that a view of an abnormal study shows its finding (one view always does)."""
        return _between(1.0, 0.45, self.value)

    @property
    def noise(self) -> float:
        """Standard deviation of the film noise, in grey levels."""
        return _between(2.0, 9.0, self.value)

    def to_dict(self) -> dict[str, object]:
        """``{"name", "value"}``, as ``dataset.json`` records it."""
        return {"name": self.name, "value": self.value}


def difficulty(value: str | float | Difficulty) -> Difficulty:
    """A :class:`Difficulty` from a name (``easy``, ``medium``, ``hard``) or a number in [0, 1].

    Raises:
        MuraError: an unknown name or a number outside [0, 1].
    """
    if isinstance(value, Difficulty):
        return value
    text = str(value).strip().lower()
    if text in DIFFICULTY_POINTS:
        return Difficulty(DIFFICULTY_POINTS[text], text)
    try:
        number = float(text)
    except ValueError:
        names = ", ".join(DIFFICULTY_NAMES)
        raise MuraError(
            f"difficulty must be {names} or a number in [0, 1], not {value!r}"
        ) from None
    if not 0.0 <= number <= 1.0:
        raise MuraError(f"difficulty must be in [0, 1], not {number:g}")
    names = {point: name for name, point in DIFFICULTY_POINTS.items()}
    return Difficulty(number, names.get(number))
