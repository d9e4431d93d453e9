"""The registry: families and presets gathered from plugins, keyed by names."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from typing import Any

import pluggy

from registry.entry_points import PluginInfo, load_entry_points, new_plugin_manager, report_failure
from registry.errors import (
    InvalidNameError,
    PluginError,
    RegistryError,
    UnknownModelError,
    closest,
)
from registry.family import Family, Preset
from registry.names import ParsedName, parse_name


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
        self._lock = threading.RLock()

    # -- plugins ------------------------------------------------------------------------

    def _load(self) -> dict[str, PluginInfo]:
        with self._lock:
            if self._infos is None:
                infos = load_entry_points(self.manager) if self._autoload else []
                self._infos = {info.name: info for info in infos}
            return self._infos

    def register_plugin(self, plugin: Any, name: str | None = None) -> str:
        """Register a plugin object (a module or an instance with ``@hookimpl`` methods)."""
        self._load()
        with self._lock:
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

    def _invalidate(self) -> None:
        self._families = self._presets = None

    # -- gathering families and presets ---------------------------------------------------

    def _gather(self) -> None:
        with self._lock:
            if self._families is not None:
                return
            infos = self._load()
            for info in infos.values():
                info.families, info.presets = [], 0
            families: dict[str, Family] = {}
            presets: dict[str, Preset] = {}

            def add_family(plugin: str, family: Family) -> None:
                if not isinstance(family, Family):
                    raise TypeError(f"register() expects a registry.Family, got {family!r}")
                if family.name in families:
                    raise PluginError(
                        f"family {family.name!r} is registered twice: by "
                        f"{_describe(infos, families[family.name].plugin)} and by "
                        f"{_describe(infos, plugin)}"
                    )
                families[family.name] = Family(**{**family.__dict__, "plugin": plugin})
                infos[plugin].families.append(family.name)

            def add_preset(plugin: str, preset: Preset) -> None:
                if not isinstance(preset, Preset):
                    raise TypeError(f"register() expects a registry.Preset, got {preset!r}")
                presets[preset.name] = Preset(**{**preset.__dict__, "plugin": plugin})
                infos[plugin].presets += 1

            try:
                self._call_each("register_families", add_family, infos)
                self._families, self._presets = families, {}
                self._call_each("register_presets", add_preset, infos)
                for preset in presets.values():  # presets must name valid, canonical names
                    canonical = self.parse(preset.name).full_name
                    if canonical != preset.name:
                        raise PluginError(
                            f"preset {preset.name!r} of plugin {preset.plugin!r} is not "
                            f"canonical; write it as {canonical!r}"
                        )
            except BaseException:
                self._invalidate()
                raise
            self._presets = presets

    def _call_each(
        self, hook_name: str, add: Callable[[str, Any], None], infos: dict[str, PluginInfo]
    ) -> None:
        """Call one hook plugin by plugin, so each registration is attributed to its plugin."""
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            plugin = impl.plugin_name
            infos.setdefault(plugin, PluginInfo(name=plugin, module=repr(impl.plugin)))
            try:
                impl.function(register=lambda item, plugin=plugin: add(plugin, item))
            except PluginError:
                raise
            except Exception as error:
                report_failure(infos[plugin], error)

    # -- queries --------------------------------------------------------------------------

    def families(self) -> dict[str, Family]:
        """The registered families, by name."""
        self._gather()
        return dict(sorted(self._families.items()))

    def family(self, name: str) -> Family:
        """The family called ``name``."""
        families = self.families()
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
        if self._presets:
            preset = self.preset(name)
            if preset is not None and preset.alias == name:
                name = preset.name
        return parse_name(name, self._families)

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
            canonical = self.canonical(fam.example)
            rows[canonical] = (fam.name, None, ("example", *fam.tags))
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
        return {
            **parsed.as_dict(),
            "summary": parsed.family.summary,
            "plugin": parsed.family.plugin,
            "preprocessing": parsed.family.preprocessing,
            "tokens": tokens,
            "preset": preset.as_dict() if preset else None,
        }

    def build(self, name: str, **overrides: Any) -> Any:
        """Build the uncompiled Keras model a name describes.

        ``overrides`` change spec fields (by field name, e.g. ``input_shape=(64, 64, 3)``)
        or pass the family's build options (e.g. ``weights="imagenet"``). The model is
        named by its canonical model name (after overrides).
        """
        parsed = self.parse(name)
        fields = set(type(parsed.spec).model_fields)
        spec_changes = {k: v for k, v in overrides.items() if k in fields}
        options = {k: v for k, v in overrides.items() if k not in fields}
        unknown = set(options) - set(parsed.family.options)
        if unknown:
            accepted = sorted(fields | set(parsed.family.options))
            raise InvalidNameError(
                parsed.full_name,
                f"unknown override {sorted(unknown)[0]!r} for family {parsed.family.name!r}",
                expected="one of " + ", ".join(accepted),
            )
        if spec_changes:
            parsed = parsed.replace(**spec_changes)
        model = parsed.family.builder(parsed.spec, **options)
        return _rename(model, parsed.model_name)


def _describe(infos: dict[str, PluginInfo], plugin: str) -> str:
    info = infos.get(plugin)
    if info and info.distribution:
        return f"plugin {plugin!r} of distribution {info.distribution} {info.version}"
    return f"plugin {plugin!r} (registered in code, no distribution)"


def _rename(model: Any, name: str) -> Any:
    """Give a built Keras model its canonical name."""
    if getattr(model, "name", None) != name:
        try:
            model.name = name
        except AttributeError:
            model._name = name
    return model


__all__ = ["Registry", "RegistryError"]
