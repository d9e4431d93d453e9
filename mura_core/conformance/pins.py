"""Pinned architectures: what each example and preset name builds, kept as data.

A name must build the same model in every version: run folders are rebuilt from their
names. A family declares its pins with ``Family(pins=...)``: the
:func:`~mura_core.runs.identity.fingerprint` (layer names, weight shapes, parameter
counts) of its example, its test example and the presets its plugin registers, written
by :func:`write_pins` (``mura plugins pin FAMILY``). The conformance kit's
``fingerprint`` check compares the examples with fresh builds; :func:`pin_problems`
compares any pinned names (the package's own tests check every preset).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mura_core.conformance.measuring import build_uninitialised
from mura_core.errors import MuraError
from mura_core.runs.identity import Fingerprint, fingerprint
from registry import Family, Registry

__all__ = ["build_fingerprint", "pin_problems", "pinned_names", "read_pins", "write_pins"]


def pinned_names(family: Family, registry: Registry) -> list[str]:
    """The model names ``family`` pins: its examples, then its plugin's presets of it."""
    names = [family.example, family.test_example]
    names += [
        preset.name for preset in registry.presets().values() if preset.plugin == family.plugin
    ]
    model_names = []
    for name in filter(None, names):
        parsed = registry.parse(name)
        if parsed.family.name == family.name and parsed.model_name not in model_names:
            model_names.append(parsed.model_name)
    return model_names


def read_pins(family: Family) -> dict[str, Fingerprint] | None:
    """The family's pinned fingerprints by model name; ``None`` when it declares none.

    Raises:
        MuraError: the pins cannot be read or are not fingerprints (one line).
    """
    source = family.pins
    if source is None:
        return None
    try:
        data = source if isinstance(source, Mapping) else json.loads(_read_text(source))
        return {str(name): Fingerprint.from_dict(pin) for name, pin in data.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise MuraError(
            f"the pins of family {family.name!r} ({source}) cannot be read: "
            f"{type(error).__name__}: {error}"
        ) from None


def _read_text(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).read_text(encoding="utf-8")
    return source.read_text(encoding="utf-8")


def build_fingerprint(registry: Registry, name: str) -> Fingerprint:
    """The fingerprint of a fresh build of ``name`` (without pretrained weights).

    Weights are left uninitialised (their values play no part), which makes large
    backbones several times faster to measure; a builder that reads weights while
    building is built the ordinary way.
    """
    model = build_uninitialised(registry, name)
    return fingerprint(model)


def pin_problems(
    family: Family,
    names: Iterable[str],
    registry: Registry,
    *,
    built: Mapping[str, Any] | None = None,
) -> list[str]:
    """One line per name of ``names`` that is not pinned or builds another model.

    ``built``: models already built, by model name (they are not built again).
    """
    pins = read_pins(family)
    if pins is None:
        return [f"family {family.name!r} declares no pins"]
    problems = []
    for name in names:
        if name not in pins:
            problems.append(f"{name} is not pinned; pin it with `mura plugins pin {family.name}`")
            continue
        model = (built or {}).get(name)
        fresh = fingerprint(model) if model is not None else build_fingerprint(registry, name)
        difference = fresh.difference(pins[name])
        if difference:
            problems.append(f"{name} builds another model than pinned: {difference}")
    return problems


def write_pins(
    output: str | Path, families: Iterable[str], *, registry: Registry | None = None
) -> dict[str, list[str]]:
    """Pin the fingerprints of ``families`` (a fresh build of each name) in ``output``.

    Names of other families already in ``output`` are kept; those of ``families`` are
    replaced. Returns the pinned names by family.
    """
    import registry as registry_module

    reg = registry or registry_module.get_registry()
    chosen = [reg.family(name) for name in families]
    path = Path(output)
    if path.is_dir():
        raise MuraError(f"{path} is a folder: the pins are written to a file, e.g. pins.json")
    pins = _existing(path, {family.name for family in chosen})
    pinned = {}
    for family in chosen:
        pinned[family.name] = pinned_names(family, reg)
        for name in pinned[family.name]:
            pins[name] = build_fingerprint(reg, name).as_dict()
    text = json.dumps(dict(sorted(pins.items())), indent=1) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise MuraError(f"cannot write pins to {path}: {error.strerror or error}") from None
    return pinned


def _existing(path: Path, replaced: set[str]) -> dict[str, Any]:
    """The pins already in ``path``, less the names of the ``replaced`` families."""
    if not path.exists():
        return {}
    try:
        pins = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MuraError(f"{path} is not a pins file: {error}") from None
    if not isinstance(pins, dict):
        raise MuraError(f"{path} is not a pins file: not a mapping of names")
    return {name: pin for name, pin in pins.items() if name.split("_", 1)[0] not in replaced}
