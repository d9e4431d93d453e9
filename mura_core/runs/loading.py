"""Reload a trained run from its folder: the folder's name rebuilds the model.

Nothing but weights is read from the folder's files: the architecture comes from the
registry (the folder is named by the run's canonical name), so no configuration or code
is deserialised (no ``safe_mode=False``, no pickles).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_run_json
from mura_core.runs.identity import check_identity
from mura_core.runs.layout import RunFolder, WeightsFile

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["LoadedRun", "load_run", "parse_run_folder"]


@dataclass
class LoadedRun:
    """A run's rebuilt model with its best weights, and what the folder records."""

    model: Any
    folder: RunFolder
    parsed: ParsedName
    weights: WeightsFile
    info: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The canonical run name."""
        return self.parsed.full_name


def parse_run_folder(folder: str | Path) -> tuple[RunFolder, ParsedName]:
    """Check that ``folder`` is a run folder and parse its name.

    Raises:
        MuraError: no such folder, or its name is not a model or run name.
    """
    import registry

    path = Path(folder)
    if not path.is_dir():
        raise MuraError(f"no run folder at {path}")
    path = path.resolve()
    try:
        parsed = registry.parse(path.name)
    except registry.RegistryError as error:
        raise MuraError(f"{path} is not a run folder: its name is not a model name") from error
    return RunFolder(path), parsed


def load_run(folder: str | Path, *, weights: str | Path | None = None) -> LoadedRun:
    """Rebuild the model of the run in ``folder`` and load its best weights.

    Args:
        folder: a run folder (``RUNS/<run name>``).
        weights: a weights file to load instead of the best checkpoint.

    Raises:
        MuraError: not a run folder, no weights file, weights that do not fit, or a
            ``run.json`` that names another run (:mod:`~mura_core.runs.identity`).
    """
    import registry

    run_folder, parsed = parse_run_folder(folder)
    info = read_run_json(run_folder.run_json)
    if weights is None:
        chosen = run_folder.best_weights()
        if chosen is None:
            raise MuraError(f"run {run_folder.name} has no weights file (weights.*.weights.h5)")
    else:
        path = Path(weights)
        if not path.is_file():
            raise MuraError(f"weights file {path} not found")
        chosen = WeightsFile.parse(path) or WeightsFile(path, 0, *(float("nan"),) * 4)
    options = {"weights": None} if "weights" in parsed.family.options else {}
    model = registry.build(parsed.model_name, **options)
    notes = check_identity(run_folder, parsed, model, info)
    try:
        with warnings.catch_warnings():  # Keras warns per layer before raising; one line is enough
            warnings.simplefilter("ignore")
            model.load_weights(str(chosen.path))
    except (ValueError, OSError, KeyError) as error:
        raise MuraError(
            f"weights {chosen.path.name} do not fit model {parsed.model_name}: "
            + (str(error).strip().splitlines() or [type(error).__name__])[0]
        ) from error
    return LoadedRun(model, run_folder, parsed, chosen, info, notes)
