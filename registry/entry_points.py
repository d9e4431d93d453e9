"""Loading plugins from the ``mura`` entry-point group, each failure kept to its plugin.

The built-in families, commands and dataset layouts are entry points of this distribution and load
through the same code as third-party plugins. Environment variables control loading:

``MURA_DISABLE_PLUGIN_AUTOLOAD=1``
    load only this distribution's plugins and those named in ``MURA_PLUGINS``.
``MURA_PLUGINS=name,...``
    entry points to load even when autoloading is disabled.
``MURA_BLOCK_PLUGINS=name,...``
    entry points (or plugin names) never to load, built-in ones included.
``MURA_STRICT_PLUGINS=1``
    a plugin that fails to load, a family or command two plugins claim, and a dropped
    preset or command are errors instead of one-line warnings.

Whatever a plugin does wrong at import or in a hook (an exception, ``sys.exit``, a
misspelled hook, a wrong signature) is reported in one line naming it; a
``KeyboardInterrupt`` is never swallowed.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module, metadata
from typing import Any

import pluggy

from registry import hookspecs
from registry.errors import PluginError, closest

ENTRY_POINT_GROUP = "mura"
DISTRIBUTION = "mura-registry"
ENV_DISABLE_AUTOLOAD = "MURA_DISABLE_PLUGIN_AUTOLOAD"
ENV_PLUGINS = "MURA_PLUGINS"
ENV_BLOCK = "MURA_BLOCK_PLUGINS"
ENV_STRICT = "MURA_STRICT_PLUGINS"

logger = logging.getLogger("mura.plugins")


@dataclass
class PluginInfo:
    """One plugin as ``mura plugins`` reports it.

    ``problems`` lists what was refused without failing the whole plugin: a family or a
    command another plugin claims too (disabled), a preset or a command dropped.
    """

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    status: str = "loaded"  # loaded | empty (registered nothing) | blocked | disabled | failed
    error: str | None = None
    families: list[str] = field(default_factory=list)
    presets: int = 0
    commands: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``plugin 'x' (dist 1.0)`` for messages."""
        where = f" ({self.distribution} {self.version})" if self.distribution else ""
        return f"plugin {self.name!r}{where}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {key: value for key, value in self.__dict__.items()}


class HookError(PluginError):
    """A plugin's hook raised; ``reason`` says how, in one line."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _env_list(name: str) -> set[str]:
    return {item.strip() for item in os.environ.get(name, "").split(",") if item.strip()}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def blocked(name: str) -> bool:
    """True when ``MURA_BLOCK_PLUGINS`` blocks the plugin ``name``."""
    return name in _env_list(ENV_BLOCK)


def strict_mode() -> bool:
    """True when ``MURA_STRICT_PLUGINS`` asks for plugin failures to be fatal."""
    return _env_flag(ENV_STRICT)


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager knowing the ``mura`` hook specifications, with no plugin yet."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def failure_reason(error: BaseException) -> str:
    """One line saying how a plugin failed."""
    if isinstance(error, SystemExit):
        return f"called sys.exit({error.code!r})"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def report_failure(info: PluginInfo, reason: str) -> None:
    """Mark a plugin failed; warn in one line, or raise in strict mode."""
    message = f"{info.label} failed to load: {reason}"
    info.status, info.error = "failed", reason
    if strict_mode():
        raise PluginError(message)
    logger.warning("mura: warning: %s (skipped)", message)


def report_problem(info: PluginInfo, problem: str, *, warn: bool = True) -> None:
    """Record something of a plugin's that was refused; warn in one line."""
    info.problems.append(problem)
    if warn:
        logger.warning("mura: warning: %s: %s", info.label, problem)


def call_guarded(
    info: PluginInfo, hook_name: str, function: Callable[..., Any], kwargs: dict[str, Any]
) -> Any:
    """Call one plugin's hook; any failure but ``KeyboardInterrupt`` is a :class:`HookError`."""
    try:
        return function(**kwargs)
    except (Exception, SystemExit) as error:
        reason = f"hook {hook_name}: {failure_reason(error)}"
        raise HookError(f"{info.label} failed in {reason}", reason) from error


def hook_names(manager: pluggy.PluginManager) -> dict[str, tuple[str, ...]]:
    """The hooks the manager knows, with the arguments each passes."""
    names = {}
    for name in dir(manager.hook):
        caller = getattr(manager.hook, name)
        if isinstance(caller, pluggy.HookCaller) and caller.spec is not None:
            names[name] = tuple(caller.spec.argnames)
    return names


def validate_plugin(manager: pluggy.PluginManager, plugin: Any) -> str | None:
    """A one-line problem with a plugin's hook implementations, or ``None``.

    Catches what pluggy only reports late or in many lines: a function marked
    ``@hookimpl`` whose name is no hook (a misspelling), and a wrong signature.
    """
    known = hook_names(manager)
    for attribute in dir(plugin):
        options = manager.parse_hookimpl_opts(plugin, attribute)
        if not options:
            continue
        if attribute not in known:
            if options.get("optionalhook"):
                continue
            hint = closest(attribute, known)
            return f"{attribute!r} is marked @hookimpl but is not a mura hook" + (
                f" (did you mean {hint!r}?)" if hint else f"; hooks: {', '.join(known)}"
            )
        try:
            parameters = inspect.signature(getattr(plugin, attribute)).parameters.values()
        except (TypeError, ValueError):
            continue
        wanted = [
            p.name
            for p in parameters
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        unknown = [name for name in wanted if name not in known[attribute]]
        if unknown:
            return (
                f"hook {attribute!r} takes ({', '.join(wanted)}) but the hook passes only "
                f"({', '.join(known[attribute])})"
            )
    return None


def _register(manager: pluggy.PluginManager, info: PluginInfo, load: Callable[[], Any]) -> None:
    """Import a plugin, check its hooks and register it; a failure is the plugin's."""
    try:
        plugin = load()
        problem = validate_plugin(manager, plugin)
        if problem:
            report_failure(info, problem)
            return
        manager.register(plugin, name=info.name)
    except PluginError:
        raise
    except (Exception, SystemExit) as error:  # a broken plugin must not break the registry
        report_failure(info, failure_reason(error))


def load_entry_points(manager: pluggy.PluginManager) -> list[PluginInfo]:
    """Import and register every allowed entry point of the ``mura`` group."""
    blocked = _env_list(ENV_BLOCK)
    wanted = _env_list(ENV_PLUGINS)
    autoload = not _env_flag(ENV_DISABLE_AUTOLOAD)
    for name in blocked:
        manager.set_blocked(name)
    infos: list[PluginInfo] = []
    seen: set[str] = set()
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in seen:  # the same distribution found twice on sys.path
            continue
        seen.add(entry_point.name)
        dist = entry_point.dist
        info = PluginInfo(
            name=entry_point.name,
            distribution=dist.metadata["Name"] if dist else None,
            version=dist.version if dist else None,
            module=entry_point.value,
        )
        infos.append(info)
        if entry_point.name in blocked or manager.is_blocked(entry_point.name):
            info.status = "blocked"
            continue
        if not autoload and info.distribution != DISTRIBUTION and entry_point.name not in wanted:
            info.status = "disabled"
            continue
        _register(manager, info, entry_point.load)
    modules = {info.module for info in infos}  # a module named twice loads once
    for module_name in sorted(wanted - seen - modules):  # MURA_PLUGINS may name modules too
        info = PluginInfo(name=module_name, module=module_name)
        infos.append(info)
        if module_name in blocked:
            info.status = "blocked"
            continue
        _register(manager, info, lambda module_name=module_name: import_module(module_name))
    return infos
