"""A third-party family plugin: VGG16 (keras.applications) with a sigmoid output.

Names look like ``vgg16_in.224.224.3_p.avg_ld.0.5``. The spec declares the grammar; the
:class:`registry.Family` declares everything else the package needs (input shape,
pretrained weights, a small test example, the layer explanations use, a parameter
estimate). The builder imports Keras only when a model is built, so listing stays
instant. The plugin imports nothing but ``registry``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from registry import Family, FamilySpec, Preset, Pretrained, Token, hookimpl, loading_weights

#: The file Keras keeps VGG16's ImageNet weights (without top) under, and its origin.
WEIGHTS_FILE = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/" + WEIGHTS_FILE
#: Parameters of VGG16 without its top (3 input channels) and its output width.
BACKBONE_PARAMETERS = 14_714_688
FEATURES = 512


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


def build_vgg16(spec: VGG16Spec, weights: str | None) -> Any:
    """Build VGG16 without its top, global pooling, optional dropout, Dense(1, sigmoid).

    ``weights`` was checked by the registry: ``"imagenet"``, a file path or ``None``.
    """
    import keras

    with loading_weights("vgg16", weights, cache_file=WEIGHTS_FILE, origin=WEIGHTS_URL):
        base = keras.applications.VGG16(
            include_top=False, weights=weights, input_shape=spec.input_shape, pooling=spec.pooling
        )
    x = base.output
    if spec.dropout:
        x = keras.layers.Dropout(spec.dropout, name="dropout")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(x)
    return keras.Model(base.input, outputs)


def parameter_count(spec: VGG16Spec) -> int:
    """Parameters of the model ``spec`` describes, without building it."""
    return BACKBONE_PARAMETERS + FEATURES + 1


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
            tags=("pretrained", "third-party"),
            input_shape="input_shape",
            pretrained=Pretrained(sources=("imagenet",), default="imagenet", channels=3),
            test_example="vgg16_in.32.32.3_p.max",
            explain_layer="block5_conv3",
            parameter_count=parameter_count,
        )
    )


@hookimpl
def register_presets(register: Any) -> None:
    register(Preset("vgg16_in.256.256.3_p.avg_ld.0.5__wc_aug", alias="vgg16_mura", tags=("demo",)))
