"""The ensembling interface: how an ensemble lists its members and combines them.

An ensemble is a model family whose names embed a member's name (a
:class:`~registry.nesting.NestedName` token). Its :class:`~registry.Family` declares
``ensemble=`` an :class:`Ensembler`, which says, from the parsed name alone:

* :meth:`Ensembler.members`: each member's key (its folder under ``members/``), its
  canonical run name and the body part it trains on;
* :meth:`Ensembler.combination`: how members' probabilities are combined
  (:data:`Combination`);
* :meth:`Ensembler.warm_start`: the run whose best weights initialise every member, if any.

Training (:func:`~mura_core.ensembles.training.train_ensemble`), loading
(:func:`~mura_core.ensembles.loading.load_ensemble`), evaluation and prediction are the
same for every ensemble, built-in or third-party.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from mura_core.ensembles.members import COMBINATIONS, Combination, Member
from mura_core.errors import MuraError
from registry.ensembling import EnsemblerProtocol

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["COMBINATIONS", "Combination", "Ensembler", "Member", "ensembler_of"]


class Ensembler(ABC):
    """What an ensemble family declares (``Family(ensemble=MyEnsembler())``).

    A base class implementing :class:`registry.EnsemblerProtocol` (what the package
    calls on ``Family.ensemble``): only :meth:`members` has no default.
    """

    @abstractmethod
    def members(self, parsed: ParsedName) -> list[Member]:
        """The members of the ensemble ``parsed`` (its run suffix applies to each)."""

    def combination(self, parsed: ParsedName) -> Combination:
        """The combination rule of ``parsed`` (default ``avg``)."""
        return "avg"

    def load(self, folder: Any, parsed: ParsedName, *, allow_other_provider: bool = False) -> Any:
        """Load the ensemble run in ``folder`` (a RunFolder): its trained members.

        :func:`~mura_core.runs.load_run` calls this through the family, so that loading
        single runs does not depend on the ensembles.
        """
        from mura_core.ensembles.loading import load_ensemble

        return load_ensemble(folder, parsed, allow_other_provider=allow_other_provider)

    def warm_start(self, parsed: ParsedName) -> str | None:
        """The run name whose best weights initialise every member (``None``: none)."""
        return None


def ensembler_of(parsed: ParsedName) -> EnsemblerProtocol:
    """The ensembler (``Family.ensemble``) of an ensemble name's family.

    Raises:
        MuraError: the family is not an ensemble family.
    """
    ensemble = parsed.family.ensemble
    if not isinstance(ensemble, EnsemblerProtocol):
        raise MuraError(
            f"family {parsed.family.name!r} is not an ensemble family (it declares no ensemble=)"
        )
    return ensemble
