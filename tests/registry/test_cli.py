"""The ``mura models`` and ``mura plugins`` commands."""

from __future__ import annotations

import json

import pytest

CNN6 = "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def test_models_list_json_filters_by_tag(cli):
    result = cli("models", "list", "--tag", "seed", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {row["family"] for row in rows} == {"cnn", "densenet201"}
    best = next(row for row in rows if row["name"] == CNN6 + "__wc_aug")
    assert best["metrics"]["kappa"] == pytest.approx(0.5275)
    assert best["alias"] == "report_cnn6_wc_aug"


def test_models_list_pattern_and_family(cli):
    result = cli("models", "list", "resnet*", "--family", "resnet1*")
    assert result.returncode == 0
    lines = result.stdout.splitlines()[2:]
    assert [line.split()[0] for line in lines] == [
        "resnet101_in.256.256.3_p.avg",
        "resnet101v2_in.256.256.3_p.avg",
        "resnet152_in.256.256.3_p.avg",
        "resnet152v2_in.256.256.3_p.avg",
    ]


def test_models_show_json_counts_parameters(cli):
    result = cli("models", "show", CNN6 + "_wc_aug_XR_WRIST", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # TensorFlow's native start-up logging stays off stderr
    info = json.loads(result.stdout)
    assert info["name"] == CNN6
    assert info["family"] == "cnn"
    assert info["config"]["f"] == 32
    assert info["run"] == {
        "weight_classes": True,
        "augment": True,
        "body_part": "XR_WRIST",
        "seed": 0,
    }
    assert info["params"]["trainable"] == 6_308_609
    assert info["params"]["total"] == info["params"]["trainable"] + info["params"]["non_trainable"]
    assert info["params"]["non_trainable"] == 4032  # batch-norm moving statistics


def test_models_show_text(cli):
    result = cli("models", "show", "report_cnn6_wc_aug")
    assert result.returncode == 0, result.stderr
    assert "6,308,609 trainable" in result.stdout
    assert "kappa 0.5275" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("models", "show", "cnn_in.256.256"), "token 'in.256.256'"),
        (("models", "show", "cnm_in.256.256.3"), "did you mean 'cnn'?"),
        (("models", "show", CNN6 + "__XR_KNEE"), "unknown body part 'XR_KNEE'"),
        (("models", "families", "cnm"), "unknown family 'cnm'"),
    ],
)
def test_errors_are_one_line_with_exit_2(cli, args, fragment):
    result = cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mura: error: ")
    assert fragment in lines[0]


def test_families_json_derives_the_grammar(cli):
    result = cli("models", "families", "cnn", "--json")
    grammar = json.loads(result.stdout)[0]
    tokens = {t["token"]: t for t in grammar["tokens"]}
    assert list(tokens) == ["in", "cl", "f", "ck", "bn", "bnm", "p", "ps", "pstr", "ld", "spdp"]
    assert tokens["ld"]["range"] == "[0.0, 1.0)"
    assert tokens["p"]["choices"] == ["max", "avg"]
    assert tokens["in"]["required"] is True


def test_plugins_json_lists_distributions(cli):
    result = cli("plugins", "--json")
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["densenet"]["distribution"] == "mura-registry"
    assert infos["densenet"]["families"] == ["densenet121", "densenet169", "densenet201"]
    assert infos["cnn"]["presets"] > 0


def test_families_show_defaults_as_names_write_them(cli, plugin_site):
    env = plugin_site(
        "scaled_plugin",
        """
        from typing import Annotated
        from registry import Family, FamilySpec, Token, hookimpl

        class Spec(FamilySpec):
            input_shape: Annotated[tuple[int, int, int], Token("in")]
            scale: Annotated[float, Token("a", "a scale")] = 1.0

        @hookimpl
        def register_families(register):
            register(Family("scaled", Spec, lambda spec: None, "x", "scaled_in.8.8.1_a.1"))
        """,
    )
    result = cli("models", "families", "scaled", env=env)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("a "))
    assert row.split()[2] == "1" and "1.0" not in row
    grammar = json.loads(cli("models", "families", "scaled", "--json", env=env).stdout)[0]
    assert grammar["tokens"][1]["default_text"] == "1"
