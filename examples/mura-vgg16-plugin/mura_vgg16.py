"""A third-party family plugin: VGG16 (keras.applications) with a sigmoid output.

Names look like ``vgg16_in.224.224.3_p.avg_ld.0.5``. The spec declares the grammar;
the builder imports Keras only when a model is built, so listing stays instant.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from registry import Family, FamilySpec, Preset, Token, hookimpl


class VGG16Spec(FamilySpec):
    """Parameters of the ``vgg16`` family."""

    input_shape: Annotated[
        tuple[
            Annotated[int, Field(ge=32, le=1024)],
            Annotated[int, Field(ge=32, le=1024)],
            Annotated[int, Field(ge=3, le=3)],
        ],
        Token("in", "input height.width.channels"),
    ]
    pooling: Annotated[Literal["avg", "max"], Token("p", "global pooling")] = "avg"
    dropout: Annotated[
        float | None, Field(ge=0.0, lt=1.0), Token("ld", "dropout before the output")
    ] = None


def build_vgg16(spec: VGG16Spec, weights: str | None = "imagenet") -> Any:
    """Build VGG16 without its top, global pooling, optional dropout, Dense(1, sigmoid)."""
    import keras

    base = keras.applications.VGG16(
        include_top=False, weights=weights, input_shape=spec.input_shape, pooling=spec.pooling
    )
    x = base.output
    if spec.dropout:
        x = keras.layers.Dropout(spec.dropout, name="dropout")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(x)
    return keras.Model(base.input, outputs)


@hookimpl
def register_families(register: Any) -> None:
    register(
        Family(
            name="vgg16",
            spec=VGG16Spec,
            builder=build_vgg16,
            summary="VGG16 backbone (keras.applications) with a sigmoid output",
            example="vgg16_in.224.224.3_p.avg_ld.0.5",
            preprocessing="caffe",
            options=("weights",),
            tags=("pretrained", "third-party"),
        )
    )


@hookimpl
def register_presets(register: Any) -> None:
    register(Preset("vgg16_in.256.256.3_p.avg_ld.0.5__wc_aug", alias="vgg16_mura", tags=("demo",)))
