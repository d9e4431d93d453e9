"""Token types shared by the built-in families (one definition of each range)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from registry import Token

Side = Annotated[int, Field(ge=16, le=4096)]
Channels = Annotated[int, Field(ge=1, le=4)]
Small = Annotated[int, Field(ge=1, le=15)]
Units = Annotated[int, Field(ge=1, le=65536)]
Rate = Annotated[float, Field(ge=0.0, lt=1.0)]

InputShape = Annotated[tuple[Side, Side, Channels], Token("in", "input height.width.channels")]
Pooling = Annotated[Literal["max", "avg"], Token("p", "pooling: max or avg")]
OutputDropout = Annotated[Rate | None, Token("ld", "dropout before the output layer")]
