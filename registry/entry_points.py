"""Loading plugins from the ``mura`` entry-point group.

The built-in families are entry points of this distribution and load through the same
code as third-party plugins. Environment variables control loading:

``MURA_DISABLE_PLUGIN_AUTOLOAD=1``
    load only this distribution's plugins and those named in ``MURA_PLUGINS``.
``MURA_PLUGINS=name,...``
    entry points to load even when autoloading is disabled.
``MURA_BLOCK_PLUGINS=name,...``
    entry points (or plugin names) never to load, built-in ones included.
``MURA_STRICT_PLUGINS=1``
    a plugin that fails to load is an error instead of a warning.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from importlib import import_module, metadata
from typing import Any

import pluggy

from registry import hookspecs
from registry.errors import PluginError

ENTRY_POINT_GROUP = "mura"
DISTRIBUTION = "mura-registry"
ENV_DISABLE_AUTOLOAD = "MURA_DISABLE_PLUGIN_AUTOLOAD"
ENV_PLUGINS = "MURA_PLUGINS"
ENV_BLOCK = "MURA_BLOCK_PLUGINS"
ENV_STRICT = "MURA_STRICT_PLUGINS"

logger = logging.getLogger("mura.plugins")


@dataclass
class PluginInfo:
    """One plugin as ``mura plugins`` reports it."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    status: str = "loaded"  # loaded | blocked | disabled | failed
    error: str | None = None
    families: list[str] = field(default_factory=list)
    presets: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return dict(self.__dict__)


def _env_list(name: str) -> set[str]:
    return {item.strip() for item in os.environ.get(name, "").split(",") if item.strip()}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def strict_mode() -> bool:
    """True when ``MURA_STRICT_PLUGINS`` asks for plugin failures to be fatal."""
    return _env_flag(ENV_STRICT)


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager knowing the ``mura`` hook specifications, with no plugin yet."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def report_failure(info: PluginInfo, error: BaseException) -> None:
    """Record a plugin failure; warn in one line, or raise in strict mode."""
    where = f" ({info.distribution} {info.version})" if info.distribution else ""
    message = f"plugin {info.name!r}{where} failed to load: {type(error).__name__}: {error}"
    info.status, info.error = "failed", f"{type(error).__name__}: {error}"
    if strict_mode():
        raise PluginError(message) from error
    logger.warning("mura: warning: %s (skipped)", message)


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
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
        except Exception as error:  # a broken plugin must not break the registry
            report_failure(info, error)
    for module_name in wanted - seen:  # MURA_PLUGINS may also name importable modules
        info = PluginInfo(name=module_name, module=module_name)
        infos.append(info)
        if module_name in blocked:
            info.status = "blocked"
            continue
        try:
            manager.register(import_module(module_name), name=module_name)
        except Exception as error:
            report_failure(info, error)
    return infos
