"""Presets' recipes: flags over recipe over defaults, recorded in run.json, from any plugin."""

from __future__ import annotations

import json

import pytest

import registry
from mura_core.cli import build_parser
from mura_core.cli.train import config_from_args
from mura_core.runs.layout import RunFolder
from mura_core.training.callbacks import default_callbacks
from mura_core.training.context import RunContext, TrainConfig, resolve_run_name
from mura_plugins.recipes import PAPER_DENSENET169
from tests.conftest import TINY_CNN

#: A third-party plugin shipping the MURA paper's recipe on the tiny CNN.
RECIPE_PLUGIN = f"""
    from registry import Preset, hookimpl

    @hookimpl
    def register_presets(register):
        register(
            Preset(
                "{TINY_CNN}__wc_aug",
                alias="tiny_paper",
                recipe={{
                    "learning_rate": 1e-4, "batch_size": 8, "lr_factor": 0.1,
                    "lr_patience": 1, "class_weights": "body_part", "epochs": 1,
                }},
            )
        )
"""


def _config(tmp_path, *argv: str) -> TrainConfig:
    args = build_parser().parse_args(
        ["train", *argv, "--data", str(tmp_path / "data"), "--runs", str(tmp_path / "runs")]
    )
    return config_from_args(args, args.name)


def test_a_flag_overrides_the_recipe_which_overrides_the_default(tmp_path):
    config = _config(tmp_path, "mura_paper_densenet169", "--learning-rate", "0.01")
    assert (config.learning_rate, config.sources["learning_rate"]) == (0.01, "flag")
    assert (config.lr_factor, config.sources["lr_factor"]) == (0.1, "recipe")
    assert (config.batch_size, config.sources["batch_size"]) == (8, "recipe")
    assert (config.epochs, config.sources["epochs"]) == (100, "default")
    assert config.to_dict()["sources"]["class_weights"] == "recipe"
    plain = _config(tmp_path, TINY_CNN)
    assert set(plain.sources.values()) == {"default"}
    assert (plain.lr_factor, plain.plateau_patience, plain.lr_min) == (0.2, 5, 0.0)


def test_the_paper_presets_carry_the_papers_recipe_and_figures():
    single = registry.get_registry().preset("mura_paper_densenet169")
    ensemble = registry.get_registry().preset("mura_paper_ensemble")
    assert single.recipe == ensemble.recipe
    assert single.recipe.settings() == {
        "learning_rate": 1e-4,
        "batch_size": 8,
        "lr_factor": 0.1,
        "lr_patience": 1,
        "monitor": "val_loss",
        "class_weights": "body_part",
        "pretrained": "imagenet",
    }
    assert registry.describe("mura_paper_ensemble")["preset"]["recipe"] == single.recipe.settings()
    assert "mura-paper" in single.tags and "mura-paper" in ensemble.tags
    assert dict(ensemble.metrics) == {"kappa": 0.705, "auc": 0.929}
    assert "study level" in ensemble.metrics_source
    parsed = registry.parse("mura_paper_ensemble")
    assert parsed.spec.seeds == (0, 1, 2, 3, 4)
    assert str(parsed.spec.member) == PAPER_DENSENET169
    report = registry.get_registry().preset("report_cnn6_wc_aug").recipe
    assert (report.lr_factor, report.lr_min, report.patience, report.epochs) == (0.2, 0, 10, 100)


def test_the_papers_densenet169_builds_at_a_small_size():
    small = registry.parse(PAPER_DENSENET169.replace("320.320", "32.32"))
    model = registry.build(small, weights=None)
    assert model.output_shape == (None, 1) and model.layers[-1].activation.__name__ == "sigmoid"
    frozen = [layer.name for layer in model.layers if layer.weights and not layer.trainable]
    assert frozen == [], "the paper trains every layer"


def test_the_recipe_sets_the_plateau_schedule(tmp_path):
    config = _config(tmp_path, "mura_paper_densenet169", "--patience", "4")
    parsed = resolve_run_name(TINY_CNN)
    config = TrainConfig(**{**config.__dict__, "name": TINY_CNN})
    run = RunContext(parsed, config, RunFolder.create(config.out, parsed.full_name))
    by_type = {type(callback).__name__: callback for callback in default_callbacks(run)}
    reduce_lr = by_type["ReduceLROnPlateau"]
    assert (reduce_lr.factor, reduce_lr.patience, reduce_lr.min_lr) == (0.1, 1, 0.0)
    assert by_type["EarlyStopping"].patience == 4


@pytest.mark.parametrize(
    ("recipe", "problem"),
    [({"lr_factor": 2}, "lr_factor"), ({"optimizer": "sgd"}, "optimizer")],
)
def test_a_bad_recipe_is_refused(recipe, problem):
    with pytest.raises(ValueError, match=problem):
        registry.Preset(TINY_CNN, recipe=recipe)


def test_a_plugin_preset_trains_with_its_recipe(cli, plugin_site, mura_root, tmp_path):
    env = plugin_site("recipe_plugin", RECIPE_PLUGIN)
    runs = tmp_path / "runs"
    trained = cli(
        "train", "tiny_paper", "--data", str(mura_root), "--runs", str(runs),
        "--limit", "16", "--batch-size", "4", "--no-evaluate", "--quiet", env=env,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    info = json.loads((runs / f"{TINY_CNN}__wc_aug" / "run.json").read_text(encoding="utf-8"))
    config, sources = info["config"], info["config"]["sources"]
    assert (config["learning_rate"], sources["learning_rate"]) == (1e-4, "recipe")
    assert (config["batch_size"], sources["batch_size"]) == (4, "flag")
    assert (config["epochs"], sources["epochs"]) == (1, "recipe")
    assert (config["lr_factor"], config["lr_patience"]) == (0.1, 1)
    assert (config["class_weights"], sources["class_weights"]) == ("body_part", "recipe")
    assert (config["patience"], sources["patience"]) == (10, "default")


def test_a_sweep_of_presets_gives_each_run_its_recipe(tmp_path):
    from mura_core.cli.sweep_args import configs_from_args

    paper = registry.parse("mura_paper_densenet169").full_name
    args = build_parser().parse_args(
        ["sweep", paper, TINY_CNN, "--data", str(tmp_path), "--runs", str(tmp_path / "runs")]
    )
    first, second = configs_from_args(args, [paper, TINY_CNN])
    assert (first.batch_size, first.sources["batch_size"]) == (8, "recipe")
    assert (second.batch_size, second.sources["batch_size"]) == (32, "default")


def test_models_show_prints_the_recipe(capsys):
    from mura_core.cli import main

    assert main(["models", "show", "report_cnn6_wc_aug"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == (
        "recipe: learning_rate=0.001, lr_factor=0.2, lr_min=0.0, epochs=100, patience=10, "
        "monitor=val_loss (flags override it)"
    )


def test_an_ensemble_of_a_preset_takes_its_members_recipe(tmp_path):
    config = _config(tmp_path, f"seeds_m({PAPER_DENSENET169})_s.0.1__wc_aug")
    assert (config.learning_rate, config.sources["learning_rate"]) == (1e-4, "recipe")
    assert (config.class_weights, config.sources["class_weights"]) == ("body_part", "recipe")
    alone = _config(tmp_path, f"seeds_m({PAPER_DENSENET169})_s.0.1")  # no preset has no suffix
    assert set(alone.sources.values()) == {"default"}
