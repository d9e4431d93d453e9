"""The training runner: a run name and a data root in, a complete run folder out.

>>> from mura_core.training import train                                # doctest: +SKIP
>>> result = train(
...     "cnn_in.64.64.1_cl.3.1_f.16_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25__aug",
...     data_root="data", epochs=5,
... )
>>> result.folder.path, result.evaluation.study.kappa

The set-up is the report's: Adam, binary cross-entropy, metrics ``auc``, ``accuracy``
and ``kappa``, the callbacks of :func:`~mura_core.training.callbacks.default_callbacks`
(early stopping, learning-rate reduction, best-only checkpoints, TensorBoard, history,
backup). Running the same command again after an interruption resumes from the last
finished epoch, or finishes the evaluation of a run whose training finished
(``mura_core.training.resume``); a complete run is refused unless ``overwrite`` is
set, which keeps the old artifacts aside until the new run's first checkpoint
(``mura_core.runs.aside``). The run folder is locked while a process trains in it
(:mod:`~mura_core.runs.lock`).
"""

from __future__ import annotations

import shutil
import sys
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from mura_core.errors import MuraError
from mura_core.evaluation import Evaluation
from mura_core.outputs import check_links
from mura_core.runs.artifacts import (
    progress_record,
    read_history,
    read_run_json,
    update_run_json,
    write_training_graph,
)
from mura_core.runs.aside import (
    discard_aside,
    new_run_has_checkpoint,
    recover_aside,
    restore_aside,
    set_aside,
)
from mura_core.runs.identity import record_identity
from mura_core.runs.layout import RunFolder, WeightsFile
from mura_core.runs.lock import RunLock
from mura_core.timestamps import utc_now
from mura_core.training.callbacks import (
    CallbackFactory,
    EpochObserver,
    EpochObserverCallback,
    default_callbacks,
    make_callbacks,
)
from mura_core.training.commits import reconcile, release
from mura_core.training.context import (
    RunContext,
    TrainConfig,
    check_family,
    check_inputs,
    refuse_ensemble,
    resolve_run_name,
)
from mura_core.training.data import DataFactory, is_dataset, mura_data
from mura_core.training.estimate import EpochEstimate
from mura_core.training.precision import precision_policy
from mura_core.training.records import record_session, write_split, write_start
from mura_core.training.resume import (
    RESUME_KEYS,
    check_resumable,
    discard_aside_after_first_epoch,
)
from mura_core.training.settling import warn_unsettled
from mura_core.training.setup import compile_model
from mura_core.training.strategy import distribution_strategy

__all__ = ["RESUME_KEYS", "EpochObserver", "Runner", "TrainResult", "compile_model", "train"]


@dataclass
class TrainResult:
    """What a finished run produced."""

    run: RunContext
    model: Any
    history: pd.DataFrame
    best: WeightsFile | None
    evaluation: Evaluation | None
    resumed_from: int
    seconds: float

    @property
    def folder(self) -> RunFolder:
        return self.run.folder

    @property
    def name(self) -> str:
        return self.run.name


class Runner:
    """Train one named run into its run folder.

    Args:
        config: the run's settings.
        callbacks: the callback factory (:func:`default_callbacks` unless replaced);
            plugins' ``extend_callbacks`` hooks run after it.
        data: the data factory (:func:`~mura_core.training.data.mura_data` by default).
        evaluate: evaluate the best weights on the test set after training.
        on_epoch: called as ``on_epoch(epoch, logs)`` once each epoch is committed (after
            every other callback), e.g. to report validation metrics to a sweep's scheduler.
        folder: the run folder (default: the run's folder under ``config.out``; an
            ensemble gives its members ``members/<KEY>``).
        initial_weights: a weights file loaded before the first epoch (warm start);
            a resumed run continues from its own state instead.
    """

    def __init__(
        self,
        config: TrainConfig,
        *,
        callbacks: CallbackFactory = default_callbacks,
        data: DataFactory = mura_data,
        evaluate: bool = True,
        on_epoch: EpochObserver | None = None,
        folder: str | Path | None = None,
        initial_weights: str | Path | None = None,
    ) -> None:
        self.config = config
        self.callbacks = callbacks
        self.data = data
        self.evaluate = evaluate
        self.on_epoch = on_epoch
        self.folder = None if folder is None else Path(folder)
        self.initial_weights = initial_weights
        self._resolved: Any = None  # the parsed run name, once resolved

    def _folder(self, parsed: Any) -> RunFolder:
        if self.folder is not None:
            return RunFolder(self.folder)
        return RunFolder.for_run(self.config.out, parsed.full_name)

    # -- preparation ---------------------------------------------------------------

    def check(self, *, data_root: bool = True) -> None:
        """Check the name, its family's weights and size, and (with ``data_root``) the
        data root, writing nothing (a sweep checks every run so before the first starts).

        Raises:
            MuraError: an input the run would refuse.
        """
        check_inputs(self.config, self._parsed(), data_root=data_root and self.data is mura_data)

    def prepare(self) -> RunContext:
        """Resolve the run name and its folder; check every input before touching it.

        Refuses a complete run, a run that cannot be resumed and changed settings (see
        ``mura_core.training.resume``); with ``overwrite``, moves the old artifacts
        aside (``mura_core.runs.aside``) once the name, flags and data root are valid.
        """
        parsed = self._parsed()
        config = self.config
        weights, provider = check_family(parsed, config.pretrained)
        folder = self._folder(parsed)
        if self.data is mura_data:
            config.data()  # a mistyped --data fails before anything moves
        note = recover_aside(folder)
        if note:
            print(f"mura: note: {note}", file=sys.stderr)
        if config.overwrite:
            set_aside(folder)
        else:
            check_resumable(folder, read_run_json(folder.run_json), config, parsed.full_name)
        return RunContext(
            parsed=parsed, config=config, folder=folder, weights=weights, provider=provider
        )

    # -- the run -------------------------------------------------------------------

    def run(self) -> TrainResult:
        """Train (or resume, or finish) the run, reload its best weights, write every artifact.

        The run folder is locked (:class:`~mura_core.runs.lock.RunLock`) throughout.
        """
        started = time.perf_counter()
        parsed = self._parsed()
        check_family(parsed, self.config.pretrained)  # refused before the folder is locked
        folder = self._folder(parsed)
        check_links(folder.path)  # every file is written by a fixed name inside the folder
        created = not folder.path.exists()
        with RunLock(folder.path):
            try:
                run = self.prepare()
            except BaseException:
                if created:  # leave no folder holding only the lock
                    shutil.rmtree(folder.path, ignore_errors=True)
                raise
            if read_run_json(run.folder.run_json).get("status") == "trained":
                model, committed = self._reload_trained(run)
            else:
                model, committed = self._train(run, created)
            return self._finish(run, model, committed, started)

    def _parsed(self) -> Any:
        """The run's name, resolved once (with the flags' run options and seed)."""
        if self._resolved is not None:
            return self._resolved
        config = self.config
        parsed = resolve_run_name(
            config.name,
            weight_classes=config.weight_classes,
            augment=config.augment,
            body_part=config.body_part,
            seed=config.seed,
        )
        refuse_ensemble(parsed)
        seed = parsed.run.seed if parsed.run else 0
        if seed != config.seed:  # the name's seed token is the run's seed
            self.config = replace(config, seed=seed)
        self._resolved = parsed
        return parsed

    @staticmethod
    def _reload_trained(run: RunContext) -> tuple[Any, int]:
        """The model of a run whose training finished but whose evaluation did not."""
        from mura_core.runs.loading import load_parsed_run

        release(run.folder)  # left by a kill after training was recorded
        model = load_parsed_run(run.folder, run.parsed).model
        run.model = model
        history = read_history(run.folder.history)
        return model, int(history["epoch"].max()) if len(history) else 0

    @staticmethod
    def _abandon(run: RunContext, created: bool) -> None:
        """After a failure: leave no empty folder; put back what an overwrite set aside
        unless the new run has a checkpoint of its own."""
        if created:
            shutil.rmtree(run.folder.path, ignore_errors=True)
        elif new_run_has_checkpoint(run.folder):
            discard_aside(run.folder)
        else:
            restore_aside(run.folder)

    def _train(self, run: RunContext, created: bool) -> tuple[Any, int]:
        """Start (or resume) training and fit; returns the model and the resumed epoch."""
        import keras

        config = run.config
        keras.utils.set_random_seed(config.seed)
        with precision_policy(config.mixed_precision) as policy:
            try:
                strategy = distribution_strategy(config.strategy)
                data = self.data(run)
                with strategy.scope():
                    model = self._build(run)
                self._warm_start(run, model)
                run.model = model
                # plugins' hooks run before anything is written: a failing one leaves no trace
                callbacks = make_callbacks(run, self.callbacks)
                callbacks.append(discard_aside_after_first_epoch(run.folder))
                callbacks.append(EpochEstimate())
                if self.on_epoch is not None:
                    callbacks.append(EpochObserverCallback(self.on_epoch))
                run.folder.path.mkdir(parents=True, exist_ok=True)
                write_split(run, data)
                committed = reconcile(run.folder)
                write_start(run, data, policy, strategy, committed)
                run.folder.write_name(run.name)
                record_identity(run.folder, model)
            except BaseException:
                self._abandon(run, created)
                raise
            warn_unsettled(model, data, config.batch_size, config.epochs)
            fit_started = time.perf_counter()
            try:
                model.fit(
                    data.train,
                    validation_data=data.validation,
                    epochs=config.epochs,
                    class_weight=data.class_weight,
                    callbacks=callbacks,
                    verbose=config.verbose,
                    shuffle=not is_dataset(data.train),  # tf.data input shuffles itself
                )
            except BaseException:
                record_session(run, committed, fit_started, status="interrupted")
                self._abandon(run, created=False)  # the folder keeps its resumable state
                raise
            record_session(run, committed, fit_started, status="trained")
        release(run.folder)  # after the record: a kill in between still finds the state
        discard_aside(run.folder)
        return model, committed

    def _finish(self, run: RunContext, model: Any, committed: int, started: float) -> TrainResult:
        """Reload the best weights, draw the curves, evaluate, mark the run complete."""
        best = run.folder.best_weights()
        if best is not None:
            model.load_weights(str(best.path))
        history = read_history(run.folder.history)
        write_training_graph(history, run.folder.training_graph, title=run.name)
        evaluation = None
        if self.evaluate:
            evaluation = self._evaluate(run, model)
        update_run_json(run.folder.run_json, status="complete", finished=utc_now(),
                        **progress_record(run.folder.path), notes=run.notes)  # fmt: skip
        return TrainResult(
            run=run,
            model=model,
            history=history,
            best=best,
            evaluation=evaluation,
            resumed_from=committed,
            seconds=time.perf_counter() - started,
        )

    def _warm_start(self, run: RunContext, model: Any) -> None:
        """Load the initial weights (a resumed run's own state replaces them)."""
        if self.initial_weights is None:
            return
        try:
            with warnings.catch_warnings():
                # A checkpoint carries its run's optimizer state; a warm start keeps only
                # the model's weights and fine-tunes with a fresh optimizer, on purpose.
                warnings.filterwarnings("ignore", "Skipping variable loading for optimizer")
                model.load_weights(str(self.initial_weights))
        except (ValueError, OSError, KeyError) as error:
            raise MuraError(
                f"warm start: weights {Path(self.initial_weights).name} do not fit "
                f"{run.model_name}: {str(error).strip().splitlines()[0]}"
            ) from error
        if f"initialised from {self.initial_weights}" not in run.notes:
            run.notes.append(f"initialised from {self.initial_weights}")

    def _build(self, run: RunContext) -> Any:
        import registry

        model = registry.build(run.parsed, weights=run.weights)
        return compile_model(
            model,
            learning_rate=run.config.learning_rate,
            jit_compile=run.config.jit_compile,
        )

    def _evaluate(self, run: RunContext, model: Any) -> Evaluation | None:
        from mura_core.inference import evaluate_run

        if not run.folder.split.exists():
            return None  # a custom data factory without a MURA split
        if not _has_test_set(run.folder.split):
            note = "not evaluated: the data has no test set (no valid studies); " \
                   "mura evaluate --subset validation scores the held-out patients"  # fmt: skip
            if note not in run.notes:
                run.notes.append(note)
            return None
        started = time.perf_counter()
        result = evaluate_run(
            model,
            run.folder,
            run.parsed,
            run.config.data(),
            subset="test",
            batch_size=run.config.batch_size,
            seed=run.config.seed,
        )
        info = read_run_json(run.folder.run_json)
        timings = info.get("timings", {})
        timings["evaluation_seconds"] = round(time.perf_counter() - started, 3)
        update_run_json(run.folder.run_json, timings=timings)
        return result.evaluation


def _has_test_set(manifest: Path) -> bool:
    """True when the split manifest lists a test image."""
    return bool((pd.read_csv(manifest, usecols=["subset"])["subset"] == "test").any())


def train(
    name: str,
    data_root: str | Path,
    *,
    callbacks: CallbackFactory = default_callbacks,
    data: DataFactory = mura_data,
    evaluate: bool = True,
    **settings: Any,
) -> TrainResult:
    """Train the run ``name`` on the MURA tree at ``data_root``.

    ``settings`` are :class:`TrainConfig` fields (``epochs``, ``batch_size``, ``out``...).
    """
    config = TrainConfig(name=name, data_root=Path(data_root), **settings)
    return Runner(config, callbacks=callbacks, data=data, evaluate=evaluate).run()
