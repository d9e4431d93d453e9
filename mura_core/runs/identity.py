"""A run's identity, recorded when it starts and checked when it is loaded.

The folder's name rebuilds the model, so a renamed folder (``p.max`` to ``p.avg``) or a
``run.json`` copied from another run would otherwise be loaded, without a word, with the
wrong architecture. ``run.json`` keeps the run's full name (``name``, apart from the
folder's name) and :func:`weights_digest`, a SHA-256 of the shapes of the model's weights
in order; :func:`check_identity` compares both with the model the folder name builds.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import update_run_json
from mura_core.runs.layout import RunFolder

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["DIGEST_KEY", "check_identity", "record_identity", "weights_digest"]

#: Key of the weights digest in ``run.json``.
DIGEST_KEY = "weights_digest"


def weights_digest(model: Any) -> str:
    """SHA-256 of the shapes of ``model.weights``, in order (names vary between sessions)."""
    text = ";".join("x".join(str(int(size)) for size in weight.shape) for weight in model.weights)
    return hashlib.sha256(text.encode()).hexdigest()


def record_identity(folder: RunFolder, model: Any) -> None:
    """Record the weights digest of the run's model in ``run.json``."""
    update_run_json(folder.run_json, **{DIGEST_KEY: weights_digest(model)})


def _recorded_name(recorded: Any) -> str | None:
    """The canonical form of the name ``run.json`` records (``None``: not a name)."""
    import registry

    try:
        return registry.parse(str(recorded)).full_name
    except registry.RegistryError:
        return None


def check_identity(
    folder: RunFolder, parsed: ParsedName, model: Any, info: dict[str, Any]
) -> list[str]:
    """Check that ``run.json`` describes the model the folder's name built.

    Returns notes for a run recorded before the digest existed.

    Raises:
        MuraError: ``run.json`` names another run, or the weights' shapes differ.
    """
    if not info:
        return [f"{folder.run_json} is missing: the run's identity is not checked"]
    notes = []
    recorded = info.get("name")
    if recorded not in (None, parsed.full_name) and _recorded_name(recorded) != parsed.full_name:
        raise MuraError(
            f"run.json names another run than its folder (renamed or mixed up): folder "
            f"{parsed.full_name}, run.json {recorded}, in {folder.path.parent}"
        )
    digest = info.get(DIGEST_KEY)
    if digest is None:
        notes.append(
            f"{folder.run_json} records no weights digest (a run from an older version): "
            "its architecture is taken from the folder name unchecked"
        )
    elif digest != weights_digest(model):
        raise MuraError(
            f"the model of run folder {parsed.full_name} has other weight shapes than its "
            f"run.json records (digest {weights_digest(model)[:12]}, recorded "
            f"{str(digest)[:12]}), in {folder.path.parent}"
        )
    return notes
