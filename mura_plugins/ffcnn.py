"""FeedForward CNN: the custom CNN where each block also sees the block before last.

Block ``i >= 2`` takes the concatenation of block ``i-1``'s output with block ``i-2``'s
output pooled once more to the same spatial size, after the DenseNet idea of feeding
earlier features forward. The grammar is the custom CNN's.
"""

from __future__ import annotations

from typing import Any

from mura_plugins.cnn import (
    CNNSpec,
    classifier,
    conv_block,
    explain_layer,
    parameter_count,
    pooling_layer,
)
from mura_plugins.pins import pins_file
from registry import Family, hookimpl


class FeedForwardCNNSpec(CNNSpec):
    """Parameters of the FeedForward CNN (family ``ffcnn``): the custom CNN's tokens."""


def build_ffcnn(spec: FeedForwardCNNSpec) -> Any:
    """Build the FeedForward CNN."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=spec.input_shape, name="image")
    outputs: list[Any] = []
    x = inputs
    for index in range(spec.conv_layers[0]):
        if index >= 2:
            skip = pooling_layer(spec, f"block{index + 1}_skip_pool")(outputs[index - 2])
            x = layers.Concatenate(name=f"block{index + 1}_concat")([x, skip])
        x = conv_block(x, spec, index)
        outputs.append(x)
    return keras.Model(inputs, classifier(x, spec))


@hookimpl
def register_families(register: Any) -> None:
    register(
        Family(
            name="ffcnn",
            spec=FeedForwardCNNSpec,
            builder=build_ffcnn,
            summary="FeedForward CNN: custom CNN whose blocks also see block n-2 (DenseNet idea)",
            example="ffcnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25",
            preprocessing="unit",
            tags=("custom",),
            test_example="ffcnn_in.32.32.3_cl.4.1_f.4_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_spdp.0.1",
            explain_layer=explain_layer,
            parameter_count=lambda spec: parameter_count(spec, feed_forward=True),
            pins=pins_file("ffcnn"),
        )
    )
