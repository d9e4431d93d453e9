"""Training an ensemble run: each member a single run in ``members/<KEY>/``.

>>> from mura_core.ensembles import train_ensemble                      # doctest: +SKIP
>>> train_ensemble(TrainConfig(name="parts_m(cnn_...)_bp.WRIST.HAND_c.avg__wc_aug",
...                            data_root="data", epochs=5))

The members are the runs of a sweep (:func:`~mura_core.sweeps.run_sweep`): one after
the other in this process, or as parallel Ray Tune trials. Each trains through the
:class:`~mura_core.training.runner.Runner` into its own folder, with all of a single
run's artifacts, its own lock, resume and overwrite rules: re-running the command skips
complete members, trains a missing one (a member folder deleted), resumes an interrupted
one from its last epoch and retries a failed one; a failed member does not stop the
others. ``members`` trains a subset. The ensemble is trained only when every selected
member is complete: then it is refused, unless ``overwrite`` trains every selected member
again (:func:`refuse_if_trained`). With warm start, every member starts from the best
weights of the all-parts run the ensembler names (a missing run is refused before
anything is trained). Once members are trained, the ensemble (its complete members) is
evaluated on the test set of its body parts; ``run.json`` records its members, their
status and the rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mura_core.ensembles.interface import Member, ensembler_of
from mura_core.ensembles.loading import load_ensemble, member_status
from mura_core.errors import MuraError
from mura_core.outputs import check_links
from mura_core.runs.artifacts import read_run_json, update_run_json
from mura_core.runs.layout import RunFolder
from mura_core.runs.lock import RunLock
from mura_core.sweeps.trial import Trial
from mura_core.timestamps import utc_now
from mura_core.training.context import TrainConfig, check_family, check_runs, resolve_run_name
from mura_core.versions import package_versions
from registry.weights import DEFAULT_WEIGHTS, NO_WEIGHTS

if TYPE_CHECKING:
    from mura_core.evaluation import Evaluation
    from mura_core.sweeps import Outcome, RayOptions, SweepRecord
    from mura_core.training.callbacks import CallbackFactory
    from mura_core.training.data import DataFactory
    from mura_core.vocabulary import Engine
    from registry import ParsedName

__all__ = [
    "EnsembleResult",
    "member_settings",
    "refuse_if_trained",
    "select_members",
    "train_ensemble",
    "trained_members",
    "warm_start_weights",
]


@dataclass
class EnsembleResult:
    """What an ensemble run produced: each member's outcome (by key), the members that
    failed and the evaluation."""

    name: str
    folder: RunFolder
    members: dict[str, str]
    failed: list[str] = field(default_factory=list)
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
    """The members named by ``keys`` (``XR_WRIST`` or ``WRIST``; all when ``None``).

    Raises:
        MuraError: no key, an empty key, or a key naming no member.
    """
    if keys is None:
        return members
    by_key = {member.key: member for member in members}
    if not keys or not all(isinstance(key, str) and key.strip() for key in keys):
        raise MuraError(
            f"an empty member selection ({list(keys)!r}); name members "
            f"({', '.join(by_key)}) or select none for all"
        )
    chosen = []
    for key in keys:
        key = key.strip()
        found = by_key.get(key) or by_key.get(f"XR_{key.upper()}")
        if found is None:
            raise MuraError(f"no member {key!r} in this ensemble (members: {', '.join(by_key)})")
        if found not in chosen:
            chosen.append(found)
    return chosen


def warm_start_weights(parsed: ParsedName, config: TrainConfig) -> Path | None:
    """The best weights of the run the ensembler warm-starts from (``None``: no warm start),
    in the runs folder of ``config``.

    Raises:
        MuraError: that run has no trained weights there; the message gives the complete
            command that trains it.
    """
    source = ensembler_of(parsed).warm_start(parsed)
    if source is None:
        return None
    folder = RunFolder.for_run(config.out, source)
    best = folder.best_weights() if folder.path.is_dir() else None
    if best is None:
        raise MuraError(
            f"warm start needs the trained run {source} in {config.out}; train it first "
            f"({_train_command(source, config)})"
        )
    return best.path


def _train_command(source: str, config: TrainConfig) -> str:
    """The ``mura train`` command of the warm-start run ``source``, with the starting
    weights it needs (``--pretrained none`` when its family's default would be refused)."""
    import shlex

    import registry

    command = ["mura", "train", source, "--data", str(config.data_root), "--runs", str(config.out)]
    try:
        check_family(registry.parse(source), config.pretrained)
    except (MuraError, registry.RegistryError):
        return shlex.join([*command, "--pretrained", NO_WEIGHTS])
    if config.pretrained is None:
        command += ["--pretrained", NO_WEIGHTS]
    elif config.pretrained != DEFAULT_WEIGHTS:
        command += ["--pretrained", config.pretrained]
    return shlex.join(command)


def member_settings(parsed: ParsedName, config: TrainConfig, warm: Path | None) -> TrainConfig:
    """The settings every member trains with: the ensemble's, without its run-option flags
    (the members' names carry them); warm-started members start from the warm-start
    run's weights, not from pretrained ones.

    Raises:
        MuraError: ``--pretrained`` asks for weights that a warm start would replace.
    """
    common = replace(config, weight_classes=None, augment=None, body_part=None, seed=0)
    if warm is None:
        return common
    if config.sources.get("pretrained") == "flag" and config.pretrained not in (
        None, DEFAULT_WEIGHTS
    ):  # fmt: skip
        raise MuraError(
            f"the members of {parsed.full_name} start from the weights of its warm-start run; "
            f"--pretrained {config.pretrained} does not apply (drop it)"
        )
    return replace(common, pretrained=None)


def trained_members(folder: RunFolder, chosen: Sequence[Member]) -> list[str]:
    """Keys of the ``chosen`` members that are trained: complete in their own folder and
    recorded complete by the ensemble's last ``mura train``."""
    info = read_run_json(folder.run_json)
    if info.get("status") not in ("complete", "partial"):
        return []  # never finished (or interrupted): the sweep skips what is complete
    listed = info.get("members")
    recorded = {item.get("key"): item.get("status") for item in
                (listed if isinstance(listed, list) else []) if isinstance(item, dict)}  # fmt: skip
    return [member.key for member in chosen
            if recorded.get(member.key) == "complete"
            and member_status(folder.member(member.key)) == "complete"]  # fmt: skip


def refuse_if_trained(
    folder: RunFolder, parsed: ParsedName, chosen: Sequence[Member], *, whole: bool
) -> None:
    """Refuse to train again an ensemble whose selected members are all trained: it is
    complete only when every selected member is (a deleted member folder is missing, and
    the same command trains it and nothing else).

    Raises:
        MuraError: every selected member is trained (use ``--overwrite``).
    """
    trained = trained_members(folder, chosen)
    if len(trained) < len(chosen):
        return
    plural = "s" if len(trained) > 1 else ""
    what = "" if whole else f" (member{plural} {', '.join(trained)})"
    raise MuraError(
        f"run {parsed.full_name}{what} is already trained in {folder.path} "
        "(use --overwrite to train it again)"
    )


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
        created=previous.get("created", utc_now()),
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


def _member_trials(
    folder: RunFolder, members: list[Member], common: TrainConfig, warm: Path | None
) -> list[Trial]:
    """Each member as a sweep trial: the ``common`` settings named by the member's parsed
    run name, its folder, the warm-start weights."""
    start = None if warm is None else str(warm)
    return [Trial(replace(common, name=member.name), str(folder.member(member.key).path), start)
            for member in members]  # fmt: skip


def _member_outcome(item: SweepRecord) -> str:
    """What became of one member, as ``mura train`` prints it."""
    if item.status == "skipped":
        return "complete (skipped)"
    if item.status != "complete":
        return f"{item.status}: {item.error}" if item.error else item.status
    resumed = read_run_json(Path(item.folder) / "run.json").get("resumed_from_epoch")
    return f"trained (resumed after epoch {resumed})" if resumed else "trained"


def train_ensemble(
    config: TrainConfig,
    *,
    members: Sequence[str] | None = None,
    engine: Engine = "local",
    ray: RayOptions | None = None,
    progress: Callable[[Outcome], None] | None = None,
    notes: Callable[[str], None] | None = None,
    callbacks: CallbackFactory | None = None,
    data: DataFactory | None = None,
    evaluate: bool = True,
) -> EnsembleResult:
    """Train the ensemble ``config.name`` (its members, or those named by ``members``).

    The members are the runs of a sweep (:func:`~mura_core.sweeps.run_sweep`) on
    ``engine``: ``local``, one after the other in this process, or ``ray``, as parallel
    Ray Tune trials placed by ``ray``; ``progress`` hears of each member's outcome,
    ``notes`` of the engine's start-up. A member that fails is recorded as failed (in
    the ``failed`` of its :class:`EnsembleResult`) and the others go on. ``callbacks`` and ``data``
    replace the runner's factories (local engine only).

    Every member's settings are checked (:func:`~mura_core.training.context.check_runs`)
    before the ensemble's folder is written.

    Raises:
        MuraError: a complete ensemble without ``overwrite``, an unknown member, a
            missing warm-start run, or members that would be refused (one line each).
    """
    from mura_core.sweeps import run_sweep
    from mura_core.sweeps.cluster import engine_session

    started = time.perf_counter()
    parsed = resolve_ensemble(config)
    specs = ensembler_of(parsed).members(parsed)
    chosen = select_members(specs, members)
    folder = RunFolder.for_run(config.out, parsed.full_name)
    warm = warm_start_weights(parsed, config)
    trials = _member_trials(folder, chosen, member_settings(parsed, config, warm), warm)
    # every member's weights, size and flags, and the data root, before any folder is written
    check_runs([trial.config for trial in trials], data_root=data is None)
    if not config.overwrite:
        refuse_if_trained(folder, parsed, chosen, whole=members is None)
    runner = {key: value for key, value in (("callbacks", callbacks), ("data", data)) if value}
    check_links(folder.path)
    with engine_session(engine, ray, notes), RunLock(folder.path):  # joined before any write
        folder.write_name(parsed.full_name)
        _record_start(folder, parsed, config)
        records = run_sweep(trials, evaluate=evaluate,
                            engine=engine, ray=ray, progress=progress, notes=notes,
                            runner_options=runner)  # fmt: skip
        outcomes = {member.key: _member_outcome(item) for member, item in zip(chosen, records)}
        failed = [member.key for member, item in zip(chosen, records) if item.status == "failed"]
        record = _member_record(folder, specs)
        done = all(item["status"] == "complete" for item in record)
        update_run_json(folder.run_json, members=record, status="complete" if done else "partial")
        result = EnsembleResult(parsed.full_name, folder, outcomes, failed=failed)
        if evaluate and any(item["status"] == "complete" for item in record):
            _evaluate(result, parsed, config)
        update_run_json(folder.run_json, finished=utc_now())
    result.seconds = time.perf_counter() - started
    return result


def _evaluate(result: EnsembleResult, parsed: ParsedName, config: TrainConfig) -> None:
    from mura_core.ensembles.split import write_ensemble_split
    from mura_core.inference import evaluate_run

    loaded = load_ensemble(result.folder, parsed)
    if not write_ensemble_split(loaded, config):
        return  # members trained on data without a MURA split
    evaluation = evaluate_run(
        loaded,
        result.folder,
        parsed,
        config.data(),
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
