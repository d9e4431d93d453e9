"""Item 9: the name grammar and the data pipeline accept the same channel counts."""

from __future__ import annotations

import pytest

import registry
from mura_core.data.pipeline import InputSpec


def _grammar_accepts(channels: int) -> bool:
    try:
        registry.parse(f"cnn_in.32.32.{channels}_cl.2.1_f.8")
    except registry.InvalidNameError:
        return False
    return True


def _pipeline_accepts(channels: int) -> bool:
    try:
        InputSpec((32, 32), channels, "unit")
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("channels", range(0, 6))
def test_grammar_and_pipeline_agree_on_channels(channels):
    assert _grammar_accepts(channels) == _pipeline_accepts(channels)


def test_two_or_four_channels_are_refused_by_name_saying_why():
    for name in ("cnn_in.32.32.2_cl.2.1_f.8", "densenet121_in.64.64.4_p.avg"):
        with pytest.raises(
            registry.InvalidNameError, match="channels must be one of 1, 3|less than or equal to 3"
        ):
            registry.parse(name)
