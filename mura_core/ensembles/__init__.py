"""Ensembles: runs whose names embed a member's name, trained and combined member by member.

The interface (:class:`Ensembler`, :class:`Member`, :data:`Combination`) is what an
ensemble family declares; :func:`train_ensemble`, :func:`load_ensemble` and the
combination rules (:func:`combine`) are the same for every ensemble, built-in or
third-party. Importing this package does not import TensorFlow (plugins import the
interface while the registry loads); :func:`train_ensemble` is imported on first use.
"""

from typing import Any

from mura_core.ensembles.combine import combine, member_column
from mura_core.ensembles.interface import (
    COMBINATIONS,
    Combination,
    Ensembler,
    Member,
    ensembler_of,
)
from mura_core.ensembles.loading import LoadedEnsemble, load_ensemble

__all__ = [
    "COMBINATIONS",
    "Combination",
    "EnsembleResult",
    "Ensembler",
    "LoadedEnsemble",
    "Member",
    "combine",
    "ensembler_of",
    "load_ensemble",
    "member_column",
    "train_ensemble",
]


def __getattr__(name: str) -> Any:
    if name in ("EnsembleResult", "train_ensemble"):
        from mura_core.ensembles import training

        return getattr(training, name)
    raise AttributeError(name)
