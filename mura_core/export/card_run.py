"""What a model card reads from a run folder: ``run.json``, its members' and the data's.

Read once by :func:`read_card_run`; the sections of
:mod:`~mura_core.export.card_sections` and :mod:`~mura_core.export.card_artifacts` write from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mura_core.data.layout import resolve_root
from mura_core.data.synth import synthetic_record
from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_run_json
from mura_core.runs.layout import RunFolder
from mura_core.runs.loading import parse_run_folder

if TYPE_CHECKING:
    from mura_core.ensembles.members import Member
    from registry import ParsedName

__all__ = ["CardRun", "read_card_run"]


@dataclass(frozen=True)
class CardRun:
    """What the card reads from a run folder."""

    folder: RunFolder
    parsed: ParsedName
    info: dict[str, Any]
    #: Ensemble members: the member, its status and its ``run.json``.
    members: list[tuple[Member, str, dict[str, Any]]]
    data_root: str | None
    #: ``mura synth``'s record of the data (``None``: not synthetic, or not found).
    synthetic: dict[str, Any] | None
    data_note: str


def read_card_run(run_folder: str | Path, data_root: str | Path | None) -> CardRun:
    """Read the run in ``run_folder``; ``data_root`` overrides the root ``run.json`` records.

    Raises:
        MuraError: not a run folder, or a damaged ``run.json``.
    """
    from mura_core.ensembles import ensembler_of

    folder, parsed = parse_run_folder(run_folder)
    info = read_run_json(folder.run_json)
    members = []
    if parsed.family.is_ensemble:
        from mura_core.ensembles.loading import member_status

        for member in ensembler_of(parsed).members(parsed):
            member_folder = folder.member(member.key)
            status = member_status(member_folder) or "not trained"
            members.append((member, status, read_run_json(member_folder.run_json)))
    root = data_root if data_root is not None else (info.get("config") or {}).get("data_root")
    root_text = None if root is None else str(root)
    note, record = _describe_data(root_text)
    return CardRun(folder, parsed, info, members, root_text, record, note)


def _describe_data(root: str | None) -> tuple[str, dict[str, Any] | None]:
    """How the card describes the data root, and ``mura synth``'s record of it."""
    if root is None:
        return "not recorded", None
    try:
        mura = resolve_root(root).mura
    except MuraError:
        return "not found here (whether it holds X-rays or synthetic images is not known)", None
    record = synthetic_record(mura)
    if record is None:
        return "MURA-v1.1 layout, not written by `mura synth`", None
    arguments = record.get("arguments") or {}
    difficulty = (arguments.get("difficulty") or {}).get("name", "unknown")
    noise = arguments.get("label_noise", "unknown")
    note = f"**synthetic**, written by `mura synth`: difficulty {difficulty}, label noise {noise}"
    return note, record
