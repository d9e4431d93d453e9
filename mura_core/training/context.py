"""What a training run is: its resolved name, its settings and its folder.

:class:`TrainConfig` holds every setting of ``mura train``; :class:`RunContext` is the
resolved run handed to callback factories and to plugins' ``extend_callbacks`` hook.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mura_core.errors import InputProblems, MuraError
from mura_core.runs.layout import RunFolder
from mura_core.vocabulary import STRATEGIES, WEIGHTINGS, Strategy, Weighting
from registry.recipes import MONITORS
from registry.weights import DEFAULT_WEIGHTS

if TYPE_CHECKING:
    from mura_core.data.sources import DataRoot
    from registry import ParsedName, RunOptions

__all__ = [
    "RunContext",
    "TrainConfig",
    "check_family",
    "check_inputs",
    "check_runs",
    "refuse_ensemble",
    "resolve_run_name",
]


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run. Run options (class weights, augmentation, body part)
    come from the name's suffix or from the flags, never both in disagreement.

    Attributes:
        name: model or run name, as given (a preset alias is accepted), or its parse
            (:class:`registry.ParsedName`: the name is not parsed again).
        data_root: the data root (for MURA, the folder holding ``MURA-v1.1`` or that
            folder), read with the dataset layout that recognises it.
        out: folder holding the run folders.
        epochs: maximum number of epochs (the report's 100).
        batch_size: images per batch.
        learning_rate: Adam's learning rate (Keras' default, as the report).
        seed: seed of weights initialisation, shuffling and augmentation.
        weight_classes / augment / body_part: run-option flags (``None``: from the name).
        validation_fraction: share of MURA ``train`` patients held out for validation.
        class_weights: ``"balanced"`` over all images (the report) or ``"body_part"``
            (balanced within each body part, the MURA paper).
        patience: EarlyStopping patience, on ``monitor``.
        monitor: the validation metric early stopping watches (``val_loss``: the report).
        lr_factor: ReduceLROnPlateau's factor on ``val_loss`` plateaus (the report's 0.2;
            the MURA paper's 0.1).
        lr_patience: epochs without improvement before the rate drops (``None``: half of
            ``patience``, at least 1, so it acts before training stops).
        lr_min: the floor of the learning rate (the report's 0).
        sources: where each setting came from (``flag``, ``recipe`` or ``default``), as
            ``mura train`` resolves them; recorded in ``run.json``.
        jit_compile: XLA compilation (``"auto"`` lets Keras decide).
        mixed_precision: train under the ``mixed_float16`` policy (for GPUs).
        strategy: ``"default"`` or ``"mirrored"`` (``tf.distribute.MirroredStrategy``).
        cache: decoded-image cache: ``"memory"``, a file path, or ``None``.
        limit: use at most this many images per subset (quick experiments, tests).
        overwrite: retrain a run that is already complete.
        pretrained: starting weights of families that declare pretrained weights:
            ``"default"`` (the family's declared default for the name: ImageNet for
            DenseNet and ResNet, as the report; none for the custom CNNs), a source such as
            ``"imagenet"``, a weights file, or ``None`` (random).
        verbose: Keras progress output (0 silent, 1 bar, 2 one line per epoch).
        layout: the dataset layout of ``data_root`` (``None``: the one that recognises
            it; :mod:`mura_core.data.sources`).
    """

    name: str | ParsedName
    data_root: Path
    out: Path = Path("runs")
    epochs: int = 100
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 0
    weight_classes: bool | None = None
    augment: bool | None = None
    body_part: str | None = None
    validation_fraction: float = 0.2
    class_weights: Weighting = "balanced"
    patience: int = 10
    monitor: str = "val_loss"
    lr_factor: float = 0.2
    lr_patience: int | None = None
    lr_min: float = 0.0
    jit_compile: bool | Literal["auto"] = "auto"
    mixed_precision: bool = False
    strategy: Strategy = "default"
    cache: str | None = "memory"
    limit: int | None = None
    overwrite: bool = False
    pretrained: str | None = DEFAULT_WEIGHTS
    verbose: int = 2
    layout: str | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def plateau_patience(self) -> int:
        """ReduceLROnPlateau's patience: ``lr_patience``, or half of ``patience`` (>= 1)."""
        return max(1, self.patience // 2) if self.lr_patience is None else self.lr_patience

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_root", Path(self.data_root))
        object.__setattr__(self, "out", Path(self.out))
        if self.epochs < 1:
            raise MuraError(f"epochs must be at least 1 (got {self.epochs})")
        if self.batch_size < 1:
            raise MuraError(f"batch size must be at least 1 (got {self.batch_size})")
        if not 0 < self.learning_rate < math.inf:
            raise MuraError(f"learning rate must be positive and finite (got {self.learning_rate})")
        if self.patience < 0:
            raise MuraError(f"patience must be at least 0 (got {self.patience})")
        if not 0 < self.lr_factor < 1:
            raise MuraError(f"lr factor must be in (0, 1) (got {self.lr_factor})")
        if self.lr_patience is not None and self.lr_patience < 0:
            raise MuraError(f"lr patience must be at least 0 (got {self.lr_patience})")
        if not 0 <= self.lr_min < math.inf:
            raise MuraError(f"lr minimum must be at least 0 and finite (got {self.lr_min})")
        if self.monitor not in MONITORS:
            raise MuraError(
                f"unknown monitor {self.monitor!r} (expected one of {', '.join(MONITORS)})"
            )
        if self.limit is not None and self.limit < 1:
            raise MuraError(f"limit must be at least 1 image (got {self.limit})")
        if self.seed < 0:
            raise MuraError(f"seed must be at least 0 (got {self.seed})")
        if not 0 < self.validation_fraction < 1:
            raise MuraError(
                f"validation fraction must be in (0, 1) (got {self.validation_fraction})"
            )
        if self.strategy not in STRATEGIES:
            raise MuraError(
                f"unknown strategy {self.strategy!r} (expected one of {', '.join(STRATEGIES)})"
            )
        if self.class_weights not in WEIGHTINGS:
            raise MuraError(
                f"unknown class weighting {self.class_weights!r} "
                f"(expected one of {', '.join(WEIGHTINGS)})"
            )

    def data(self) -> DataRoot:
        """The data root with its dataset layout (a one-line error when none fits)."""
        from mura_core.data.sources import open_data

        return open_data(self.data_root, self.layout)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (paths as strings, a parsed name as its canonical name)."""
        values = asdict(self)
        values["name"] = str(self.name)
        values["data_root"] = str(self.data_root)
        values["out"] = str(self.out)
        return values


def resolve_run_name(
    name: str | ParsedName,
    *,
    weight_classes: bool | None = None,
    augment: bool | None = None,
    body_part: str | None = None,
    seed: int = 0,
) -> ParsedName:
    """Parse ``name`` (unless it is parsed already) and merge the run-option flags into it.

    Flags produce the run suffix. When the name already carries a suffix, flags that
    are given must say the same thing: ``model__wc --augment`` is a conflict. A seed
    other than 0 adds its token (``seed.1``) to the suffix, from the name or the flags;
    a name's seed token and another seed flag conflict.

    Raises:
        MuraError: the flags contradict the name's suffix.
        registry.InvalidNameError: the name does not parse.
    """
    import registry

    parsed = registry.parse(name) if isinstance(name, str) else name
    flags_given = bool(weight_classes) or bool(augment) or body_part is not None
    if body_part is not None:
        body_part = body_part.upper()
        if not body_part.startswith("XR_"):
            body_part = f"XR_{body_part}"
        if body_part not in registry.BODY_PARTS:
            expected = ", ".join(registry.BODY_PARTS)
            raise MuraError(f"unknown body part {body_part!r} (expected one of {expected})")
    from_flags = registry.RunOptions(
        weight_classes=bool(weight_classes), augment=bool(augment), body_part=body_part
    )
    if (
        parsed.run is not None
        and flags_given
        and parsed.run.model_copy(update={"seed": 0}) != from_flags
    ):
        raise MuraError(
            f"name suffix '__{parsed.run.suffix}' conflicts with the flags "
            f"(which give '{from_flags.suffix or 'no suffix'}'); use one or make them agree"
        )
    run = parsed.run if parsed.run is not None else from_flags
    if seed and run.seed and seed != run.seed:
        raise MuraError(
            f"name seed token 'seed.{run.seed}' conflicts with the seed flag {seed}; "
            "use one or make them agree"
        )
    run = run.model_copy(update={"seed": run.seed or seed})
    return type(parsed)(parsed.family, parsed.spec, None if run.is_default else run)


@dataclass
class RunContext:
    """A resolved training run, as callback factories and plugins see it.

    Attributes:
        parsed: the parsed run name (family, spec, run options).
        config: the run's settings.
        folder: where its artifacts go.
        model: the compiled Keras model, once built.
        notes: remarks recorded in ``run.json`` (e.g. an artifact that was skipped).
        weights: the checked starting weights (a source, a file, or ``None``).
        provider: the plugin, distribution and version providing the family.
    """

    parsed: ParsedName
    config: TrainConfig
    folder: RunFolder
    model: Any = None
    notes: list[str] = field(default_factory=list)
    weights: str | None = None
    provider: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Canonical run name: model name plus ``__`` suffix (the folder's name)."""
        return self.parsed.full_name

    @property
    def model_name(self) -> str:
        """Canonical model name, without run suffix."""
        return self.parsed.model_name

    @property
    def options(self) -> RunOptions:
        """The run options (class weights, augmentation, body part)."""
        import registry

        return self.parsed.run or registry.RunOptions()


def check_family(parsed: ParsedName, pretrained: str | None) -> tuple[Any, dict[str, Any]]:
    """The run's starting weights and its family's provider, checked before anything is
    written: weights the family does not take or that do not fit its input, and models
    too large to build, are refused in one line."""
    import registry

    reg = registry.get_registry()
    reg.check_size(parsed)
    return reg.resolve_weights(parsed, pretrained), reg.provider(parsed.family.name)


def refuse_ensemble(parsed: ParsedName) -> None:
    """Refuse an ensemble name where one run is trained.

    Raises:
        MuraError: ``parsed`` is an ensemble's name.
    """
    if parsed.is_ensemble:
        raise MuraError(f"{parsed.full_name} is an ensemble: train it with train_ensemble")


def check_inputs(config: TrainConfig, parsed: ParsedName, *, data_root: bool = True) -> None:
    """Check what a run of ``parsed`` would refuse (an ensemble name, flags that
    contradict its suffix, its weights and size, and with ``data_root`` the data root),
    in that order, writing nothing and importing no TensorFlow, so that a refusal is
    immediate.

    Raises:
        MuraError: an input the run would refuse.
    """
    refuse_ensemble(parsed)
    resolve_run_name(parsed, weight_classes=config.weight_classes, augment=config.augment,
                     body_part=config.body_part, seed=config.seed)  # fmt: skip
    check_family(parsed, config.pretrained)
    if data_root:
        config.data()


def check_runs(configs: Sequence[TrainConfig], *, data_root: bool = True) -> None:
    """:func:`check_inputs` for every run of a sweep or an ensemble's members, before the
    first starts or any folder is written: every problem is reported, one line each
    (and with ``data_root``, the shared data root once).

    Raises:
        InputProblems: one line per refused run.
    """
    import registry

    problems = []
    for config in configs:
        try:
            parsed = registry.parse(config.name) if isinstance(config.name, str) else config.name
            check_inputs(config, parsed, data_root=False)
        except (MuraError, registry.RegistryError) as error:
            problems.append(InputProblems.line(str(config.name), error))
    if data_root and configs:
        try:
            configs[0].data()
        except MuraError as error:
            problems.append(str(error))
    if problems:
        raise InputProblems(problems, "refused run")
