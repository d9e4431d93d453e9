"""The registry: families and presets gathered from plugins, keyed by names.

One plugin's mistake stays that plugin's: a family two plugins claim is disabled (both
claimants are named wherever it is needed), a bad preset is dropped, a bad declaration
or a failing hook marks its plugin failed, and every other family keeps working.
``MURA_STRICT_PLUGINS=1`` turns each of these into an error.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import threading
from collections.abc import Callable
from typing import Any

import pluggy

from registry.entry_points import (
    PluginInfo,
    call_guarded,
    load_entry_points,
    logger,
    new_plugin_manager,
    report_failure,
    report_problem,
    strict_mode,
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
        self._clashes: dict[str, list[str]] = {}
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
            infos = self._load()
            for info in infos.values():
                info.families, info.presets, info.problems = [], 0, []
            try:
                claims = self._collect("register_families", infos, self._accept_family)
                self._families = self._settle_claims(claims, infos)
                offered = self._collect("register_presets", infos, self._accept_preset)
                self._presets = self._settle_presets(offered, infos)
            except BaseException:
                self._invalidate()
                raise

    def _collect(
        self, hook_name: str, infos: dict[str, PluginInfo], accept: Callable[[Any], Any]
    ) -> list[tuple[str, Any]]:
        """Call ``hook_name`` plugin by plugin; keep what each registered if it succeeded."""
        collected: list[tuple[str, Any]] = []
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            plugin = impl.plugin_name
            info = infos.setdefault(plugin, PluginInfo(name=plugin, module=repr(impl.plugin)))
            if info.status == "failed":
                continue
            items: list[Any] = []
            try:
                call_guarded(info, hook_name, impl.function, {"register": items.append})
                items = [accept(item, plugin) for item in items]
            except PluginError as error:
                report_failure(info, getattr(error, "reason", None) or str(error))
                continue
            collected.extend((plugin, item) for item in items)
        return collected

    def _accept_family(self, family: Any, plugin: str) -> Family:
        if not isinstance(family, Family):
            raise PluginError(f"register() expects a registry.Family, got {family!r}")
        family = dataclasses.replace(family, plugin=plugin)
        try:
            family.validate(lambda name: parse_name(name, {family.name: family}))
        except (TypeError, ValueError) as error:
            raise PluginError(str(error)) from error
        return family

    @staticmethod
    def _accept_preset(preset: Any, plugin: str) -> Preset:
        if not isinstance(preset, Preset):
            raise PluginError(f"register() expects a registry.Preset, got {preset!r}")
        return dataclasses.replace(preset, plugin=plugin)

    def _settle_claims(
        self, claims: list[tuple[str, Family]], infos: dict[str, PluginInfo]
    ) -> dict[str, Family]:
        """Families claimed once are registered; a family claimed twice is disabled."""
        by_name: dict[str, list[Family]] = {}
        for _, family in claims:
            by_name.setdefault(family.name, []).append(family)
        families: dict[str, Family] = {}
        self._clashes = {}
        for name, claimants in by_name.items():
            if len(claimants) == 1:
                families[name] = claimants[0]
                infos[claimants[0].plugin].families.append(name)
                continue
            self._clashes[name] = [family.plugin for family in claimants]
            message = self._clash_message(name)
            if strict_mode():
                raise PluginError(message)
            for family in claimants:
                report_problem(infos[family.plugin], message, warn=False)
            logger.warning("mura: warning: %s", message)
        return families

    def _clash_message(self, family: str) -> str:
        infos = self._load()
        claimants = " and ".join(describe_plugin(infos, p) for p in self._clashes[family])
        return (
            f"family {family!r} is disabled: it is registered by {claimants}; "
            "uninstall or block one of them (MURA_BLOCK_PLUGINS)"
        )

    def _settle_presets(
        self, offered: list[tuple[str, Preset]], infos: dict[str, PluginInfo]
    ) -> dict[str, Preset]:
        """Presets that name canonical, buildable names and clear aliases; others dropped."""
        presets: dict[str, Preset] = {}
        aliases: set[str] = set()
        for plugin, preset in offered:
            if preset.name.partition("_")[0] in self._clashes:
                continue  # the family is disabled, as its clash warning said
            problem = self._preset_problem(preset, presets, aliases)
            if problem:
                message = f"preset {preset.name!r} dropped: {problem}"
                if strict_mode():
                    raise PluginError(f"{describe_plugin(infos, plugin)}: {message}")
                report_problem(infos[plugin], message)
                continue
            presets[preset.name] = preset
            if preset.alias:
                aliases.add(preset.alias)
            infos[plugin].presets += 1
        return presets

    def _preset_problem(
        self, preset: Preset, presets: dict[str, Preset], aliases: set[str]
    ) -> str | None:
        try:
            canonical = parse_name(preset.name, self._families).full_name
        except RegistryError as error:
            return str(error)
        if canonical != preset.name:
            return f"not canonical; write it as {canonical!r}"
        if preset.name in presets:
            return f"registered twice (also by plugin {presets[preset.name].plugin!r})"
        if preset.alias is None:
            return None
        if preset.alias in aliases or preset.alias in presets:
            return f"alias {preset.alias!r} is already taken"
        try:
            parse_name(preset.alias, self._families)
        except RegistryError:
            return None
        return f"alias {preset.alias!r} is itself a model name; choose an alias of another form"

    # -- queries --------------------------------------------------------------------------

    def families(self) -> dict[str, Family]:
        """The registered families, by name (disabled ones excluded)."""
        self._gather()
        return dict(sorted(self._families.items()))

    def clashes(self) -> dict[str, str]:
        """Disabled families, with the message naming every plugin that claims them."""
        self._gather()
        return {family: self._clash_message(family) for family in self._clashes}

    def family(self, name: str) -> Family:
        """The family called ``name``."""
        families = self.families()
        if name in self._clashes:
            raise PluginError(self._clash_message(name))
        if name not in families:
            hint = closest(name, families)
            raise UnknownModelError(
                f"unknown family {name!r}"
                + (f"; did you mean {hint!r}?" if hint else f"; known: {', '.join(families)}")
            )
        return families[name]

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
                raise PluginError(self._clash_message(error.token)) from None
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
        return {
            **parsed.as_dict(),
            "summary": family.summary,
            "plugin": family.plugin,
            "provider": self.provider(family.name),
            "preprocessing": family.preprocessing,
            "input_shape": list(parsed.input_shape),
            "pretrained": family.pretrained.as_dict() if family.pretrained else None,
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

    def build(self, name: str, weights: Any = DEFAULT_WEIGHTS, **overrides: Any) -> Any:
        """Build the uncompiled Keras model a name describes.

        ``weights`` (families with pretrained weights): a declared source, a file,
        ``None`` or ``"default"`` (the family's default). ``overrides`` change spec
        fields (by field name, e.g. ``input_shape=(64, 64, 3)``) or pass the family's
        other build options. The model is named by its canonical model name.
        """
        parsed = self.parse(name)
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
        return _rename(model, parsed.model_name)


def describe_plugin(infos: dict[str, PluginInfo], plugin: str) -> str:
    """``plugin 'x' of distribution d 1.0`` (or registered in code)."""
    info = infos.get(plugin)
    if info and info.distribution:
        return f"plugin {plugin!r} of distribution {info.distribution} {info.version}"
    return f"plugin {plugin!r} (registered in code, no distribution)"


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


__all__ = ["Registry", "RegistryError", "describe_plugin", "parameter_limit"]
