"""The ``make demo`` job: the registry, and the report's models rebuilt from their names.

Run with ``make demo`` (or ``python examples/demo.py``). Nothing is downloaded: the
pretrained families are built without ImageNet weights, which changes no parameter count.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import registry  # noqa: E402


def show_registry() -> None:
    """Print the families and what the report trained, with the figures it reported."""
    print("== Families")
    for name, family in registry.families().items():
        print(f"  {name:<12} {family.summary}")
    print("\n== What the report trained (tag 'seed')")
    for name in registry.list_models(tag="seed"):
        preset = registry.get_registry().preset(name)
        kappa = preset.metrics.get("kappa")
        figure = f"kappa {kappa:.3f}" if kappa is not None else "(figures only as plots)"
        print(f"  {preset.alias:<32} {figure}")


def build_report_models() -> None:
    """Rebuild the report's models from their names and print their parameter counts."""
    print("\n== The report's models, rebuilt from their names")
    names = sorted({registry.parse(n).model_name for n in registry.list_models(tag="seed")})
    for name in names:
        options = {"weights": None} if "weights" in registry.parse(name).family.options else {}
        model = registry.build(name, **options)
        trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
        print(f"  {trainable:>12,} trainable / {model.count_params():>12,} total  {name}")


def main() -> None:
    show_registry()
    build_report_models()


if __name__ == "__main__":
    main()
