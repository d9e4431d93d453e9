"""The registry: families, presets and commands gathered from plugins, keyed by names.

One plugin's mistake stays that plugin's (see :mod:`registry.gathering`): a family two
plugins claim is disabled and both claimants are named wherever it is needed.
"""

from __future__ import annotations

import fnmatch
import os
import threading
from typing import Any

import pluggy

from registry.batch_norm import set_momentum, spec_momentum
from registry.command import Command
from registry.datasets import DatasetLayout
from registry.entry_points import (
    PluginInfo,
    call_guarded,
    load_entry_points,
    new_plugin_manager,
    validate_plugin,
)
from registry.errors import (
    BuildError,
    InvalidNameError,
    PluginError,
    RegistryError,
    UnknownModelError,
    closest,
)
from registry.family import Family, Preset
from registry.gathering import gather
from registry.names import ParsedName, parse_name
from registry.weights import DEFAULT_WEIGHTS

#: Environment variable overriding the largest model :meth:`Registry.build` accepts.
ENV_MAX_PARAMETERS = "MURA_MAX_PARAMETERS"


class Registry:
    """Families and presets registered by plugins, and everything keyed by names.

    Entry points load on first use. Plugins registered in code (tests, notebooks) with
    :meth:`register_plugin` take part like entry-point plugins.
    """

    def __init__(self, manager: pluggy.PluginManager | None = None, *, autoload: bool = True):
        self.manager = manager or new_plugin_manager()
        self._autoload = autoload
        self._infos: dict[str, PluginInfo] | None = None
        self._families: dict[str, Family] | None = None
        self._presets: dict[str, Preset] | None = None
        self._commands: dict[str, Command] = {}
        self._clashes: dict[str, str] = {}
        self._command_clashes: dict[str, str] = {}
        self._datasets: dict[str, DatasetLayout] = {}
        self._dataset_clashes: dict[str, str] = {}
        self._lock = threading.RLock()

    # -- plugins ------------------------------------------------------------------------

    def _load(self) -> dict[str, PluginInfo]:
        with self._lock:
            if self._infos is None:
                infos = load_entry_points(self.manager) if self._autoload else []
                self._infos = {info.name: info for info in infos}
            return self._infos

    def register_plugin(self, plugin: Any, name: str | None = None) -> str:
        """Register a plugin object (a module or an instance with ``@hookimpl`` methods).

        Raises:
            PluginError: a misspelled hook or a hook with a wrong signature, or blocked.
        """
        self._load()
        with self._lock:
            problem = validate_plugin(self.manager, plugin)
            if problem:
                raise PluginError(f"plugin {name or plugin!r}: {problem}")
            plugin_name = self.manager.register(plugin, name=name)
            if plugin_name is None:
                raise PluginError(f"plugin {name!r} is blocked")
            self._infos[plugin_name] = PluginInfo(name=plugin_name, module=repr(plugin))
            self._invalidate()
            return plugin_name

    def unregister_plugin(self, name: str) -> None:
        """Remove a plugin registered under ``name``."""
        self._load()
        with self._lock:
            self.manager.unregister(name=name)
            self._infos.pop(name, None)
            self._invalidate()

    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen: loaded, blocked, disabled or failed, with its families."""
        self._gather()
        return list(self._load().values())

    def provider(self, family: str) -> dict[str, str | None]:
        """The plugin, distribution and version that provide ``family``."""
        plugin = self.family(family).plugin
        info = self._load().get(plugin) or PluginInfo(name=plugin)
        return {"plugin": plugin, "distribution": info.distribution, "version": info.version}

    def call_hook(self, hook_name: str, **kwargs: Any) -> None:
        """Call a hook plugin by plugin; a failure is a :class:`PluginError` naming it."""
        self._gather()
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            info = self._load().get(impl.plugin_name) or PluginInfo(name=impl.plugin_name)
            call_guarded(info, hook_name, impl.function, kwargs)

    def _invalidate(self) -> None:
        self._families = self._presets = None

    # -- gathering families and presets ---------------------------------------------------

    def _gather(self) -> None:
        with self._lock:
            if self._families is not None:
                return
            gathered = gather(self.manager, self._load())
            self._families, self._presets = gathered.families, gathered.presets
            self._clashes, self._commands = gathered.clashes, gathered.commands
            self._command_clashes = gathered.command_clashes
            self._datasets, self._dataset_clashes = gathered.datasets, gathered.dataset_clashes

    # -- queries --------------------------------------------------------------------------

    def families(self) -> dict[str, Family]:
        """The registered families, by name (disabled ones excluded)."""
        self._gather()
        return dict(sorted(self._families.items()))

    def clashes(self) -> dict[str, str]:
        """Disabled families, with the message naming every plugin that claims them."""
        self._gather()
        return dict(self._clashes)

    def family(self, name: str) -> Family:
        """The family called ``name``."""
        families = self.families()
        if name in self._clashes:
            raise PluginError(self._clashes[name])
        if name not in families:
            hint = closest(name, families)
            raise UnknownModelError(
                f"unknown family {name!r}"
                + (f"; did you mean {hint!r}?" if hint else f"; known: {', '.join(families)}")
            )
        return families[name]

    def commands(self) -> dict[str, Command]:
        """The ``mura`` subcommands plugins add, by name (disabled ones excluded)."""
        self._gather()
        return dict(self._commands)

    def command_clashes(self) -> dict[str, str]:
        """Disabled commands, with the message naming every plugin that claims them."""
        self._gather()
        return dict(self._command_clashes)

    def datasets(self) -> dict[str, DatasetLayout]:
        """The dataset layouts plugins register, by name (disabled ones excluded)."""
        self._gather()
        return dict(self._datasets)

    def dataset_clashes(self) -> dict[str, str]:
        """Disabled dataset layouts, with the message naming every plugin that claims them."""
        self._gather()
        return dict(self._dataset_clashes)

    def presets(self) -> dict[str, Preset]:
        """The registered presets, by canonical name."""
        self._gather()
        return dict(self._presets)

    def preset(self, name_or_alias: str) -> Preset | None:
        """The preset with this canonical name or alias, or ``None``."""
        presets = self.presets()
        if name_or_alias in presets:
            return presets[name_or_alias]
        return next((p for p in presets.values() if p.alias == name_or_alias), None)

    def parse(self, name: str) -> ParsedName:
        """Parse and validate a model or run name (a preset alias is accepted too)."""
        self._gather()
        preset = self.preset(name) if self._presets else None
        if preset is not None and preset.alias == name:
            name = preset.name
        try:
            return parse_name(name, self._families)
        except InvalidNameError as error:
            if error.token in self._clashes:
                raise PluginError(self._clashes[error.token]) from None
            raise

    def canonical(self, name: str) -> str:
        """The canonical form of a model or run name."""
        return self.parse(name).full_name

    def list_models(
        self, pattern: str = "*", *, family: str | None = None, tag: str | None = None
    ) -> list[str]:
        """Names of presets and family examples matching an fnmatch ``pattern``.

        ``pattern`` matches the canonical name, the alias or the family name;
        ``family`` and ``tag`` filter further (a family's example carries the tag
        ``example`` and the family's own tags).
        """
        rows = self._listing()
        names = []
        for name, (family_name, alias, tags) in rows.items():
            if family is not None and not fnmatch.fnmatchcase(family_name, family):
                continue
            if tag is not None and tag not in tags:
                continue
            candidates = [name, family_name] + ([alias] if alias else [])
            if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
                names.append(name)
        return sorted(names)

    def _listing(self) -> dict[str, tuple[str, str | None, tuple[str, ...]]]:
        rows: dict[str, tuple[str, str | None, tuple[str, ...]]] = {}
        for fam in self.families().values():
            rows[fam.example] = (fam.name, None, ("example", *fam.tags))
        for preset in self.presets().values():
            family_name = self.parse(preset.name).family.name
            fam_tags = self.families()[family_name].tags
            previous = rows.get(preset.name, (family_name, None, ()))[2]
            rows[preset.name] = (family_name, preset.alias, (*previous, *preset.tags, *fam_tags))
        return rows

    def describe(self, name: str) -> dict[str, Any]:
        """Everything known about a name without building it: tokens, family, preset."""
        parsed = self.parse(name)
        preset = self.preset(parsed.full_name) or self.preset(parsed.model_name)
        tokens = []
        for tf in parsed.spec.token_fields():
            value = getattr(parsed.spec, tf.field)
            tokens.append(
                {
                    "token": tf.key,
                    "field": tf.field,
                    "value": list(value) if isinstance(value, tuple) else value,
                    "help": tf.help,
                }
            )
        family = parsed.family
        # an ensemble's images are normalised as its members declare
        modes = {member.family.preprocessing for member in parsed.members.values()}
        return {
            **parsed.as_dict(),
            "summary": family.summary,
            "plugin": family.plugin,
            "provider": self.provider(family.name),
            "preprocessing": "/".join(sorted(modes)) if modes else family.preprocessing,
            "input_shape": list(parsed.input_shape),
            "pretrained": family.pretrained.as_dict() if family.pretrained else None,
            "default_weights": family.default_weights(parsed.spec),
            "ensemble": family.is_ensemble,
            "explain_layer": family.explain_layer_of(parsed.spec),
            "parameters_estimate": family.estimate_parameters(parsed.spec),
            "tokens": tokens,
            "preset": preset.as_dict() if preset else None,
        }

    def resolve_weights(self, name: str | ParsedName, weights: Any = DEFAULT_WEIGHTS) -> Any:
        """The weights a build of ``name`` would start from, checked without building.

        ``weights``: a source of the family (``"imagenet"``), a file, ``None``/``"none"``
        (random), or ``"default"`` (the family's declared default).

        Raises:
            BuildError: the family takes no weights, the input does not fit the source,
                or the file does not exist.
        """
        parsed = name if isinstance(name, ParsedName) else self.parse(name)
        return parsed.family.check_weights(parsed.spec, weights)

    def check_size(self, name: str | ParsedName) -> int | None:
        """The family's parameter estimate for ``name``; refuses models too large to build.

        Raises:
            BuildError: the parameters alone would take more than the allowed memory.
        """
        parsed = name if isinstance(name, ParsedName) else self.parse(name)
        estimate = parsed.family.estimate_parameters(parsed.spec)
        limit = parameter_limit()
        if estimate is not None and limit is not None and estimate > limit:
            raise BuildError(
                f"{parsed.model_name} would have {estimate:,} parameters "
                f"({estimate * 4 / 1e9:.1f} GB as float32), more than the limit of {limit:,} "
                f"({limit * 4 / 1e9:.1f} GB, half of this machine's memory; "
                f"{ENV_MAX_PARAMETERS} sets it)"
            )
        return estimate

    def build(
        self, name: str | ParsedName, weights: Any = DEFAULT_WEIGHTS, **overrides: Any
    ) -> Any:
        """Build the uncompiled Keras model a name (or a parsed name) describes; a run
        name's suffix plays no part.

        ``weights`` (families with pretrained weights): a declared source, a file,
        ``None`` or ``"default"`` (the family's default). ``overrides`` change spec
        fields (by field name, e.g. ``input_shape=(64, 64, 3)``) or pass the family's
        other build options. The model is named by its canonical model name.
        """
        parsed = name if isinstance(name, ParsedName) else self.parse(name)
        fields = set(type(parsed.spec).model_fields)
        spec_changes = {k: v for k, v in overrides.items() if k in fields}
        options = {k: v for k, v in overrides.items() if k not in fields}
        unknown = set(options) - set(parsed.family.options)
        if unknown:
            accepted = sorted(fields | set(parsed.family.options) | {"weights"})
            raise InvalidNameError(
                parsed.full_name,
                f"unknown override {sorted(unknown)[0]!r} for family {parsed.family.name!r}",
                expected="one of " + ", ".join(accepted),
            )
        if spec_changes:
            parsed = parsed.replace(**spec_changes)
        self.check_size(parsed)
        chosen = self.resolve_weights(parsed, weights)
        if parsed.family.pretrained is not None:
            options["weights"] = chosen
        model = parsed.family.builder(parsed.spec, **options)
        momentum = spec_momentum(parsed.spec)
        if momentum is not None:
            set_momentum(model, momentum)
        return _rename(model, parsed.model_name)


def parameter_limit() -> int | None:
    """Most parameters a model may have: half the machine's memory as float32 values."""
    configured = os.environ.get(ENV_MAX_PARAMETERS, "").strip()
    if configured:
        try:
            return int(float(configured))
        except ValueError:
            raise RegistryError(
                f"{ENV_MAX_PARAMETERS} must be a number of parameters, got {configured!r}"
            ) from None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return memory // 2 // 4


def _rename(model: Any, name: str) -> Any:
    """Give a built Keras model its canonical name."""
    if getattr(model, "name", None) != name:
        try:
            model.name = name
        except AttributeError:
            model._name = name
    return model


__all__ = ["Registry", "RegistryError", "parameter_limit"]
