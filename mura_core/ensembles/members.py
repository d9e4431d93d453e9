"""What an ensemble is made of: its members and the rule combining them.

Plain data, below everything else of :mod:`mura_core.ensembles` (the interface,
combination, loading and training all use it); :mod:`~mura_core.ensembles.interface`
re-exports it.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["COMBINATIONS", "Combination", "Member"]

#: How members' probabilities are combined: ``avg``, every member scores every image
#: and the probabilities are averaged (the report's rule); ``route``, each image is
#: scored by the member of its body part.
Combination = Literal["avg", "route"]
COMBINATIONS: tuple[str, ...] = typing.get_args(Combination)


@dataclass(frozen=True)
class Member:
    """One member of an ensemble.

    Attributes:
        key: the member's folder under ``members/`` (``XR_WRIST``, ``seed.1``): short,
            so paths stay short whatever the member's name.
        run_name: the member's canonical run name (a single model's run).
        body_part: the body part whose images it scores under ``route`` (``None``: all).
        parsed: ``run_name`` parsed, when the ensembler has it from the ensemble's own
            parse (``None``: :attr:`name` parses ``run_name``).
    """

    key: str
    run_name: str
    body_part: str | None = None
    parsed: ParsedName | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> ParsedName:
        """The member's parsed run name."""
        if self.parsed is not None:
            return self.parsed
        import registry

        return registry.parse(self.run_name)
