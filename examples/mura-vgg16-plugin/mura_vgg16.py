"""A third-party family plugin: VGG16 (keras.applications) with a sigmoid output.

Names look like ``vgg16_in.224.224.3_p.avg_ld.0.5``. The spec declares the grammar; the
:class:`registry.Family` declares everything else the package needs (input shape,
pretrained weights, a small test example, the layer explanations use, a parameter
estimate). The builder imports Keras only when a model is built, so listing stays
instant. The plugin also adds a command, ``mura vgg16-info NAME``: the layers with
weights of a name's model, their output shapes and parameters, computed without
building it. The plugin imports nothing but ``registry``.
"""

from __future__ import annotations

import argparse
import json
from typing import Annotated, Any, Literal

from pydantic import Field

import registry
from registry import (
    Command,
    Family,
    FamilySpec,
    Preset,
    Pretrained,
    Token,
    hookimpl,
    loading_weights,
)

#: The file Keras keeps VGG16's ImageNet weights (without top) under, and its origin.
WEIGHTS_FILE = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/" + WEIGHTS_FILE
)
#: The filters of VGG16's 3x3 convolutions, block by block; each block ends in a 2x2
#: pooling.
BLOCKS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


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
        float | None,
        Field(ge=0.0, lt=1.0),
        Token("ld", "dropout before the output", off=0.0),
    ] = None  # off=0.0: ld.0 is written as absent, so no dropout has one name


def build_vgg16(spec: VGG16Spec, weights: str | None) -> Any:
    """Build VGG16 without its top, global pooling, optional dropout, Dense(1, sigmoid).

    ``weights`` was checked by the registry: ``"imagenet"``, a file path or ``None``.
    """
    import keras

    with loading_weights("vgg16", weights, cache_file=WEIGHTS_FILE, origin=WEIGHTS_URL):
        base = keras.applications.VGG16(
            include_top=False,
            weights=weights,
            input_shape=spec.input_shape,
            pooling=spec.pooling,
        )
    x = base.output
    if spec.dropout:
        x = keras.layers.Dropout(spec.dropout, name="dropout")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(x)
    return keras.Model(base.input, outputs)


def layer_table(spec: VGG16Spec) -> list[tuple[str, tuple[int, ...], int]]:
    """``(layer, output shape, parameters)`` of each layer with weights, unbuilt."""
    height, width, channels = spec.input_shape
    rows = []
    for block, filters in enumerate(BLOCKS, start=1):
        for index, count in enumerate(filters, start=1):
            rows.append((f"block{block}_conv{index}", (height, width, count),
                         3 * 3 * channels * count + count))  # fmt: skip
            channels = count
        height, width = height // 2, width // 2
    rows.append(("output", (1,), channels + 1))
    return rows


def parameter_count(spec: VGG16Spec) -> int:
    """Parameters of the model ``spec`` describes, without building it."""
    return sum(parameters for _, _, parameters in layer_table(spec))


def add_info_command(subparsers: Any) -> None:
    """Add ``mura vgg16-info NAME [--json]``."""
    parser = subparsers.add_parser(
        "vgg16-info",
        help="the layers and parameters of a vgg16 name's model, without building it",
    )
    parser.add_argument("name", help="a vgg16 model or run name")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_info)


def run_info(args: argparse.Namespace) -> int:
    """Print the layer table of ``args.name``; another family's name is a one-line
    error."""
    parsed = registry.parse(args.name)
    if parsed.family.name != "vgg16":
        raise registry.RegistryError(
            f"{parsed.model_name} is a {parsed.family.name} name; "
            "vgg16-info describes vgg16 names"
        )
    rows = layer_table(parsed.spec)
    total = sum(parameters for _, _, parameters in rows)
    if args.json:
        layers = [
            {"layer": layer, "output_shape": list(shape), "parameters": parameters}
            for layer, shape, parameters in rows
        ]
        print(json.dumps({"name": parsed.model_name, "layers": layers, "total": total}))
        return 0
    print(parsed.model_name)
    print(f"{'layer':<14}{'output':<14}{'parameters':>12}")
    for layer, shape, parameters in [*rows, ("total", (), total)]:
        print(f"{layer:<14}{'x'.join(map(str, shape)):<14}{parameters:>12,}")
    return 0


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
            pretrained=Pretrained(
                sources=("imagenet",), default="imagenet", channels=3
            ),
            test_example="vgg16_in.32.32.3_p.max",
            explain_layer="block5_conv3",
            parameter_count=parameter_count,
        )
    )


@hookimpl
def register_presets(register: Any) -> None:
    register(
        Preset(
            "vgg16_in.256.256.3_p.avg_ld.0.5__wc_aug",
            alias="vgg16_mura",
            tags=("demo",),
            recipe={"learning_rate": 1e-4, "batch_size": 16, "lr_factor": 0.1},
        )
    )


@hookimpl
def register_commands(register: Any) -> None:
    register(Command("vgg16-info", add_info_command))
