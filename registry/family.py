"""What a plugin registers: model families and named presets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from registry.grammar import KEY_PATTERN, FamilySpec

#: Input normalisation a family expects, in the modes of
#: ``keras.applications.imagenet_utils.preprocess_input`` plus ``"unit"`` (pixels / 255).
Preprocessing = Literal["unit", "tf", "torch", "caffe"]

#: ``builder(spec, **options) -> keras.Model``; it imports Keras itself, when called.
Builder = Callable[..., Any]


@dataclass(frozen=True)
class Family:
    """A model family: the grammar of its names and how to build its models.

    Args:
        name: the family prefix of every name (``cnn``, ``densenet201``).
        spec: the pydantic spec declaring the family's tokens.
        builder: ``builder(spec, **options)`` returning an uncompiled Keras model.
        summary: one line for listings.
        preprocessing: the input normalisation the family's models expect.
        options: build options that are not part of the name (e.g. ``weights``).
        example: a valid model name of this family, used by listings and docs.
        tags: free-form labels (``pretrained``, ``custom``, ...).
    """

    name: str
    spec: type[FamilySpec]
    builder: Builder
    summary: str
    example: str
    preprocessing: Preprocessing = "unit"
    options: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.name):
            raise ValueError(f"family name {self.name!r} must be lowercase letters and digits")
        if not issubclass(self.spec, FamilySpec):
            raise TypeError(f"family {self.name!r}: spec must subclass registry.FamilySpec")


@dataclass(frozen=True)
class Preset:
    """A named model or run worth listing, such as one the report trained.

    Args:
        name: a model name or a run name (model name plus ``__`` suffix).
        alias: a short human name (``report_cnn6_wc_aug``), accepted wherever names are.
        summary: one line for listings.
        tags: labels for ``list_models(tag=...)``; the report's runs carry ``seed``.
        metrics: reported results, e.g. ``{"kappa": 0.527, "auc": 0.832}``.
        metrics_source: where the figures come from, e.g. ``"report, test set, image level"``.
    """

    name: str
    alias: str | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    metrics: Mapping[str, float] = field(default_factory=dict)
    metrics_source: str = ""
    plugin: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {
            "name": self.name,
            "alias": self.alias,
            "summary": self.summary,
            "tags": list(self.tags),
            "metrics": dict(self.metrics),
            "metrics_source": self.metrics_source,
        }
