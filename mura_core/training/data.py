"""The data a training run consumes: the patient-level split and its tf.data pipelines.

A *data factory* is any callable ``factory(run) -> RunData``; :func:`mura_data` (the
default) loads MURA from ``run.config.data_root`` through :mod:`mura_core.data`, splits
it by patient and builds the pipelines.
Pass another factory to :class:`~mura_core.training.runner.Runner` to train on other
data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mura_core.errors import MuraError

if TYPE_CHECKING:
    from mura_core.training.context import RunContext

__all__ = ["DataFactory", "RunData", "is_dataset", "limit_rows", "load_split", "mura_data"]


@dataclass
class RunData:
    """Training and validation inputs of a run, and how they were drawn.

    Attributes:
        train: batches of ``(images, labels)`` or ``(images, labels, weights)``.
        validation: validation batches, in a fixed order.
        class_weight: ``{0: w, 1: w}`` for ``fit(class_weight=...)``, or ``None``.
        split: the patient-level split (a :class:`~mura_core.data.split.DataSplit`); the
            runner writes its manifest to ``split.csv`` and records its hash.
        counts: images per subset.
        extra: anything else worth recording in ``run.json``.
    """

    train: Any
    validation: Any
    class_weight: dict[int, float] | None = None
    split: Any = None
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def split_hash(self) -> str | None:
        """SHA-256 of the split manifest, when there is a split."""
        return None if self.split is None else self.split.manifest_hash()


#: Where a run's batches come from, as ``factory(run) -> RunData``.
DataFactory = Callable[["RunContext"], RunData]


def is_dataset(value: Any) -> bool:
    """True for a ``tf.data.Dataset`` (which shuffles itself), False for arrays."""
    import tensorflow as tf

    return isinstance(value, tf.data.Dataset)


def limit_rows(frame: pd.DataFrame, limit: int | None, seed: int) -> pd.DataFrame:
    """At most ``limit`` rows, whole studies, drawn by ``seed`` (all rows without limit)."""
    if limit is None or len(frame) <= limit:
        return frame
    studies = frame["study"].drop_duplicates().sample(frac=1.0, random_state=seed)
    sizes = frame.groupby("study").size().loc[studies.to_numpy()]
    keep = set(sizes.index[sizes.cumsum() <= limit]) or {studies.iloc[0]}
    return frame[frame["study"].isin(keep)].reset_index(drop=True)


def load_split(run: RunContext):
    """Load the data of ``run`` (with its dataset layout) and split it by patient (a
    :class:`~mura_core.data.DataSplit`)."""
    from mura_core.data.split import DataSplit, split_by_patient

    config = run.config
    body_part = run.options.body_part
    dataset = config.data().load(body_parts=body_part)
    frame = dataset.frame
    if frame.empty:
        scope = f" for {body_part}" if body_part else ""
        raise MuraError(f"no usable images under {config.data_root}{scope}")
    split = split_by_patient(
        frame, validation_fraction=config.validation_fraction, seed=config.seed
    )
    if config.limit is not None:
        split = DataSplit(
            train=limit_rows(split.train, config.limit, config.seed),
            validation=limit_rows(split.validation, config.limit, config.seed),
            test=limit_rows(split.test, config.limit, config.seed),
            seed=split.seed,
            validation_fraction=split.validation_fraction,
        )
    for subset, rows in split.subsets.items():
        if subset != "test" and rows.empty:
            raise MuraError(
                f"the {subset} set is empty: {config.data_root} has too few patients"
                + (f" for {body_part}" if body_part else "")
            )
    return split


def mura_data(run: RunContext) -> RunData:
    """The default data factory: MURA, split by patient, through the project's pipeline."""
    from mura_core.data.class_weights import class_weights, sample_weights
    from mura_core.data.pipeline import pipeline_for_model

    config = run.config
    split = load_split(run)
    weights = None
    class_weight = None
    if run.options.weight_classes:
        if config.class_weights == "body_part":
            weights = sample_weights(split.train, "body_part")
        else:
            class_weight = class_weights(split.train)
    cache = config.cache
    train = pipeline_for_model(
        run.parsed,
        split.train,
        training=True,
        batch_size=config.batch_size,
        augment=run.options.augment,
        sample_weights=weights,
        cache=cache,
        seed=config.seed,
    )
    validation = pipeline_for_model(
        run.parsed,
        split.validation,
        training=False,
        batch_size=config.batch_size,
        cache=cache,
    )
    counts = {subset: len(rows) for subset, rows in split.subsets.items()}
    extra = {"class_weight": class_weight, "class_weights_mode": config.class_weights}
    return RunData(train, validation, class_weight, split, counts, extra)
