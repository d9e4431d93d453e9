"""Reload a trained run from its folder: the folder's name rebuilds the model.

Nothing but weights is read from the folder's files: the architecture comes from the
registry (the folder is named by the run's canonical name), so no configuration or code
is deserialised (no ``safe_mode=False``, no pickles). ``run.json`` records which plugin
distribution provided the family; a run is not silently rebuilt by another one.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_run_json
from mura_core.runs.identity import check_identity
from mura_core.runs.layout import RunFolder, WeightsFile, run_folder_name
from registry.errors import shorten

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["LoadedRun", "check_provider", "load_parsed_run", "load_run", "parse_run_folder"]

logger = logging.getLogger("mura.runs")


@dataclass
class LoadedRun:
    """A run's rebuilt model with its best weights, and what the folder records."""

    model: Any
    folder: RunFolder
    parsed: ParsedName
    weights: WeightsFile
    info: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: The calibration folded into ``model`` (:func:`mura_core.calibration.apply_calibration`).
    calibration: Any = None

    @property
    def name(self) -> str:
        """The canonical run name."""
        return self.parsed.full_name


def parse_run_folder(
    folder: str | Path, *, expected: ParsedName | None = None
) -> tuple[RunFolder, ParsedName]:
    """Check that ``folder`` is a run folder and parse its name (``expected``: the name
    it should hold, parsed already; a folder holding it is not parsed again).

    Raises:
        MuraError: no such folder, its name is not a model or run name, or the family
            that built it is not installed (naming the distribution that provided it).
    """
    import registry

    path = Path(folder)
    if not path.is_dir():
        raise MuraError(f"no run folder at {path}")
    path = path.resolve()
    run_folder = RunFolder(path)
    name = _run_name(run_folder)
    try:
        parsed = expected if expected and name == expected.full_name else registry.parse(name)
    except registry.InvalidNameError as error:
        missing = _missing_family(path, error)
        if missing:
            raise MuraError(missing) from error
        raise MuraError(
            f"{path} is not a run folder: its name is not a model name ({error.problem})"
        ) from error
    if not run_folder.is_member and run_folder_name(parsed.full_name) != path.name:
        raise MuraError(
            f"{run_folder.name_file} names run {shorten(parsed.full_name)}, whose folder "
            f"would be {shorten(run_folder_name(parsed.full_name))}, not {shorten(path.name)}"
        )
    return run_folder, parsed


def _run_name(folder: RunFolder) -> str:
    """The folder's run name; a shortened or member folder reads it from ``name.txt``."""
    try:
        return folder.name
    except OSError as error:
        raise MuraError(
            f"{folder.path} has no readable {folder.name_file.name}: its full run name is "
            f"lost ({type(error).__name__})"
        ) from error


def _missing_family(path: Path, error: Any) -> str | None:
    """The message for a run whose family no installed plugin provides, else ``None``."""
    if not error.problem.startswith("unknown family"):
        return None
    info = read_run_json(path / "run.json")
    family = info.get("family")
    if not family or family != error.token:
        return None
    provider = info.get("provider") or {}
    source = ""
    if provider.get("distribution"):
        source = f" (plugin {provider.get('plugin')!r} of {_distribution(provider)})"
    return (
        f"run {path.name} needs family {family!r}{source}, which no installed plugin provides "
        f"(install it, or check that it is not blocked by MURA_BLOCK_PLUGINS)"
    )


def _distribution(provider: dict[str, Any]) -> str:
    if not provider.get("distribution"):
        return f"plugin {provider.get('plugin')!r} registered in code"
    return f"{provider['distribution']} {provider.get('version') or ''}".strip()


def check_provider(
    parsed: ParsedName, info: dict[str, Any], *, allow_other_provider: bool = False
) -> None:
    """Refuse to rebuild a run with a family now provided by another distribution.

    The same distribution at another version, or a run that records no provider
    (trained before providers were recorded), gets a one-line note on stderr.

    Raises:
        MuraError: another distribution provides the family, unless allowed.
    """
    import registry

    current = registry.provider(parsed.family.name)
    recorded = info.get("provider")
    family = parsed.family.name
    if not recorded:
        logger.warning(
            "mura: note: run %s records no provider of family %r; rebuilding it with %s",
            parsed.full_name, family, _distribution(current),
        )  # fmt: skip
        return
    if recorded.get("distribution") != current.get("distribution"):
        message = (
            f"run {parsed.full_name} was trained with family {family!r} of "
            f"{_distribution(recorded)}, but {_distribution(current)} provides it now"
        )
        if not allow_other_provider:
            raise MuraError(f"{message}; pass --allow-other-provider to rebuild it anyway")
        logger.warning("mura: warning: %s (allowed)", message)
    elif recorded.get("version") != current.get("version"):
        logger.warning(
            "mura: warning: run %s was trained with %s; rebuilding it with version %s",
            parsed.full_name, _distribution(recorded), current.get("version"),
        )  # fmt: skip


def load_run(
    folder: str | Path,
    *,
    weights: str | Path | None = None,
    allow_other_provider: bool = False,
    expected: ParsedName | None = None,
) -> LoadedRun:
    """Rebuild the model of the run in ``folder`` and load its best weights.

    Args:
        folder: a run folder (``RUNS/<run name>``).
        expected: the run name the folder should hold, parsed (an ensemble's member):
            a folder holding it is not parsed again.
        weights: a weights file to load instead of the best checkpoint.
        allow_other_provider: rebuild the run even when its family is now provided by
            another distribution than the one recorded in ``run.json``.

    Raises:
        MuraError: not a run folder, a family from another provider, no weights file,
            weights that do not fit, or a ``run.json`` that names another run
            (:mod:`~mura_core.runs.identity`).
    """
    run_folder, parsed = parse_run_folder(folder, expected=expected)
    return load_parsed_run(
        run_folder, parsed, weights=weights, allow_other_provider=allow_other_provider
    )


def load_parsed_run(
    run_folder: RunFolder,
    parsed: ParsedName,
    *,
    weights: str | Path | None = None,
    allow_other_provider: bool = False,
) -> LoadedRun:
    """:func:`load_run` of a folder :func:`parse_run_folder` already checked and parsed:
    the name is not parsed again."""
    import registry

    if parsed.is_ensemble:  # the ensemble family's Ensembler loads its members
        if weights is not None:
            raise MuraError("--weights applies to a single run, not to an ensemble")
        ensembler = parsed.family.ensemble
        return ensembler.load(run_folder, parsed, allow_other_provider=allow_other_provider)
    if weights is None:  # before any note on the provider: without weights, nothing loads
        chosen = run_folder.best_weights()
        if chosen is None:
            raise MuraError(f"run {run_folder.name} has no weights file (weights.*.weights.h5)")
    else:
        path = Path(weights)
        if not path.is_file():
            raise MuraError(f"weights file {path} not found")
        chosen = WeightsFile.parse(path) or WeightsFile(path, 0, *(float("nan"),) * 4)
    info = read_run_json(run_folder.run_json)
    check_provider(parsed, info, allow_other_provider=allow_other_provider)
    model = registry.build(parsed, weights=None)
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
