"""Ensembles: runs whose names embed a member's name, trained and combined member by member.

The interface (:class:`Ensembler`, :class:`Member`, :data:`Combination`) is what an
ensemble family declares; :func:`~mura_core.ensembles.training.train_ensemble`,
:func:`~mura_core.ensembles.loading.load_ensemble` and the
combination rules (:func:`combine`) are the same for every ensemble, built-in or
third-party. Importing this package imports neither TensorFlow nor pandas (plugins import
the interface while the registry loads): the rest is imported on first use.
"""

from mura_core.ensembles.interface import (
    COMBINATIONS,
    Combination,
    Ensembler,
    Member,
    ensembler_of,
)
from mura_core.lazy_exports import lazy_exports

#: Names imported on first use, by module.
_LAZY = {
    "combine": "combine",
    "member_column": "combine",
    "LoadedEnsemble": "loading",
    "load_ensemble": "loading",
    "EnsembleResult": "training",
    "train_ensemble": "training",
}

#: The interface; the lazily imported names are documented in their own modules.
__all__ = ["COMBINATIONS", "Combination", "Ensembler", "Member", "ensembler_of"]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
