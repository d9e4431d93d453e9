"""Families built on ``keras.applications`` backbones (DenseNet, ResNet).

The backbone comes without its top and with global ``avg`` or ``max`` pooling; layers
whose index is greater than ``tla`` train, the others are frozen (without ``tla`` the
whole backbone is frozen); an optional MLP head adds ``Dense(u, relu)`` and
``Dropout(mdp)`` per entry of ``m``; the output is ``Dense(1, sigmoid)``.

Weights (the ``weights`` build option): ``"imagenet"`` (the default, through
``keras.applications``, read from the Keras cache when present), a path to a local
weights file, or ``None`` for random initialisation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from mura_plugins.tokens import BackboneInputShape, Pooling, Rate, Units
from registry import BuildError, Family, FamilySpec, Preprocessing, Token


class WeightsUnavailableError(BuildError):
    """Pretrained weights that are neither in the Keras cache nor downloadable."""


class ApplicationSpec(FamilySpec):
    """Parameters shared by the keras.applications families."""

    input_shape: BackboneInputShape
    pooling: Pooling = "avg"
    trainable_after: Annotated[
        int | None, Field(ge=-1), Token("tla", "backbone layers with a greater index train")
    ] = None
    mlp: Annotated[tuple[Units, ...], Token("m", "units of each hidden Dense layer")] = ()
    mlp_dropout: Annotated[
        Rate | None, Token("mdp", "dropout after each hidden layer", off=0.0)
    ] = None

    @model_validator(mode="after")
    def _check(self) -> ApplicationSpec:
        if self.mlp_dropout is not None and not self.mlp:
            raise ValueError("mdp (MLP dropout) needs an MLP head: add m.<units>")
        return self


@dataclass(frozen=True)
class Backbone:
    """A keras.applications constructor and where its ImageNet weights come from."""

    family: str
    constructor: str  # attribute of keras.applications
    module: str  # keras.src.applications module holding the weights URL
    weights_file: str  # file name in the Keras cache (``~/.keras/models``)
    url_attribute: str  # module attribute with the URL's folder
    preprocessing: Preprocessing
    summary: str


def resolve_weights(backbone: Backbone, weights: str | os.PathLike | None) -> str | None:
    """Check the ``weights`` option and say clearly what is missing, before Keras hangs."""
    if weights is None:
        return None
    if weights != "imagenet":
        path = Path(weights).expanduser()
        if not path.is_file():
            raise WeightsUnavailableError(f"weights file not found: {path}")
        return str(path)
    return "imagenet"


def cached_weights_path(backbone: Backbone) -> Path:
    """Where Keras looks for the backbone's ImageNet weights."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    return home / "models" / backbone.weights_file


def weights_url(backbone: Backbone) -> str:
    """The address Keras downloads the backbone's ImageNet weights from."""
    import importlib

    module = importlib.import_module(backbone.module)
    return getattr(module, backbone.url_attribute) + backbone.weights_file


def build_application(backbone: Backbone, spec: ApplicationSpec, weights: Any = "imagenet") -> Any:
    """Build a backbone with the spec's pooling, freezing and head."""
    import keras
    from keras import layers

    resolved = resolve_weights(backbone, weights)
    if resolved == "imagenet" and spec.input_shape[2] != 3:
        raise WeightsUnavailableError(
            f"ImageNet weights need 3 input channels, the name asks for {spec.input_shape[2]}"
        )
    constructor = getattr(keras.applications, backbone.constructor)
    try:
        base = constructor(
            include_top=False, weights=resolved, input_shape=spec.input_shape, pooling=spec.pooling
        )
    except Exception as error:
        if resolved != "imagenet" or cached_weights_path(backbone).is_file():
            raise
        raise WeightsUnavailableError(
            f"ImageNet weights for {backbone.family} are not in the Keras cache and could not "
            f"be downloaded ({type(error).__name__}); put {backbone.weights_file} "
            f"(from {weights_url(backbone)}) at {cached_weights_path(backbone)}, "
            "or build with weights=None"
        ) from None
    if spec.trainable_after is not None and spec.trainable_after >= len(base.layers):
        raise BuildError(
            f"tla.{spec.trainable_after} is past the last layer of {backbone.family} "
            f"({len(base.layers) - 1})"
        )
    for index, layer in enumerate(base.layers):
        layer.trainable = spec.trainable_after is not None and index > spec.trainable_after
    x = base.output
    for number, units in enumerate(spec.mlp, start=1):
        x = layers.Dense(units, activation="relu", name=f"mlp{number}")(x)
        if spec.mlp_dropout:
            x = layers.Dropout(spec.mlp_dropout, name=f"mlp{number}_dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="output")(x)
    return keras.Model(base.input, outputs)


def application_family(backbone: Backbone, spec: type[ApplicationSpec], example: str) -> Family:
    """The registry family of a backbone."""

    def build(spec_value: ApplicationSpec, weights: Any = "imagenet") -> Any:
        return build_application(backbone, spec_value, weights)

    build.__doc__ = f"Build a {backbone.family} model; ``weights``: 'imagenet', a path or None."
    return Family(
        name=backbone.family,
        spec=spec,
        builder=build,
        summary=backbone.summary,
        example=example,
        preprocessing=backbone.preprocessing,
        options=("weights",),
        tags=("pretrained",),
    )
