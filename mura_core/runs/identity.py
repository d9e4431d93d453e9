"""A run's identity, recorded when it starts and checked when it is loaded.

The folder's name rebuilds the model, so a renamed folder (``p.max`` to ``p.avg``) or a
``run.json`` copied from another run would otherwise be loaded, without a word, with the
wrong architecture. ``run.json`` keeps the run's full name (``name``, apart from the
folder's name) and :func:`weights_digest`, a SHA-256 of the shapes of the model's weights
in order; :func:`check_identity` compares both with the model the folder name builds.

:func:`fingerprint` describes a model's architecture in full (its layers' names and
weight shapes, its parameter counts and the weights digest): the package pins the
fingerprint of every preset and family example (:mod:`mura_core.conformance.pins`), so a
builder change that alters what an existing name builds is caught before it orphans runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import update_run_json
from mura_core.runs.layout import RunFolder

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = [
    "DIGEST_KEY",
    "Fingerprint",
    "check_identity",
    "fingerprint",
    "record_identity",
    "weights_digest",
]

#: Key of the weights digest in ``run.json``.
DIGEST_KEY = "weights_digest"


def _shape(weight: Any) -> str:
    """A weight's shape as text: ``3x3x1x8``."""
    return "x".join(str(int(size)) for size in weight.shape)


def weights_digest(model: Any) -> str:
    """SHA-256 of the shapes of ``model.weights``, in order (names vary between sessions)."""
    text = ";".join(_shape(weight) for weight in model.weights)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What a name builds: layers (``name: shape, shape``), parameter counts, digest.

    A nested model's layers are listed under its name (``member_0/block1_conv1``); a
    layer name Keras made up (``input_layer_3``) is written without its session counter.
    """

    layers: tuple[str, ...]
    parameters: int
    trainable: int
    weights_digest: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view (the form pins are written in)."""
        return {
            "parameters": self.parameters,
            "trainable": self.trainable,
            "weights_digest": self.weights_digest,
            "layers": list(self.layers),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fingerprint:
        """The fingerprint :meth:`as_dict` wrote; ``KeyError``/``ValueError`` if malformed."""
        return cls(
            layers=tuple(str(layer) for layer in data["layers"]),
            parameters=int(data["parameters"]),
            trainable=int(data["trainable"]),
            weights_digest=str(data["weights_digest"]),
        )

    def difference(self, pinned: Fingerprint) -> str | None:
        """How this fingerprint differs from ``pinned``, in one line (``None``: equal)."""
        if self == pinned:
            return None
        changes = [
            f"{label} {before:,} -> {after:,}"
            for label, before, after in (
                ("parameters", pinned.parameters, self.parameters),
                ("trainable parameters", pinned.trainable, self.trainable),
            )
            if before != after
        ]
        index = next(
            (i for i, (old, new) in enumerate(zip(pinned.layers, self.layers)) if old != new),
            None,
        )
        if index is not None:
            changes.append(
                f"layer {index + 1} was {pinned.layers[index]!r}, is {self.layers[index]!r}"
            )
        elif len(pinned.layers) != len(self.layers):
            changes.append(f"{len(pinned.layers)} layers -> {len(self.layers)}")
        elif pinned.weights_digest != self.weights_digest:
            changes.append("weights listed in another order")
        return "; ".join(changes)


def _snake_case(name: str) -> str:
    """Keras's default layer name for a class name (``InputLayer``: ``input_layer``)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _layer_name(layer: Any) -> str:
    """The layer's name, without the session counter of a name Keras made up."""
    default = _snake_case(type(layer).__name__)
    return default if re.fullmatch(rf"{re.escape(default)}(_\d+)?", layer.name) else layer.name


def _layers(model: Any, prefix: str = "") -> Iterator[str]:
    for layer in model.layers:
        name = prefix + _layer_name(layer)
        if hasattr(layer, "layers"):  # a model used as a layer: its own layers, by path
            yield from _layers(layer, f"{name}/")
            continue
        shapes = ", ".join(_shape(weight) for weight in layer.weights)
        yield f"{name}: {shapes}" if shapes else name


def fingerprint(model: Any) -> Fingerprint:
    """The architecture of a built model (its weights' values play no part)."""
    trainable = sum(_size(weight) for weight in model.trainable_weights)
    return Fingerprint(
        layers=tuple(_layers(model)),
        parameters=sum(_size(weight) for weight in model.weights),
        trainable=trainable,
        weights_digest=weights_digest(model),
    )


def _size(weight: Any) -> int:
    size = 1
    for dimension in weight.shape:
        size *= int(dimension)
    return size


def record_identity(folder: RunFolder, model: Any) -> None:
    """Record the weights digest of the run's model in ``run.json``."""
    update_run_json(folder.run_json, **{DIGEST_KEY: weights_digest(model)})


def _recorded_name(recorded: Any) -> str | None:
    """The canonical form of the name ``run.json`` records (``None``: not a name)."""
    import registry

    try:
        return registry.parse(str(recorded)).full_name
    except registry.RegistryError:
        return None


def check_identity(
    folder: RunFolder, parsed: ParsedName, model: Any, info: dict[str, Any]
) -> list[str]:
    """Check that ``run.json`` describes the model the folder's name built.

    Returns notes for a run recorded before the digest existed.

    Raises:
        MuraError: ``run.json`` names another run, or the weights' shapes differ.
    """
    if not info:
        return [f"{folder.run_json} is missing: the run's identity is not checked"]
    notes = []
    recorded = info.get("name")
    if recorded not in (None, parsed.full_name) and _recorded_name(recorded) != parsed.full_name:
        raise MuraError(
            f"run.json names another run than its folder (renamed or mixed up): folder "
            f"{parsed.full_name}, run.json {recorded}, in {folder.path.parent}"
        )
    digest = info.get(DIGEST_KEY)
    if digest is None:
        notes.append(
            f"{folder.run_json} records no weights digest (a run from an older version): "
            "its architecture is taken from the folder name unchecked"
        )
    elif digest != weights_digest(model):
        raise MuraError(
            f"the model of run folder {parsed.full_name} has other weight shapes than its "
            f"run.json records (digest {weights_digest(model)[:12]}, recorded "
            f"{str(digest)[:12]}), in {folder.path.parent}"
        )
    return notes
