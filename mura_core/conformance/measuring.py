"""Building a model only to measure it: shapes and parameter counts, no weight values.

The conformance kit measures several names per family (parameter counts, explanation
maps, pinned architectures); leaving the weights uninitialised makes large backbones
several times cheaper to build.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from registry import ParsedName, Registry, RegistryError

__all__ = ["build_uninitialised", "weight_layout"]


@contextmanager
def _weights_left_uninitialised() -> Iterator[None]:
    """Build without drawing initial values: variables keep their shapes only."""
    import keras
    from keras.src.backend.common import global_state

    pending = global_state.get_global_attribute("uninitialized_variables", [], set_to_default=True)
    before = len(pending)
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        del pending[before:]  # never initialised later: the model is only measured


def build_uninitialised(registry: Registry, name: str | ParsedName) -> Any:
    """Build ``name`` without pretrained weights and without initial values.

    The model can be measured (shapes, parameter counts), not run. A builder that reads
    weights while building is built the ordinary way.
    """
    try:
        with _weights_left_uninitialised():
            return registry.build(name, weights=None)
    except RegistryError:
        raise
    except Exception:
        return registry.build(name, weights=None)


def weight_layout(model: Any) -> list[tuple[tuple[int, ...], bool]]:
    """The shape of each weight of ``model`` and whether it trains, in model order."""
    return [
        (tuple(int(d) for d in weight.shape), bool(weight.trainable)) for weight in model.weights
    ]
