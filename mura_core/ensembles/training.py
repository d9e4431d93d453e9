"""Training an ensemble run: each member a single run in ``members/<KEY>/``.

>>> from mura_core.ensembles import train_ensemble                      # doctest: +SKIP
>>> train_ensemble(TrainConfig(name="parts_m(cnn_...)_bp.WRIST.HAND_c.avg__wc_aug",
...                            data_root="data", epochs=5))

Each member trains through the :class:`~mura_core.training.runner.Runner` into its own
folder, with all of a single run's artifacts, its own lock, resume and overwrite rules:
re-running the command skips complete members and resumes an interrupted one from its
last epoch. ``members`` trains a subset. With warm start, every member starts from the
best weights of the all-parts run the ensembler names (a missing run is refused before
anything is trained). Once members are trained, the ensemble is evaluated on the test
set of its body parts; ``run.json`` records its members, their status and the rule.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mura_core.ensembles.interface import Member, ensembler_of
from mura_core.ensembles.loading import load_ensemble, member_status
from mura_core.errors import MuraError
from mura_core.runs.artifacts import package_versions, read_run_json, update_run_json
from mura_core.runs.layout import RunFolder
from mura_core.runs.lock import RunLock
from mura_core.training.callbacks import CallbackFactory, default_callbacks
from mura_core.training.context import TrainConfig, resolve_run_name
from mura_core.training.data import DataFactory, mura_data
from mura_core.training.setup import _now

if TYPE_CHECKING:
    from mura_core.evaluation import Evaluation
    from registry import ParsedName

__all__ = ["EnsembleResult", "select_members", "train_ensemble", "warm_start_weights"]


@dataclass
class EnsembleResult:
    """What an ensemble run produced: each member's outcome and the evaluation."""

    name: str
    folder: RunFolder
    members: dict[str, str]
    evaluation: Evaluation | None = None
    uncovered: list[str] = field(default_factory=list)
    seconds: float = 0.0


def resolve_ensemble(config: TrainConfig) -> ParsedName:
    """The ensemble's run name, with the run-option flags merged into it.

    Raises:
        MuraError: ``--body-part`` (an ensemble's parts are its own token).
    """
    if config.body_part is not None:
        raise MuraError("--body-part does not apply to an ensemble: its body parts are its name's")
    return resolve_run_name(
        config.name,
        weight_classes=config.weight_classes,
        augment=config.augment,
        seed=config.seed,
    )


def select_members(members: list[Member], keys: Sequence[str] | None) -> list[Member]:
    """The members named by ``keys`` (``XR_WRIST`` or ``WRIST``; all when ``None``)."""
    if keys is None:
        return members
    by_key = {member.key: member for member in members}
    chosen = []
    for key in keys:
        key = key.strip()
        found = by_key.get(key) or by_key.get(f"XR_{key.upper()}")
        if found is None:
            raise MuraError(f"no member {key!r} in this ensemble (members: {', '.join(by_key)})")
        if found not in chosen:
            chosen.append(found)
    return chosen


def warm_start_weights(parsed: ParsedName, runs: str | Path) -> Path | None:
    """The best weights of the run the ensembler warm-starts from (``None``: no warm start).

    Raises:
        MuraError: that run has no trained weights under ``runs``.
    """
    source = ensembler_of(parsed).warm_start(parsed)
    if source is None:
        return None
    folder = RunFolder.for_run(runs, source)
    best = folder.best_weights() if folder.path.is_dir() else None
    if best is None:
        raise MuraError(
            f"warm start needs the trained run {source} in {runs}; train it first "
            f"(mura train '{source}' --data ROOT --runs {runs})"
        )
    return best.path


def _record_start(folder: RunFolder, parsed: ParsedName, config: TrainConfig) -> None:
    import registry

    ensembler = ensembler_of(parsed)
    previous = read_run_json(folder.run_json)
    update_run_json(
        folder.run_json,
        name=parsed.full_name,
        model_name=parsed.model_name,
        family=parsed.family.name,
        provider=registry.provider(parsed.family.name),
        ensemble=True,
        combination=ensembler.combination(parsed),
        warm_start=ensembler.warm_start(parsed),
        config=config.to_dict(),
        run_options=(parsed.run or registry.RunOptions()).model_dump(),
        packages=package_versions(),
        created=previous.get("created", _now()),
        status="running",
    )


def _member_record(folder: RunFolder, members: list[Member]) -> list[dict[str, Any]]:
    return [
        {
            "key": member.key,
            "run": member.run_name,
            "body_part": member.body_part,
            "status": member_status(folder.member(member.key)) or "not trained",
        }
        for member in members
    ]


def _train_member(
    member: Member,
    folder: RunFolder,
    config: TrainConfig,
    warm: Path | None,
    **runner_options: Any,
) -> str:
    from mura_core.training.runner import Runner

    member_folder = folder.member(member.key)
    if member_status(member_folder) == "complete" and not config.overwrite:
        return "complete (skipped)"
    member_config = replace(
        config, name=member.run_name, weight_classes=None, augment=None, body_part=None, seed=0
    )
    result = Runner(
        member_config, folder=member_folder.path, initial_weights=warm, **runner_options
    ).run()
    if result.resumed_from:
        return f"trained (resumed after epoch {result.resumed_from})"
    return "trained"


def train_ensemble(
    config: TrainConfig,
    *,
    members: Sequence[str] | None = None,
    callbacks: CallbackFactory = default_callbacks,
    data: DataFactory = mura_data,
    evaluate: bool = True,
) -> EnsembleResult:
    """Train the ensemble ``config.name`` (its members, or those named by ``members``).

    Raises:
        MuraError: a complete ensemble without ``overwrite``, an unknown member, a
            missing warm-start run, or any error of a member's run.
    """
    started = time.perf_counter()
    parsed = resolve_ensemble(config)
    specs = ensembler_of(parsed).members(parsed)
    chosen = select_members(specs, members)
    folder = RunFolder.for_run(config.out, parsed.full_name)
    warm = warm_start_weights(parsed, config.out)
    if data is mura_data:
        from mura_core.data.layout import resolve_root

        resolve_root(config.data_root)
    if read_run_json(folder.run_json).get("status") == "complete" and not config.overwrite:
        raise MuraError(
            f"run {parsed.full_name} is already trained in {folder.path} "
            "(use --overwrite to train it again)"
        )
    outcomes: dict[str, str] = {}
    with RunLock(folder.path):
        folder.write_name(parsed.full_name)
        _record_start(folder, parsed, config)
        for member in chosen:
            outcomes[member.key] = _train_member(
                member, folder, config, warm, callbacks=callbacks, data=data, evaluate=evaluate
            )
        record = _member_record(folder, specs)
        done = all(item["status"] == "complete" for item in record)
        update_run_json(folder.run_json, members=record, status="complete" if done else "partial")
        result = EnsembleResult(parsed.full_name, folder, outcomes)
        if evaluate and any(item["status"] == "complete" for item in record):
            _evaluate(result, parsed, config)
        update_run_json(folder.run_json, finished=_now())
    result.seconds = time.perf_counter() - started
    return result


def _evaluate(result: EnsembleResult, parsed: ParsedName, config: TrainConfig) -> None:
    from mura_core.ensembles.split import write_ensemble_split
    from mura_core.training.inference import evaluate_run

    loaded = load_ensemble(result.folder, parsed)
    if not write_ensemble_split(loaded, config):
        return  # members trained on data without a MURA split
    evaluation = evaluate_run(
        loaded,
        result.folder,
        parsed.full_name,
        config.data_root,
        subset="test",
        batch_size=config.batch_size,
        seed=config.seed,
    )
    result.evaluation, result.uncovered = evaluation.evaluation, evaluation.uncovered
    update_run_json(
        result.folder.run_json,
        evaluated_members=sorted(loaded.members),
        uncovered=len(evaluation.uncovered),
        notes=loaded.notes,
    )
