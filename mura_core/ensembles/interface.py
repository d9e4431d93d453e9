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

import typing
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mura_core.errors import MuraError

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["COMBINATIONS", "Combination", "Ensembler", "Member", "ensembler_of"]

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
    """

    key: str
    run_name: str
    body_part: str | None = None


class Ensembler(ABC):
    """What an ensemble family declares (``Family(ensemble=MyEnsembler())``)."""

    @abstractmethod
    def members(self, parsed: ParsedName) -> list[Member]:
        """The members of the ensemble ``parsed`` (its run suffix applies to each)."""

    def combination(self, parsed: ParsedName) -> Combination:
        """The combination rule of ``parsed`` (default ``avg``)."""
        return "avg"

    def warm_start(self, parsed: ParsedName) -> str | None:
        """The run name whose best weights initialise every member (``None``: none)."""
        return None


def ensembler_of(parsed: ParsedName) -> Ensembler:
    """The :class:`Ensembler` of an ensemble name's family.

    Raises:
        MuraError: the family is not an ensemble, or declares no Ensembler.
    """
    ensemble = parsed.family.ensemble
    if not isinstance(ensemble, Ensembler):
        raise MuraError(
            f"family {parsed.family.name!r} is not an ensemble family with an "
            "mura_core.ensembles.Ensembler"
        )
    return ensemble
