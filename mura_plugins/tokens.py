"""Token types shared by the built-in families (one definition of each range)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from registry import Token
from registry.run_options import IMAGE_CHANNELS


def _supported_channels(channels: int) -> int:
    if channels not in IMAGE_CHANNELS:
        raise ValueError(f"channels must be one of {', '.join(map(str, IMAGE_CHANNELS))}")
    return channels


Side = Annotated[int, Field(ge=16, le=4096)]
Channels = Annotated[
    int,
    Field(ge=min(IMAGE_CHANNELS), le=max(IMAGE_CHANNELS)),
    AfterValidator(_supported_channels),
]
Small = Annotated[int, Field(ge=1, le=15)]
Units = Annotated[int, Field(ge=1, le=65536)]
Rate = Annotated[float, Field(ge=0.0, lt=1.0)]

InputShape = Annotated[tuple[Side, Side, Channels], Token("in", "input height.width.channels")]
#: keras.applications backbones need inputs of at least 32x32.
BackboneSide = Annotated[int, Field(ge=32, le=4096)]
BackboneInputShape = Annotated[
    tuple[BackboneSide, BackboneSide, Channels], Token("in", "input height.width.channels")
]
Pooling = Annotated[Literal["max", "avg"], Token("p", "pooling: max or avg")]
OutputDropout = Annotated[Rate | None, Token("ld", "dropout before the output layer", off=0.0)]
