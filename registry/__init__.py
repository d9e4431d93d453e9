"""The MURA model registry: names, families, presets, commands and plugins.

Every model is named by a string such as
``cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25``; the string
alone rebuilds it. Importing this package, parsing names and listing the registry never
import TensorFlow; only :func:`build` does, through the family's builder.

>>> import registry
>>> registry.parse("densenet201_in.256.256.3_p.avg__wc_aug").run.augment
True
"""

from __future__ import annotations

from typing import Any

from registry.batch_norm import KERAS_MOMENTUM, BatchNormMomentum, batch_norm_layers
from registry.command import Command
from registry.core import Registry
from registry.datasets import DatasetLayout
from registry.ensembling import EnsemblerProtocol, MemberProtocol
from registry.entry_points import PluginInfo
from registry.errors import (
    BuildError,
    InvalidNameError,
    PluginError,
    RegistryError,
    UnknownModelError,
)
from registry.family import PREPROCESSING_MODES, Builder, Family, Preprocessing, Preset
from registry.grammar import FamilySpec
from registry.hookspecs import hookimpl, hookspec
from registry.names import ParsedName, format_name
from registry.recipes import Recipe
from registry.run_options import BODY_PARTS, BodyPart, RunOptions
from registry.tokens import Token, TokenField
from registry.weights import (
    DEFAULT_WEIGHTS,
    NO_WEIGHTS,
    Pretrained,
    WeightsUnavailableError,
    keras_cache_dir,
    loading_weights,
)

__version__ = "0.1.0"

_default: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, loading entry-point plugins on first use."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def reset_registry() -> None:
    """Forget the process-wide registry; the next call reloads plugins (e.g. after install)."""
    global _default
    _default = None


def parse(name: str) -> ParsedName:
    """Parse and validate a model or run name; raises :class:`InvalidNameError`."""
    return get_registry().parse(name)


def canonical(name: str) -> str:
    """The canonical form of a model or run name."""
    return get_registry().canonical(name)


def build(name: str | ParsedName, weights: Any = DEFAULT_WEIGHTS, **overrides: Any) -> Any:
    """Build the uncompiled Keras model named ``name``, a name or a parsed name (see
    :meth:`Registry.build`)."""
    return get_registry().build(name, weights, **overrides)


def resolve_weights(name: str | ParsedName, weights: Any = DEFAULT_WEIGHTS) -> Any:
    """The weights a build of ``name`` starts from, checked without building."""
    return get_registry().resolve_weights(name, weights)


def provider(family: str) -> dict[str, str | None]:
    """The plugin, distribution and version providing ``family``."""
    return get_registry().provider(family)


def families() -> dict[str, Family]:
    """The registered families, by name."""
    return get_registry().families()


def get_family(name: str) -> Family:
    """The family called ``name``."""
    return get_registry().family(name)


def commands() -> dict[str, Command]:
    """The ``mura`` subcommands registered by plugins (the built-in ones included), by name."""
    return get_registry().commands()


def datasets() -> dict[str, DatasetLayout]:
    """The dataset layouts registered by plugins (the built-in ones included), by name."""
    return get_registry().datasets()


def presets() -> dict[str, Preset]:
    """The registered presets, by canonical name."""
    return get_registry().presets()


def list_models(
    pattern: str = "*", *, family: str | None = None, tag: str | None = None
) -> list[str]:
    """Names of presets and family examples matching ``pattern``, ``family`` and ``tag``."""
    return get_registry().list_models(pattern, family=family, tag=tag)


def describe(name: str) -> dict[str, Any]:
    """Everything known about a name without building it."""
    return get_registry().describe(name)


def plugins() -> list[PluginInfo]:
    """Every plugin seen, with its distribution, status and families."""
    return get_registry().plugins()


def plugin_manager() -> Any:
    """The pluggy plugin manager of the process-wide registry (to call hooks)."""
    registry = get_registry()
    registry.plugins()
    return registry.manager


__all__ = [
    "BODY_PARTS",
    "KERAS_MOMENTUM",
    "DEFAULT_WEIGHTS",
    "NO_WEIGHTS",
    "PREPROCESSING_MODES",
    "BatchNormMomentum",
    "BodyPart",
    "BuildError",
    "Builder",
    "Command",
    "DatasetLayout",
    "EnsemblerProtocol",
    "Family",
    "FamilySpec",
    "InvalidNameError",
    "MemberProtocol",
    "ParsedName",
    "PluginError",
    "PluginInfo",
    "Preprocessing",
    "Preset",
    "Recipe",
    "Pretrained",
    "Registry",
    "RegistryError",
    "RunOptions",
    "Token",
    "TokenField",
    "UnknownModelError",
    "WeightsUnavailableError",
    "batch_norm_layers",
    "build",
    "canonical",
    "commands",
    "datasets",
    "describe",
    "families",
    "format_name",
    "get_family",
    "get_registry",
    "hookimpl",
    "hookspec",
    "keras_cache_dir",
    "list_models",
    "loading_weights",
    "parse",
    "plugin_manager",
    "plugins",
    "presets",
    "provider",
    "reset_registry",
    "resolve_weights",
]
