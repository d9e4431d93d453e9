"""Query the model registry from Python: families, filters, presets, names, parameters.

Run with ``python examples/registry_queries.py``. Everything up to the parameter counts
runs without importing TensorFlow; counting parameters builds two models (with no
pretrained weights, so nothing is downloaded).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import registry  # noqa: E402

REPORT_CNN = "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
REPORT_DENSENET = "densenet201_in.256.256.3_p.avg_tla.606_m.512.512_mdp.0.25"


def families() -> None:
    print("== Families and their tokens")
    for name, family in registry.families().items():
        keys = " ".join(tf.key for tf in family.spec.token_fields())
        print(f"  {name:<12} [{family.plugin}] tokens: {keys}")


def filters() -> None:
    print("\n== Wildcards and tags")
    print("  densenet*      ->", registry.list_models("densenet*"))
    print("  family resnet* ->", len(registry.list_models(family="resnet*")), "names")
    print("  *_cl.6.1_*     ->", len(registry.list_models("*_cl.6.1_*")), "names")
    print("  tag pretrained ->", len(registry.list_models(tag="pretrained")), "names")


def seed_presets() -> None:
    print("\n== What the report trained (tag 'seed'), best kappa first")
    presets = [
        registry.get_registry().preset(name)
        for name in registry.list_models(tag="seed")
    ]
    scored = sorted(
        (p for p in presets if "kappa" in p.metrics), key=lambda p: -p.metrics["kappa"]
    )
    for preset in scored:
        metrics = preset.metrics
        print(
            f"  {preset.alias:<30} kappa {metrics['kappa']:.3f}  "
            f"auc {metrics['auc']:.3f}"
            f"  ({preset.metrics_source})"
        )
    unscored = [p.alias for p in presets if "kappa" not in p.metrics]
    print(f"  without figures: {', '.join(unscored)}")


def parse_and_describe() -> None:
    print("\n== Parse a name (the report's single-underscore run suffix)")
    parsed = registry.parse(REPORT_DENSENET + "_wc_aug")
    print("  family:    ", parsed.family.name)
    print(
        "  spec:      ",
        parsed.spec.mlp,
        parsed.spec.mlp_dropout,
        parsed.spec.trainable_after,
    )
    print("  run:       ", parsed.run)
    print("  canonical: ", parsed.full_name)
    assert parsed.full_name == REPORT_DENSENET + "__wc_aug"

    print("\n== Tokens in any order, canonical form back")
    shuffled = "cnn_f.32_cl.6.1_in.256.256.3_bn_ld.0.25"
    print(f"  {shuffled}\n  -> {registry.canonical(shuffled)}")
    assert registry.canonical(shuffled) == REPORT_CNN

    print("\n== Describe a preset by its alias")
    info = registry.describe("report_cnn6_wc_aug")
    for token in info["tokens"]:
        print(f"  {token['token']:<5} {token['value']!s:<16} {token['help']}")
    print("  reported:", dict(info["preset"]["metrics"]))

    print("\n== A bad name")
    try:
        registry.parse("cnn_in.256.256_cl.6.1_f.32")
    except registry.InvalidNameError as error:
        print(f"  {error}")
        print(f"  offending token: {error.token!r}")


def parameter_counts() -> None:
    print(
        "\n== Parameter counts (models built from their names, no pretrained weights)"
    )
    for name in (REPORT_CNN, "densenet201_in.256.256.3_p.avg"):
        model = registry.build(name, weights=None)
        trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
        print(f"  {trainable:>10,} trainable of {model.count_params():>11,}  {name}")
        if name == REPORT_CNN:
            assert trainable == 6_308_609  # the report's figure


def compare(first: str, second: str) -> None:
    print("\n== Compare two configurations")
    a, b = registry.parse(first), registry.parse(second)
    print(f"  A = {a.full_name}\n  B = {b.full_name}")
    if a.family.name != b.family.name:
        print(f"  families differ: {a.family.name} / {b.family.name}")
    config_a, config_b = a.spec.token_dict(), b.spec.token_dict()
    for key in dict.fromkeys([*config_a, *config_b]):
        if config_a.get(key) != config_b.get(key):
            print(f"  {key:<5} {config_a.get(key)!s:<14} -> {config_b.get(key)}")
    run_a, run_b = a.run or registry.RunOptions(), b.run or registry.RunOptions()
    for field, value in run_a.model_dump().items():
        if value != getattr(run_b, field):
            print(f"  run {field}: {value} -> {getattr(run_b, field)}")


def main() -> int:
    families()
    filters()
    seed_presets()
    parse_and_describe()
    compare("report_cnn6", "report_cnn6_wc_aug")
    compare("report_densenet201_tla690", "report_densenet201_tla606_mlp")
    if "--no-build" not in sys.argv:
        parameter_counts()
    return 0


if __name__ == "__main__":
    sys.exit(main())
