"""The report's custom CNN: stacked conv blocks doubling their filters, then a sigmoid.

Block ``i`` (from 0) is ``cl[1]`` times ``Conv2D(f * 2**i, ck, padding="same")``, each
followed by ``BatchNormalization`` (with ``bn``, its momentum ``bnm``), ReLU and
``SpatialDropout2D`` (with ``spdp``); then pooling ``p`` with size ``ps`` and strides
``pstr``. After the last block: Flatten, Dropout (``ld``), Dense(1, sigmoid).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from mura_plugins.pins import pins_file
from mura_plugins.recipes import REPORT_RECIPE
from mura_plugins.tokens import InputShape, OutputDropout, Pooling, Rate, Small
from registry import BatchNormMomentum, Family, FamilySpec, Preset, Token, hookimpl

Blocks = Annotated[int, Field(ge=1, le=12)]
ConvsPerBlock = Annotated[int, Field(ge=1, le=8)]
PoolSide = Annotated[int, Field(ge=1, le=8)]


class CNNSpec(FamilySpec):
    """Parameters of the custom CNN (family ``cnn``)."""

    input_shape: InputShape
    conv_layers: Annotated[
        tuple[Blocks, ConvsPerBlock], Token("cl", "conv blocks . convs per block")
    ]
    filters: Annotated[int, Field(ge=1, le=1024), Token("f", "filters of the first block")]
    kernel: Annotated[tuple[Small, Small], Token("ck", "conv kernel height.width")] = (3, 3)
    batch_norm: Annotated[bool, Token("bn", "batch normalisation after each conv")] = False
    batch_norm_momentum: BatchNormMomentum = None
    pooling: Pooling = "max"
    pool_size: Annotated[tuple[PoolSide, PoolSide], Token("ps", "pool size")] = (2, 2)
    pool_strides: Annotated[tuple[PoolSide, PoolSide], Token("pstr", "pool strides")] = (2, 2)
    dropout: OutputDropout = None
    spatial_dropout: Annotated[
        Rate | None, Token("spdp", "spatial dropout after each conv activation", off=0.0)
    ] = None

    @model_validator(mode="after")
    def _fits_input(self) -> CNNSpec:
        if self.batch_norm_momentum is not None and not self.batch_norm:
            raise ValueError("bnm (batch-norm momentum) needs batch normalisation: add bn")
        height, width = self.feature_size()
        if height < 1 or width < 1:
            raise ValueError(
                f"input {self.input_shape[0]}x{self.input_shape[1]} is too small for "
                f"{self.conv_layers[0]} pooled blocks"
            )
        return self

    def feature_size(self) -> tuple[int, int]:
        """Spatial size of the last block's output."""
        size = list(self.input_shape[:2])
        for _ in range(self.conv_layers[0]):
            size = [(s - p) // t + 1 for s, p, t in zip(size, self.pool_size, self.pool_strides)]
        return size[0], size[1]


def conv_block(x: Any, spec: CNNSpec, index: int) -> Any:
    """One block: convs (with batch norm, ReLU, spatial dropout), then pooling."""
    from keras import layers

    filters = spec.filters * 2**index
    for conv in range(spec.conv_layers[1]):
        prefix = f"block{index + 1}_conv{conv + 1}"
        x = layers.Conv2D(filters, spec.kernel, padding="same", name=prefix)(x)
        if spec.batch_norm:
            x = layers.BatchNormalization(name=f"{prefix}_bn")(x)
        x = layers.Activation("relu", name=f"{prefix}_relu")(x)
        if spec.spatial_dropout:
            x = layers.SpatialDropout2D(spec.spatial_dropout, name=f"{prefix}_spdp")(x)
    return pooling_layer(spec, f"block{index + 1}_pool")(x)


def pooling_layer(spec: CNNSpec, name: str) -> Any:
    """The block's pooling layer."""
    from keras import layers

    pool = layers.MaxPooling2D if spec.pooling == "max" else layers.AveragePooling2D
    return pool(spec.pool_size, strides=spec.pool_strides, name=name)


def classifier(x: Any, spec: CNNSpec) -> Any:
    """Flatten, optional dropout, Dense(1, sigmoid)."""
    from keras import layers

    x = layers.Flatten(name="flatten")(x)
    if spec.dropout:
        x = layers.Dropout(spec.dropout, name="dropout")(x)
    return layers.Dense(1, activation="sigmoid", name="output")(x)


def parameter_count(spec: CNNSpec, *, feed_forward: bool = False) -> int:
    """Total parameters of the model ``spec`` describes, without building it.

    With ``feed_forward`` each block from the third on also takes the channels of the
    block before the previous one (the FeedForward CNN).
    """
    blocks, convs = spec.conv_layers
    widths = [spec.filters * 2**index for index in range(blocks)]
    kernel = spec.kernel[0] * spec.kernel[1]
    total = 0
    for index, width in enumerate(widths):
        channels = spec.input_shape[2] if index == 0 else widths[index - 1]
        if feed_forward and index >= 2:
            channels += widths[index - 2]
        for _ in range(convs):
            total += kernel * channels * width + width + (4 * width if spec.batch_norm else 0)
            channels = width
    height, width = spec.feature_size()
    return total + height * width * widths[-1] + 1


def explain_layer(spec: CNNSpec) -> str:
    """The last conv activation: the finest feature map that still sees the whole image."""
    blocks, convs = spec.conv_layers
    return f"block{blocks}_conv{convs}_relu"


def build_cnn(spec: CNNSpec) -> Any:
    """Build the custom CNN."""
    import keras

    inputs = keras.Input(shape=spec.input_shape, name="image")
    x = inputs
    for index in range(spec.conv_layers[0]):
        x = conv_block(x, spec, index)
    return keras.Model(inputs, classifier(x, spec))


#: The report's custom CNNs (blocks of 3 to 6, dropout or spatial dropout).
_BASE = "cnn_in.256.256.3_cl.{n}.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_{reg}.0.25"
#: Best-epoch validation figures of the report's class-weighted runs ("model_N_layers").
_VALIDATION = {
    3: {"loss": 0.6310, "auc": 0.7044, "accuracy": 0.6498, "kappa": 0.2889},
    4: {"loss": 0.5990, "auc": 0.7562, "accuracy": 0.6959, "kappa": 0.3767},
    5: {"loss": 0.5289, "auc": 0.8073, "accuracy": 0.7423, "kappa": 0.4630},
    6: {"loss": 0.5236, "auc": 0.8172, "accuracy": 0.7554, "kappa": 0.4880},
}
#: Test-set figures of the report's 6-block runs.
_TEST_6 = {
    "": {"loss": 0.5894, "auc": 0.7728, "accuracy": 0.7007, "kappa": 0.3919},
    "__wc": {"loss": 0.5826, "auc": 0.7932, "accuracy": 0.7232, "kappa": 0.4430},
    "__wc_aug": {"loss": 0.5159, "auc": 0.8317, "accuracy": 0.7657, "kappa": 0.5275},
}


def report_presets() -> list[Preset]:
    """The custom CNNs the report trained, with the figures it reported."""
    presets = []
    for n in range(3, 7):
        presets.append(
            Preset(
                _BASE.format(n=n, reg="spdp"),
                alias=f"report_cnn{n}_spdp",
                summary=f"{n}-block CNN with spatial dropout",
                tags=("seed",),
                recipe=REPORT_RECIPE,
            )
        )
        if n < 6:
            presets.append(
                Preset(
                    _BASE.format(n=n, reg="ld") + "__wc",
                    alias=f"report_cnn{n}_wc",
                    summary=f"{n}-block CNN, class weights",
                    tags=("seed",),
                    recipe=REPORT_RECIPE,
                    metrics=_VALIDATION[n],
                    metrics_source="report, validation set at best epoch, image level",
                )
            )
    for suffix, metrics in _TEST_6.items():
        presets.append(
            Preset(
                _BASE.format(n=6, reg="ld") + suffix,
                alias="report_cnn6" + suffix.replace("__", "_"),
                summary="the report's 6-block CNN"
                + (" (" + suffix[2:].replace("_", ", ") + ")" if suffix else ""),
                tags=("seed",),
                recipe=REPORT_RECIPE,
                metrics=metrics,
                metrics_source="report, test set (MURA valid), image level",
            )
        )
    presets.append(
        Preset(
            _BASE.format(n=6, reg="ld") + "__wc_aug_XR_WRIST",
            alias="report_cnn6_wc_aug_wrist",
            summary="the 6-block CNN trained on wrists only (body-part ensemble member)",
            tags=("seed", "ensemble-member"),
            recipe=REPORT_RECIPE,
            metrics={"loss": 0.4918, "auc": 0.8298, "accuracy": 0.7693, "kappa": 0.5247},
            metrics_source="report, wrist test images, image level",
        )
    )
    return presets


@hookimpl
def register_families(register: Any) -> None:
    register(
        Family(
            name="cnn",
            spec=CNNSpec,
            builder=build_cnn,
            summary="custom CNN: conv blocks doubling filters, flatten, sigmoid (the report's)",
            example=_BASE.format(n=6, reg="ld"),
            preprocessing="unit",
            tags=("custom",),
            test_example="cnn_in.32.32.1_cl.2.2_f.4_ck.3.3_bn_p.avg_ps.2.2_pstr.2.2_ld.0.1",
            explain_layer=explain_layer,
            parameter_count=parameter_count,
            pins=pins_file("cnn"),
        )
    )


@hookimpl
def register_presets(register: Any) -> None:
    for preset in report_presets():
        register(preset)
