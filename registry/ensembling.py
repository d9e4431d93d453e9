"""What the package calls on an ensemble family's ``Family(ensemble=...)``.

The registry only holds that object; ``mura_core.ensembles`` trains, loads, combines
and explains ensembles through these methods. The protocols are structural: any object
with these methods and attributes fits, and ``mura_core.ensembles.Ensembler`` is a base
class implementing them with defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["EnsemblerProtocol", "MemberProtocol"]


@runtime_checkable
class MemberProtocol(Protocol):
    """One member of an ensemble (``mura_core.ensembles.Member``)."""

    #: The member's folder under ``members/`` (``XR_WRIST``, ``seed.1``).
    key: str
    #: The member's canonical run name.
    run_name: str
    #: The body part whose images it scores when routed (``None``: all).
    body_part: str | None


@runtime_checkable
class EnsemblerProtocol(Protocol):
    """How an ensemble family lists its members, combines them and loads its runs.

    Each method receives ``parsed``, the :class:`~registry.ParsedName` of an ensemble name.
    """

    def members(self, parsed: Any) -> Sequence[MemberProtocol]:
        """The members of the ensemble ``parsed``."""

    def combination(self, parsed: Any) -> str:
        """How members' probabilities are combined: ``avg`` or ``route``."""

    def load(self, folder: Any, parsed: Any, *, allow_other_provider: bool = False) -> Any:
        """The trained ensemble in the run folder ``folder``, ready to predict."""

    def warm_start(self, parsed: Any) -> str | None:
        """The run whose best weights initialise every member, or ``None``."""
