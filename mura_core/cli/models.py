"""``mura models``: list the registry, show a name, describe the families' grammar."""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.cli.output import format_metric, print_json, print_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("models", help="query the model registry")
    commands = parser.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)

    listing = commands.add_parser("list", help="list presets and family examples")
    listing.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern (default: *)")
    listing.add_argument("--family", help="only this family (fnmatch pattern)")
    listing.add_argument("--tag", help="only models with this tag (e.g. seed)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)

    show = commands.add_parser("show", help="parse a name, build it and count its parameters")
    show.add_argument("name", help="model or run name (or a preset alias)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=run_show)

    families = commands.add_parser("families", help="list families and their name grammar")
    families.add_argument("family", nargs="?", help="only this family")
    families.add_argument("--json", action="store_true", help="print JSON")
    families.set_defaults(func=run_families)


def run_list(args: argparse.Namespace) -> int:
    import registry

    names = registry.list_models(args.pattern, family=args.family, tag=args.tag)
    rows = [_listing_row(name) for name in names]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no model matches")
        return 0
    print_table(
        ("name", "family", "alias", "kappa", "auc", "tags"),
        [
            (
                r["name"],
                r["family"],
                r["alias"] or "",
                format_metric(r["metrics"].get("kappa")),
                format_metric(r["metrics"].get("auc")),
                ",".join(r["tags"]),
            )
            for r in rows
        ],
    )
    return 0


def _listing_row(name: str) -> dict[str, Any]:
    import registry

    parsed = registry.parse(name)
    preset = registry.get_registry().preset(name)
    row: dict[str, Any] = {
        "name": name,
        "family": parsed.family.name,
        "alias": None,
        "tags": ["example", *parsed.family.tags] if preset is None else [],
        "summary": parsed.family.summary,
        "metrics": {},
        "metrics_source": "",
    }
    if preset is not None:
        row.update(preset.as_dict())
        row["tags"] = sorted(set(preset.tags) | set(parsed.family.tags))
    return row


def run_show(args: argparse.Namespace) -> int:
    import registry

    info = registry.describe(args.name)  # a bad name fails here, before TensorFlow loads
    info["params"] = count_params(info["full_name"])
    if args.json:
        print_json(info)
        return 0
    print(f"name:     {info['name']}")
    if info["run"]:
        print(f"run:      {info['full_name']}")
    print(f"family:   {info['family']} ({info['summary']})")
    whose = " (its members')" if info["ensemble"] else ""
    print(f"input:    {info['preprocessing']} normalisation{whose}")
    if info["pretrained"]:
        print(f"weights:  {info['default_weights'] or 'none (random)'} unless --pretrained says")
    print_table(
        ("token", "field", "value", "meaning"),
        [(t["token"], t["field"], _show_value(t["value"]), t["help"]) for t in info["tokens"]],
    )
    if info["run"]:
        print("run options: " + ", ".join(f"{k}={v}" for k, v in info["run"].items()))
    params = info["params"]
    print(
        f"parameters: {params['total']:,} total, {params['trainable']:,} trainable, "
        f"{params['non_trainable']:,} non-trainable"
    )
    if info["preset"] and info["preset"]["metrics"]:
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in info["preset"]["metrics"].items())
        print(f"reported: {metrics} ({info['preset']['metrics_source']})")
    if info["preset"] and info["preset"]["recipe"]:
        recipe = ", ".join(f"{k}={v}" for k, v in info["preset"]["recipe"].items())
        print(f"recipe: {recipe} (flags override it)")
    return 0


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return ".".join(str(v) for v in value) if value else "-"
    return "-" if value is None else str(value)


def count_params(name: str) -> dict[str, int]:
    """Build ``name`` without pretrained weights and count its parameters."""
    import numpy as np

    import registry

    model = registry.build(name, weights=None)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {
        "trainable": trainable,
        "non_trainable": non_trainable,
        "total": trainable + non_trainable,
    }


def _default_text(tf: Any) -> str:
    """A token's default as names write it (``1`` for 1.0), ``-`` when it has none."""
    from registry.tokens import format_value

    if tf.kind == "flag":
        return "off"
    return "-" if tf.default in (None, ()) else format_value(tf, tf.default)


def family_grammar(family: Any) -> dict[str, Any]:
    """A family and its tokens, as ``mura models families --json`` prints it."""
    return {
        "family": family.name,
        "summary": family.summary,
        "plugin": family.plugin,
        "preprocessing": family.preprocessing,
        "options": list(family.options),
        "input_shape": family.input_shape if isinstance(family.input_shape, str) else None,
        "pretrained": family.pretrained.as_dict() if family.pretrained else None,
        "test_example": family.test_example or family.example,
        "explain_layer": family.explain_layer
        if isinstance(family.explain_layer, str)
        else (None if family.explain_layer is None else "computed from the spec"),
        "parameter_estimate": family.parameter_count is not None,
        "ensemble": family.is_ensemble,
        "example": family.example,
        "tokens": [
            {
                "token": tf.key,
                "field": tf.field,
                "type": tf.type_label(),
                "choices": list(tf.choices) if tf.choices else None,
                "range": tf.bounds,
                "required": tf.required,
                "default": list(tf.default) if isinstance(tf.default, tuple) else tf.default,
                "default_text": _default_text(tf),
                "example": tf.example(),
                "help": tf.help,
            }
            for tf in family.spec.token_fields()
        ],
    }


def run_families(args: argparse.Namespace) -> int:
    import registry

    families = [registry.get_family(args.family)] if args.family else registry.families().values()
    grammars = [family_grammar(family) for family in families]
    if args.json:
        print_json(grammars)
        return 0
    for number, grammar in enumerate(grammars):
        if number:
            print()
        print(f"{grammar['family']}: {grammar['summary']}")
        print(f"  example: {grammar['example']}")
        print_table(
            ("token", "type", "range", "default", "meaning"),
            [
                (
                    t["token"],
                    t["type"] + (f" {{{','.join(t['choices'])}}}" if t["choices"] else ""),
                    t["range"] or "",
                    "required" if t["required"] else t["default_text"],
                    t["help"],
                )
                for t in grammar["tokens"]
            ],
        )
    return 0
