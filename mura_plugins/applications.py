"""Families built on ``keras.applications`` backbones (DenseNet, ResNet).

The backbone comes without its top and with global ``avg`` or ``max`` pooling; layers
whose index is greater than ``tla`` train, the others are frozen (without ``tla`` the
whole backbone is frozen); an optional MLP head adds ``Dense(u, relu)`` and
``Dropout(mdp)`` per entry of ``m``; the output is ``Dense(1, sigmoid)``. ``bnm`` sets
the momentum of every batch-norm layer of the backbone (the registry applies it).

Pretrained weights (declared with :class:`registry.Pretrained`): ``"imagenet"`` (the
default, through ``keras.applications``, read from the Keras cache when present), a
path to a local weights file, or ``None`` for random initialisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, model_validator

from mura_plugins.pins import pins_file
from mura_plugins.tokens import BackboneInputShape, Pooling, Rate, Units
from registry import (
    BatchNormMomentum,
    BuildError,
    Family,
    FamilySpec,
    Preprocessing,
    Pretrained,
    Token,
    loading_weights,
)


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
    batch_norm_momentum: BatchNormMomentum = None

    @model_validator(mode="after")
    def _check(self) -> ApplicationSpec:
        if self.mlp_dropout is not None and not self.mlp:
            raise ValueError("mdp (MLP dropout) needs an MLP head: add m.<units>")
        return self


#: Filters of the 7x7 convolution every backbone here starts with.
STEM_FILTERS = 64


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
    parameters: int  # of the backbone without top, for 3 input channels
    features: int  # channels of the backbone's output
    explain_layer: str  # the last 4-D feature map (Grad-CAM)

    def parameter_count(self, spec: ApplicationSpec) -> int:
        """Total parameters of the model ``spec`` describes, without building it."""
        extra_channels = spec.input_shape[2] - 3
        total = self.parameters + 7 * 7 * STEM_FILTERS * extra_channels
        width = self.features
        for units in spec.mlp:
            total += width * units + units
            width = units
        return total + width + 1


def weights_url(backbone: Backbone) -> str:
    """The address Keras downloads the backbone's ImageNet weights from."""
    import importlib

    module = importlib.import_module(backbone.module)
    return getattr(module, backbone.url_attribute) + backbone.weights_file


def build_application(backbone: Backbone, spec: ApplicationSpec, weights: Any) -> Any:
    """Build a backbone with the spec's pooling, freezing and head.

    ``weights`` was checked by the registry: ``"imagenet"``, a file path or ``None``.
    """
    import keras
    from keras import layers

    constructor = getattr(keras.applications, backbone.constructor)
    origin = weights_url(backbone) if weights == "imagenet" else None
    with loading_weights(backbone.family, weights, cache_file=backbone.weights_file, origin=origin):
        base = constructor(
            include_top=False, weights=weights, input_shape=spec.input_shape, pooling=spec.pooling
        )
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

    def build(spec_value: ApplicationSpec, weights: Any) -> Any:
        return build_application(backbone, spec_value, weights)

    build.__doc__ = f"Build a {backbone.family} model; ``weights``: 'imagenet', a path or None."
    return Family(
        name=backbone.family,
        spec=spec,
        builder=build,
        summary=backbone.summary,
        example=example,
        preprocessing=backbone.preprocessing,
        tags=("pretrained",),
        pretrained=Pretrained(sources=("imagenet",), default="imagenet", channels=3),
        test_example=f"{backbone.family}_in.32.32.3_p.max_m.8_mdp.0.1",
        explain_layer=backbone.explain_layer,
        parameter_count=backbone.parameter_count,
        pins=pins_file(backbone.family),
    )
