"""What a plugin registers: model families and named presets.

A :class:`Family` declares everything the rest of the package needs to know about its
models, so nothing is guessed from a field name or an option string: the input shape
of a parsed name, the pretrained weights it accepts, a small example for tests, the
layer explanations use and, optionally, a parameter-count estimate. The declaration is
checked when the family registers (:meth:`Family.validate`); a bad one is that plugin's
load failure.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from registry.ensembling import EnsemblerProtocol
from registry.errors import BuildError
from registry.grammar import FamilySpec
from registry.recipes import Recipe
from registry.tokens import KEY_PATTERN
from registry.weights import DEFAULT_WEIGHTS, NO_WEIGHTS, Pretrained

#: Input normalisation a family expects: the modes of
#: ``keras.applications.imagenet_utils.preprocess_input`` (``tf``, ``torch``, ``caffe``),
#: ``unit`` (pixels / 255) and ``none`` (raw pixels in [0, 255], for models that
#: normalise inside their graph).
Preprocessing = Literal["unit", "tf", "torch", "caffe", "none"]
PREPROCESSING_MODES: tuple[str, ...] = typing.get_args(Preprocessing)

#: ``builder(spec, **options) -> keras.Model``; it imports Keras itself, when called.
Builder = Callable[..., Any]
#: ``(height, width, channels)`` of a parsed spec.
InputShape = tuple[int, int, int]
#: Where a family's pinned architectures are: a JSON file (a path or an
#: ``importlib.resources`` file) or a mapping of model names to fingerprints.
PinSource = Any


@dataclass(frozen=True)
class Family:
    """A model family: the grammar of its names and how to build its models.

    Args:
        name: the family prefix of every name (``cnn``, ``densenet201``).
        spec: the pydantic spec declaring the family's tokens.
        builder: ``builder(spec, **options)`` returning an uncompiled Keras model with
            one image input and one sigmoid output; families with ``pretrained`` weights
            also receive ``weights=`` (a source, a file path or ``None``).
        summary: one line for listings.
        example: a valid model name of this family, used by listings and docs.
        preprocessing: the input normalisation the family's models expect.
        options: build options that are not part of the name (passed to the builder).
        tags: free-form labels (``pretrained``, ``custom``, ...).
        input_shape: the spec field holding ``(height, width, channels)``, or a function
            ``spec -> (height, width, channels)``.
        pretrained: the pretrained weights the family accepts, which names they fit and
            what a name starts from by default (:class:`~registry.Pretrained`); ``None``:
            it takes none.
        test_example: the smallest name the family accepts (frozen backbone for
            pretrained families), built and trained one step by the conformance checks;
            defaults to ``example``.
        explain_layer: the layer Grad-CAM explains (a 4-D feature map), by name or as a
            function ``spec -> layer name``; ``None``: models cannot be explained.
        parameter_count: ``spec -> total parameters`` computed without building (or
            ``None`` when it cannot say); used to refuse models too large to build, and
            checked against real builds.
        ensemble: for a family whose spec embeds member names (a
            :class:`~registry.nesting.NestedName` token): the object that lists the
            members, combines them and loads its runs (an :class:`EnsemblerProtocol`,
            such as a ``mura_core.ensembles.Ensembler``). Required for such a family,
            refused for any other.
        pins: the pinned architectures of the family's examples and presets, which the
            conformance kit's ``fingerprint`` check compares with fresh builds: a JSON
            file (a path, or a file of ``importlib.resources.files``) or a mapping of
            canonical model names to fingerprints, as ``mura plugins pin`` writes them.
            ``None``: not pinned (the check is skipped).
    """

    name: str
    spec: type[FamilySpec]
    builder: Builder
    summary: str
    example: str
    preprocessing: Preprocessing = "unit"
    options: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    input_shape: str | Callable[[Any], InputShape] = "input_shape"
    pretrained: Pretrained | None = None
    test_example: str | None = None
    explain_layer: str | Callable[[Any], str] | None = None
    parameter_count: Callable[[Any], int | None] | None = None
    ensemble: EnsemblerProtocol | None = None
    pins: PinSource = field(default=None, compare=False)
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not KEY_PATTERN.match(self.name):
            raise ValueError(f"family name {self.name!r} must be lowercase letters and digits")
        if not (isinstance(self.spec, type) and issubclass(self.spec, FamilySpec)):
            raise TypeError(f"family {self.name!r}: spec must subclass registry.FamilySpec")

    @property
    def is_ensemble(self) -> bool:
        """True when the family's names embed member names."""
        return bool(self.spec.nested_fields())

    # -- declarations, applied to a parsed spec ---------------------------------------------

    def input_shape_of(self, spec: FamilySpec) -> InputShape:
        """``(height, width, channels)`` of the models ``spec`` describes."""
        if callable(self.input_shape):
            value = self.input_shape(spec)
        else:
            value = getattr(spec, self.input_shape)
        return tuple(int(item) for item in value)  # type: ignore[return-value]

    def explain_layer_of(self, spec: FamilySpec) -> str | None:
        """The name of the layer explanations use, or ``None`` when none is declared."""
        if self.explain_layer is None or isinstance(self.explain_layer, str):
            return self.explain_layer
        return self.explain_layer(spec)

    def estimate_parameters(self, spec: FamilySpec) -> int | None:
        """The declared parameter-count estimate, or ``None`` (none declared, or the
        function returns ``None`` for ``spec``)."""
        value = None if self.parameter_count is None else self.parameter_count(spec)
        return None if value is None else int(value)

    def check_weights(self, spec: FamilySpec, weights: Any) -> Any:
        """The ``weights`` value for the builder; a one-line :class:`BuildError` if refused.

        ``weights`` is a source, a file, ``None``, ``"default"`` (the declared default for
        ``spec``, :meth:`default_weights`) or ``"none"`` (no weights, as ``None``).
        """
        if isinstance(weights, str) and weights == DEFAULT_WEIGHTS:
            weights = self.default_weights(spec)
        elif isinstance(weights, str) and weights.lower() == NO_WEIGHTS:
            weights = None
        if self.pretrained is None:
            if weights is not None:
                raise BuildError(
                    f"family {self.name!r} takes no pretrained weights (asked for "
                    f"{os.fspath(weights)!r}); train it without --pretrained"
                )
            return None
        return self.pretrained.check(
            self.name, weights, spec, self.input_shape_of(spec)[2], self._input_field
        )

    def default_weights(self, spec: FamilySpec) -> str | None:
        """The weights source a model of ``spec`` starts from when none is asked for
        (the default its :class:`~registry.Pretrained` declares, if it fits ``spec``)."""
        if self.pretrained is None:
            return None
        return self.pretrained.default_for(spec, self.input_shape_of(spec)[2], self._input_field)

    @property
    def _input_field(self) -> str | None:
        """The spec field holding the input shape, when declared by name."""
        return self.input_shape if isinstance(self.input_shape, str) else None

    # -- validation at registration -----------------------------------------------------------

    def validate(self, parse: Callable[[str], Any], *, examples: bool = True) -> None:
        """Check the declaration; ``parse`` parses a name of this family into a ParsedName.

        ``examples=False`` leaves the examples for later (an ensemble's examples embed
        other families' names: they are checked once every family is registered).

        Raises:
            TypeError: a one-line reason, reported as the plugin's failure.
            ValueError: a one-line reason, reported as the plugin's failure.
        """
        if not callable(self.builder):
            raise TypeError(f"family {self.name!r}: builder must be callable")
        if self.preprocessing not in PREPROCESSING_MODES:
            raise ValueError(
                f"family {self.name!r}: preprocessing {self.preprocessing!r} is not one of "
                + ", ".join(PREPROCESSING_MODES)
            )
        if "weights" in self.options:
            raise ValueError(
                f"family {self.name!r}: declare pretrained weights with "
                "Family(pretrained=Pretrained(...)), not options=('weights',)"
            )
        if self.pretrained is not None and not isinstance(self.pretrained, Pretrained):
            raise TypeError(f"family {self.name!r}: pretrained must be a registry.Pretrained")
        if self.pretrained is not None:
            unknown = sorted(set(self.pretrained.requires) - set(self.spec.model_fields))
            if unknown:
                raise ValueError(
                    f"family {self.name!r}: Pretrained(requires=...) names {unknown[0]!r}, "
                    f"which is not a field of {self.spec.__name__}"
                )
        if self.is_ensemble != (self.ensemble is not None):
            raise ValueError(
                f"family {self.name!r}: "
                + ("its names embed member names; declare Family(ensemble=...)"
                   if self.is_ensemble else "ensemble= needs a spec with a NestedName token")
            )  # fmt: skip
        if self.ensemble is not None and not isinstance(self.ensemble, EnsemblerProtocol):
            raise TypeError(
                f"family {self.name!r}: ensemble= must have the methods of "
                "registry.EnsemblerProtocol (members, combination, load, warm_start)"
            )
        if not (
            self.pins is None
            or isinstance(self.pins, (str, os.PathLike, Mapping))
            or hasattr(self.pins, "read_text")
        ):
            raise TypeError(
                f"family {self.name!r}: pins must be a JSON file (a path or an "
                "importlib.resources file) or a mapping of model names to fingerprints"
            )
        if isinstance(self.input_shape, str):
            fields = {tf.field: tf for tf in self.spec.token_fields()}
            tf = fields.get(self.input_shape)
            if tf is None or tf.kind != "tuple" or tf.arity != 3 or tf.item_type != "int":
                raise ValueError(
                    f"family {self.name!r}: input_shape names {self.input_shape!r}, which is "
                    f"not a field of 3 integers of {self.spec.__name__}; declare "
                    "Family(input_shape='<field>') or a function spec -> (height, width, channels)"
                )
        if examples:
            self.check_examples(parse)

    def check_examples(self, parse: Callable[[str], Any]) -> None:
        """Check that the example names parse, are canonical and have an input shape."""
        for label, name in (("example", self.example), ("test_example", self.test_example)):
            if name is not None:
                self._check_example(label, name, parse)

    def _check_example(self, label: str, name: str, parse: Callable[[str], Any]) -> None:
        parsed = parse(name)
        if parsed.full_name != name:
            raise ValueError(
                f"family {self.name!r}: {label} {name!r} is not canonical; "
                f"write it as {parsed.full_name!r}"
            )
        shape = self.input_shape_of(parsed.spec)
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError(
                f"family {self.name!r}: input shape of {label} is {shape}, expected "
                "3 positive integers (height, width, channels)"
            )
        if self.explain_layer is not None and not self.explain_layer_of(parsed.spec):
            raise ValueError(f"family {self.name!r}: explain_layer gives no layer name")


@dataclass(frozen=True)
class Preset:
    """A named model or run worth listing, such as one the report trained.

    Args:
        name: a model name or a run name (model name plus ``__`` suffix), canonical.
        alias: a short human name (``report_cnn6_wc_aug``), accepted wherever names are;
            it may not itself be a model name.
        summary: one line for listings.
        tags: labels for ``list_models(tag=...)``; the report's runs carry ``seed``.
        metrics: reported results, e.g. ``{"kappa": 0.527, "auc": 0.832}``.
        metrics_source: where the figures come from, e.g. ``"report, test set, image level"``.
        recipe: the training settings that belong to it (a :class:`~registry.Recipe`
            or a mapping of its fields, validated here); ``None``: the package defaults.
    """

    name: str
    alias: str | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    metrics: Mapping[str, float] = field(default_factory=dict)
    metrics_source: str = ""
    recipe: Recipe | None = None
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.recipe is not None and not isinstance(self.recipe, Recipe):
            object.__setattr__(self, "recipe", Recipe.model_validate(self.recipe))

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {
            "name": self.name,
            "alias": self.alias,
            "summary": self.summary,
            "tags": list(self.tags),
            "metrics": dict(self.metrics),
            "metrics_source": self.metrics_source,
            "recipe": self.recipe.settings() if self.recipe is not None else {},
        }
