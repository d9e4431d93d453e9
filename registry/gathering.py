"""Gathering families, presets and commands from the plugins, each mistake kept to its plugin.

:func:`gather` calls the registration hooks plugin by plugin. A plugin whose hook fails,
or that registers something other than a valid :class:`Family`/:class:`Preset`/
:class:`Command`, is marked failed and contributes nothing more. A family or a command
claimed by two plugins is disabled (a *clash*, naming both), except that a built-in
command keeps its name and the other claimant's command is dropped; a preset that is not
canonical, does not parse or repeats another is dropped with a one-line warning, and so
is one whose alias is blank or spaced, a family's name, another preset's alias (built-in
presets settle first) or itself a model name. A plugin that registers nothing and
implements no other hook is marked ``empty`` with a warning (a forgotten ``@hookimpl``).
``MURA_STRICT_PLUGINS=1`` turns each of these into a :class:`PluginError`.
Dataset layouts (:class:`DatasetLayout`) are gathered as families are: a layout two
plugins register is disabled, naming both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from registry.command import Command
from registry.datasets import DatasetLayout
from registry.entry_points import (
    DISTRIBUTION,
    PluginInfo,
    call_guarded,
    hook_names,
    logger,
    report_failure,
    report_problem,
    strict_mode,
)
from registry.errors import InvalidNameError, PluginError, RegistryError
from registry.family import Family, Preset
from registry.names import parse_name


@dataclass
class Gathered:
    """What the plugins registered, and the families and commands disabled by a clash."""

    families: dict[str, Family] = field(default_factory=dict)
    presets: dict[str, Preset] = field(default_factory=dict)
    clashes: dict[str, str] = field(default_factory=dict)  # family -> message naming both
    commands: dict[str, Command] = field(default_factory=dict)
    command_clashes: dict[str, str] = field(default_factory=dict)  # command -> message
    datasets: dict[str, DatasetLayout] = field(default_factory=dict)
    dataset_clashes: dict[str, str] = field(default_factory=dict)  # layout -> message


def describe_plugin(infos: dict[str, PluginInfo], plugin: str) -> str:
    """``plugin 'x' of distribution d 1.0`` (or registered in code)."""
    info = infos.get(plugin)
    if info and info.distribution:
        return f"plugin {plugin!r} of distribution {info.distribution} {info.version}"
    return f"plugin {plugin!r} (registered in code, no distribution)"


def gather(manager: pluggy.PluginManager, infos: dict[str, PluginInfo]) -> Gathered:
    """Call the registration hooks and settle what they registered."""
    for info in infos.values():
        info.families, info.presets, info.commands, info.problems = [], 0, [], []
        info.datasets = []
        if info.status == "empty":
            info.status = "loaded"
    result = Gathered()
    claims = _collect(manager, "register_families", infos, _accept_family)
    _settle_claims(claims, infos, result)
    _check_ensemble_examples(infos, result)
    offered = _collect(manager, "register_presets", infos, _accept_preset)
    _settle_presets(offered, infos, result)
    commands = _collect(manager, "register_commands", infos, _accept_command)
    _settle_commands(commands, infos, result)
    layouts = _collect(manager, "register_datasets", infos, _accept_dataset)
    _settle_datasets(layouts, infos, result)
    _flag_empty(manager, infos)
    return result


#: The hooks :func:`gather` calls; a plugin implementing only these must register something.
GATHERED_HOOKS = (
    "register_families",
    "register_presets",
    "register_commands",
    "register_datasets",
)


def _flag_empty(manager: pluggy.PluginManager, infos: dict[str, PluginInfo]) -> None:
    """Mark ``empty``, with a warning, each loaded plugin that registered nothing and
    implements no other hook: a forgotten ``@hookimpl`` or a hook that never registers."""
    for info in infos.values():
        plugin = manager.get_plugin(info.name)
        if info.status != "loaded" or plugin is None or info.problems:
            continue
        if info.families or info.presets or info.commands or info.datasets:
            continue
        hooks = [caller.name for caller in manager.get_hookcallers(plugin) or []]
        if any(hook not in GATHERED_HOOKS for hook in hooks):
            continue  # it extends something else (callbacks, ...)
        if hooks:
            reason = f"registers nothing: its hooks ({', '.join(hooks)}) never call register()"
        else:
            hooks = [name for name in hook_names(manager) if callable(getattr(plugin, name, None))]
            reason = "registers nothing: no function of it is marked @hookimpl" + (
                f" (is {hooks[0]!r} missing @hookimpl?)" if hooks else ""
            )
        refuse(infos, info.name, reason)
        info.status = "empty"


def _builtin(infos: dict[str, PluginInfo], plugin: str) -> bool:
    """True for a plugin of this distribution (a built-in family or command)."""
    info = infos.get(plugin)
    return info is not None and info.distribution == DISTRIBUTION


def _collect(
    manager: pluggy.PluginManager,
    hook_name: str,
    infos: dict[str, PluginInfo],
    accept: Callable[[Any, str], Any],
) -> list[tuple[str, Any]]:
    """Call ``hook_name`` plugin by plugin; keep what each registered if it succeeded."""
    collected: list[tuple[str, Any]] = []
    for impl in getattr(manager.hook, hook_name).get_hookimpls():
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


def _accept_family(family: Any, plugin: str) -> Family:
    if not isinstance(family, Family):
        raise PluginError(f"register() expects a registry.Family, got {family!r}")
    family = dataclasses.replace(family, plugin=plugin)
    try:
        family.validate(
            lambda name: parse_name(name, {family.name: family}),
            examples=not family.is_ensemble,
        )
    except (TypeError, ValueError) as error:
        raise PluginError(str(error)) from error
    return family


def _check_ensemble_examples(infos: dict[str, PluginInfo], result: Gathered) -> None:
    """Check ensembles' examples once every family is known; drop an ensemble whose
    examples do not parse (its plugin's other families stay)."""
    for name, family in list(result.families.items()):
        if not family.is_ensemble:
            continue
        try:
            family.check_examples(lambda text: parse_name(text, result.families))
        except (TypeError, ValueError) as error:
            if _unavailable_member(error, result):
                continue  # a member family blocked, absent or disabled: said elsewhere
            del result.families[name]
            infos[family.plugin].families.remove(name)
            refuse(infos, family.plugin, f"family {name!r} dropped: {error}")


def _accept_preset(preset: Any, plugin: str) -> Preset:
    if not isinstance(preset, Preset):
        raise PluginError(f"register() expects a registry.Preset, got {preset!r}")
    return dataclasses.replace(preset, plugin=plugin)


def _accept_command(command: Any, plugin: str) -> Command:
    if not isinstance(command, Command):
        raise PluginError(f"register() expects a registry.Command, got {command!r}")
    return dataclasses.replace(command, plugin=plugin)


def _accept_dataset(layout: Any, plugin: str) -> DatasetLayout:
    if not isinstance(layout, DatasetLayout):
        raise PluginError(f"register() expects a registry.DatasetLayout, got {layout!r}")
    return dataclasses.replace(layout, plugin=plugin)


def _settle_datasets(
    claims: list[tuple[str, DatasetLayout]], infos: dict[str, PluginInfo], result: Gathered
) -> None:
    """Layouts claimed once are registered; a layout claimed twice is disabled."""
    by_name: dict[str, list[DatasetLayout]] = {}
    for _, layout in claims:
        by_name.setdefault(layout.name, []).append(layout)
    for name, claimants in by_name.items():
        if len(claimants) == 1:
            result.datasets[name] = claimants[0]
            infos[claimants[0].plugin].datasets.append(name)
        else:
            result.dataset_clashes[name] = _clash("dataset layout", name, claimants, infos)


def _settle_claims(
    claims: list[tuple[str, Family]], infos: dict[str, PluginInfo], result: Gathered
) -> None:
    """Families claimed once are registered; a family claimed twice is disabled."""
    by_name: dict[str, list[Family]] = {}
    for _, family in claims:
        by_name.setdefault(family.name, []).append(family)
    for name, claimants in by_name.items():
        if len(claimants) == 1:
            result.families[name] = claimants[0]
            infos[claimants[0].plugin].families.append(name)
            continue
        result.clashes[name] = _clash("family", name, claimants, infos)


def _settle_presets(
    offered: list[tuple[str, Preset]], infos: dict[str, PluginInfo], result: Gathered
) -> None:
    """Presets that name canonical, buildable names and clear aliases; others dropped."""
    aliases: dict[str, str] = {}  # alias -> the plugin whose preset has it
    offered = sorted(offered, key=lambda item: not _builtin(infos, item[0]))  # built-ins first
    for plugin, preset in offered:
        if _needs_unavailable_family(preset.name, result):
            continue  # a family it needs is blocked, absent or disabled by a clash
        problem = _preset_problem(preset, result, aliases)
        if problem:
            refuse(infos, plugin, f"preset {preset.name!r} dropped: {problem}")
            continue
        result.presets[preset.name] = preset
        if preset.alias:
            aliases[preset.alias] = plugin
        infos[plugin].presets += 1


def _unavailable_member(error: Exception, result: Gathered) -> bool:
    """True for a parse error caused by a family disabled by a clash, or by a member's
    family that is not registered (blocked or not installed)."""
    if not isinstance(error, InvalidNameError):
        return False
    if error.token in result.clashes:
        return True
    return error.problem.startswith("member ") and "unknown family" in error.problem


def _needs_unavailable_family(name: str, result: Gathered) -> bool:
    """True when ``name`` (or a member it embeds) needs an unavailable family."""
    if name.partition("_")[0] in result.clashes:
        return True
    try:
        parse_name(name, result.families)
    except InvalidNameError as error:
        return _unavailable_member(error, result)
    return False


def _preset_problem(preset: Preset, result: Gathered, aliases: dict[str, str]) -> str | None:
    try:
        canonical = parse_name(preset.name, result.families).full_name
    except RegistryError as error:
        return str(error)
    if canonical != preset.name:
        return f"not canonical; write it as {canonical!r}"
    if preset.recipe is not None and preset.recipe.augment is not None and "__" in preset.name:
        return "its recipe sets augment, which its run suffix already says; drop one"
    if preset.name in result.presets:
        return f"registered twice (also by plugin {result.presets[preset.name].plugin!r})"
    return None if preset.alias is None else _alias_problem(preset.alias, result, aliases)


def _alias_problem(alias: str, result: Gathered, aliases: dict[str, str]) -> str | None:
    """Why ``alias`` cannot name a preset: blank or spaced, a family's name, taken, a name."""
    if not alias or any(character.isspace() for character in alias):
        return f"alias {alias!r} is empty or contains whitespace; write it as one word"
    if alias in result.families or alias in result.clashes:
        return f"alias {alias!r} is the name of a family; choose another alias"
    if alias in aliases:
        return f"alias {alias!r} is already taken by a preset of plugin {aliases[alias]!r}"
    if alias in result.presets:
        return f"alias {alias!r} is already the name of a preset"
    try:
        parse_name(alias, result.families)
    except RegistryError:
        return None
    return f"alias {alias!r} is itself a model name; choose an alias of another form"


def _settle_commands(
    offered: list[tuple[str, Command]], infos: dict[str, PluginInfo], result: Gathered
) -> None:
    """Commands claimed once are added; a built-in command keeps its name (the other
    claimants' commands are dropped); a name two other plugins claim is disabled."""
    by_name: dict[str, list[Command]] = {}
    for _, command in offered:
        by_name.setdefault(command.name, []).append(command)
    for name, claimants in by_name.items():
        builtins = [command for command in claimants if _builtin(infos, command.plugin)]
        if not builtins and len(claimants) > 1:
            result.command_clashes[name] = _clash("command", name, claimants, infos)
            continue
        kept = (builtins or claimants)[0]
        result.commands[name] = kept
        infos[kept.plugin].commands.append(name)
        for command in claimants:
            if command is not kept:
                message = f"command {name!r} dropped: {DISTRIBUTION} has a command of that name"
                refuse(infos, command.plugin, message)
    ordered = sorted(result.commands.items(), key=lambda item: not _builtin(infos, item[1].plugin))
    result.commands = dict(ordered)  # built-in commands first, in their own order


def _clash(kind: str, name: str, claimants: list[Any], infos: dict[str, PluginInfo]) -> str:
    """Disable a family or command several plugins claim; the message naming them all."""
    who = " and ".join(describe_plugin(infos, claimant.plugin) for claimant in claimants)
    message = (
        f"{kind} {name!r} is disabled: it is registered by {who}; "
        "uninstall or block one of them (MURA_BLOCK_PLUGINS)"
    )
    if strict_mode():
        raise PluginError(message)
    for claimant in claimants:
        report_problem(infos[claimant.plugin], message, warn=False)
    logger.warning("mura: warning: %s", message)
    return message


def refuse(infos: dict[str, PluginInfo], plugin: str, message: str) -> None:
    """Record something of ``plugin``'s refused: a one-line warning, an error in strict mode."""
    if strict_mode():
        raise PluginError(f"{describe_plugin(infos, plugin)}: {message}")
    report_problem(infos[plugin], message)
