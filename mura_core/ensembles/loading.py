"""Reloading an ensemble run: every member rebuilt from its name, then combined.

``load_run`` hands an ensemble's folder here. Each member is a single run in
``members/<KEY>/`` and is loaded by :func:`~mura_core.runs.loading.load_run` (its name
from ``name.txt``, its identity checked); nothing but weights is read from files. An
ensemble with members not trained yet loads the members present and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mura_core.ensembles.combine import combine, scored_rows
from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_run_json
from mura_core.runs.layout import RunFolder
from mura_core.runs.loading import LoadedRun, check_provider, load_run

if TYPE_CHECKING:
    from mura_core.ensembles.members import Combination, Member
    from registry import ParsedName

__all__ = ["LoadedEnsemble", "load_ensemble", "member_status"]

logger = logging.getLogger("mura.ensembles")


@dataclass
class LoadedEnsemble:
    """An ensemble run's loaded members and how it combines them.

    It stands where a single run's model does (``loaded.model`` is the ensemble
    itself): :func:`~mura_core.inference.predict_frame` and
    :func:`~mura_core.inference.evaluate_run` call :meth:`predict_rows`.
    """

    folder: RunFolder
    parsed: ParsedName
    specs: list[Member]
    members: dict[str, LoadedRun]
    combination: Combination
    info: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    weights: Any = None

    @property
    def name(self) -> str:
        """The canonical run name of the ensemble."""
        return self.parsed.full_name

    @property
    def model(self) -> LoadedEnsemble:
        """The ensemble itself (what predicts, in place of a Keras model)."""
        return self

    @property
    def missing(self) -> list[str]:
        """Keys of the members not trained."""
        return [member.key for member in self.specs if member.key not in self.members]

    def predict_rows(
        self, frame: pd.DataFrame, *, batch_size: int = 32, progress: bool = False
    ) -> pd.DataFrame:
        """Probabilities of the rows the ensemble covers, with one column per member.

        Uncovered rows (``route``, a body part with no member) are left out; their
        paths are in ``result.attrs["uncovered"]``.
        """
        from mura_core.inference import predict_frame

        scores = {}
        for member in self.specs:
            loaded = self.members.get(member.key)
            rows = scored_rows(frame, member, self.combination)
            if loaded is None or rows.empty:
                continue
            predicted = predict_frame(
                loaded.model, rows, loaded.parsed, batch_size=batch_size, progress=progress
            )
            scores[member.key] = predicted["probability"]
        covered, uncovered = combine(frame, scores, self.specs, self.combination)
        covered.attrs["uncovered"] = [str(path) for path in uncovered.get("path", [])]
        return covered


def member_status(folder: RunFolder) -> str | None:
    """A member folder's status in its ``run.json`` (``None``: not started)."""
    if not folder.path.is_dir():
        return None
    return read_run_json(folder.run_json).get("status") or "unknown"


def load_ensemble(
    folder: RunFolder, parsed: ParsedName, *, allow_other_provider: bool = False
) -> LoadedEnsemble:
    """Load the complete members of the ensemble run in ``folder``.

    Raises:
        MuraError: no member is trained, or a member folder holds another run.
    """
    info = read_run_json(folder.run_json)
    check_provider(parsed, info, allow_other_provider=allow_other_provider)
    ensembler = parsed.family.ensemble  # an Ensembler: this is called through it
    specs = ensembler.members(parsed)
    members: dict[str, LoadedRun] = {}
    for member in specs:
        member_folder = folder.member(member.key)
        if member_status(member_folder) != "complete" or member_folder.best_weights() is None:
            continue  # not trained, or still training, failed or interrupted
        loaded = load_run(member_folder.path, allow_other_provider=allow_other_provider,
                          expected=member.name)  # fmt: skip
        if loaded.name != member.run_name:
            raise MuraError(
                f"{member_folder.path} holds run {loaded.name}, not member {member.run_name}"
            )
        members[member.key] = loaded
    if not members:
        raise MuraError(f"no member of ensemble run {parsed.full_name} is trained yet")
    rule = ensembler.combination(parsed)
    ensemble = LoadedEnsemble(folder, parsed, specs, members, rule, info)
    notes = [note for loaded in members.values() for note in loaded.notes]
    if ensemble.missing:
        uses = "the average uses the members present" if rule == "avg" else (
            "their body parts' images are left out"
        )  # fmt: skip
        notes.append(
            f"{len(ensemble.missing)} of {len(specs)} members not trained "
            f"({', '.join(ensemble.missing)}): {uses}"
        )
    ensemble.notes = notes
    return ensemble
