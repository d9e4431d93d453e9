"""A run's settings from its flags, its preset's recipe and the package defaults.

Each setting a recipe may carry is taken from the flag when one is given, else from
the recipe when it sets it, else from :class:`~mura_core.training.context.TrainConfig`'s
default; :func:`resolve_settings` also says which, for ``run.json``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from registry import Recipe

__all__ = ["RECIPE_SETTINGS", "recipe_of", "resolve_settings"]

#: The settings a recipe may carry (the fields of :class:`registry.Recipe`).
RECIPE_SETTINGS: tuple[str, ...] = tuple(Recipe.model_fields)


def recipe_of(name: Any) -> Recipe | None:
    """The recipe of the preset ``name`` (an alias, a name or its parse), or ``None``.

    An ensemble that is no preset takes the recipe of its member's preset: the member's
    model name with the ensemble's run suffix (less its seed).
    """
    import registry

    reg = registry.get_registry()
    preset = reg.preset(str(getattr(name, "full_name", name)))
    if preset is not None:
        return preset.recipe
    try:
        parsed = registry.parse(name) if isinstance(name, str) else name
    except registry.RegistryError:
        return None
    if not parsed.is_ensemble:
        return None
    suffix = parsed.run.model_copy(update={"seed": 0}).suffix if parsed.run else ""
    for field in parsed.spec.nested_fields():
        member = str(getattr(parsed.spec, field.field)) + (f"__{suffix}" if suffix else "")
        preset = reg.preset(member)
        if preset is not None:
            return preset.recipe
    return None


def _defaults() -> dict[str, Any]:
    from mura_core.training.context import TrainConfig

    return {
        item.name: item.default
        for item in dataclasses.fields(TrainConfig)
        if item.default is not dataclasses.MISSING
    }


def resolve_settings(
    flags: Mapping[str, Any], recipe: Recipe | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The recipe's settings, each from ``flags`` (``None``: not given), ``recipe`` or
    the default, and where each came from (``flag``, ``recipe``, ``default``)."""
    defaults = _defaults()
    from_recipe = recipe.settings() if recipe is not None else {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in RECIPE_SETTINGS:
        if flags.get(key) is not None:
            values[key], sources[key] = flags[key], "flag"
        elif key in from_recipe:
            values[key], sources[key] = from_recipe[key], "recipe"
        else:
            values[key], sources[key] = defaults[key], "default"
    return values, sources
