"""Fast checks of the documentation sources and of the generators in docs/_ext."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

import registry
from registry.names import split_name

from .conftest import DOCS, REPO
from .test_docs_build import hook_names

sys.path.insert(0, str(DOCS / "_ext"))
import mura_api  # noqa: E402
import mura_docs  # noqa: E402

plugin_loading = importlib.import_module("registry.entry_points")

SOURCES = "\n".join(path.read_text(encoding="utf-8") for path in DOCS.rglob("*.rst"))
EXAMPLES = sorted(path for path in (REPO / "examples").glob("*.py") if path.name != "demo.py")


def test_there_are_hooks_and_public_names() -> None:
    assert {"register_families", "register_presets", "extend_callbacks"} <= set(hook_names())
    assert len(registry.__all__) > 20


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_is_documented(hook: str) -> None:
    assert f"registry.hookspecs.{hook}" in SOURCES


@pytest.mark.parametrize("name", registry.__all__)
def test_every_public_registry_name_is_documented(name: str) -> None:
    api = (DOCS / "reference" / "api-registry.rst").read_text(encoding="utf-8")
    assert any(
        line.strip().startswith((".. auto", ".. data::")) and line.strip().endswith(f":: {name}")
        for line in api.splitlines()
    ), f"registry.{name} is missing from docs/reference/api-registry.rst"


@pytest.mark.parametrize(
    "variable", sorted(v for k, v in vars(plugin_loading).items() if k.startswith("ENV_"))
)
def test_every_plugin_variable_is_documented(variable: str) -> None:
    assert variable in (DOCS / "plugins.rst").read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_every_example_is_shown(example: Path) -> None:
    assert f"../examples/{example.name}" in (DOCS / "examples.rst").read_text(encoding="utf-8")


def test_grammar_covers_every_family_and_token() -> None:
    text = "\n".join(mura_docs.grammar_rst())
    for family in registry.families().values():
        assert f"``{family.name}``" in text
        for tf in family.spec.token_fields():
            assert f"``{tf.key}``" in text and f"``{tf.field}``" in text


@pytest.mark.parametrize("family", sorted(registry.families()))
def test_grammar_examples_are_valid_tokens(family: str) -> None:
    """Each example token, put into the family's example name, gives a valid name."""
    fam = registry.get_family(family)
    example = fam.spec.from_tokens(split_name(fam.example)[1], fam.example)
    tokens = [mura_docs.token_example(tf, example) for tf in fam.spec.token_fields()]
    registry.parse("_".join([family, *tokens]))


def test_name_error_examples_are_errors() -> None:
    lines, valid = mura_docs.name_errors_rst(
        [("bad", "cnn_in.256.256_cl.6.1_f.32"), ("good", "densenet201_in.256.256.3_p.avg")]
    )
    assert valid == ["densenet201_in.256.256.3_p.avg"]
    assert any("'in.256.256'" in line for line in lines)


def test_cli_reference_walks_every_command() -> None:
    commands = mura_docs.cli_commands()
    assert {"mura models list", "mura models show", "mura plugins"} <= set(commands)
    text = "\n".join(mura_docs.cli_rst())
    for command in commands:
        assert f".. _cli-{command.replace(' ', '-')}:" in text


def test_api_index_walks_mura_core_modules() -> None:
    modules = mura_api.package_modules("mura_core", exclude=["mura_core.cli"])
    assert "mura_core" in modules and "mura_core.runs.layout" in modules
    assert not any(module.startswith("mura_core.cli") for module in modules)


def test_internal_modules_exist_and_are_left_out_of_the_api_index() -> None:
    import mura_core

    documented = mura_api.package_modules("mura_core")
    assert "mura_core.runs.loading" in documented
    for name in mura_core.INTERNAL_MODULES:
        assert importlib.util.find_spec(name) is not None, f"{name} is declared internal"
        assert not any(module == name or module.startswith(name + ".") for module in documented)
