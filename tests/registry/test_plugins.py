"""Plugins: registered in code, broken, blocked, disabled, duplicated, strict mode."""

from __future__ import annotations

import json
import textwrap
from typing import Annotated

import pytest

import registry
from registry import Command, Family, FamilySpec, PluginError, Preset, Registry, Token, hookimpl
from registry.nesting import NestedName


class TinySpec(FamilySpec):
    input_shape: Annotated[tuple[int, int, int], Token("in", "input shape")]
    width: Annotated[int, Token("w", "units")] = 4


def build_tiny(spec: TinySpec):
    import keras

    inputs = keras.Input(spec.input_shape)
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    x = keras.layers.Dense(spec.width, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


class TinyPlugin:
    @hookimpl
    def register_families(self, register):
        register(Family("tiny", TinySpec, build_tiny, "a tiny test family", "tiny_in.8.8.1_w.4"))

    @hookimpl
    def register_presets(self, register):
        register(Preset("tiny_in.8.8.1_w.4__aug", alias="tiny_aug", tags=("test",)))


def test_plugin_registered_in_code_adds_a_family():
    reg = registry.get_registry()
    reg.register_plugin(TinyPlugin(), name="tiny-test")
    try:
        assert "tiny" in registry.families()
        assert registry.parse("tiny_in.8.8.1").full_name == "tiny_in.8.8.1_w.4"
        assert registry.list_models(tag="test") == ["tiny_in.8.8.1_w.4__aug"]
        model = registry.build("tiny_aug", width=2)
        assert model.name == "tiny_in.8.8.1_w.2"
        info = next(p for p in registry.plugins() if p.name == "tiny-test")
        assert info.families == ["tiny"] and info.presets == 1 and info.distribution is None
    finally:
        reg.unregister_plugin("tiny-test")
    assert "tiny" not in registry.families()


def test_duplicate_family_is_disabled_and_names_both_plugins():
    class Impostor:
        @hookimpl
        def register_families(self, register):
            register(Family("cnn", TinySpec, build_tiny, "another cnn", "cnn_in.8.8.1_w.4"))

    reg = Registry()
    reg.register_plugin(Impostor(), name="impostor")
    assert "cnn" not in reg.families() and "ffcnn" in reg.families()
    with pytest.raises(PluginError) as caught:
        reg.parse("cnn_in.8.8.1_cl.1.1_f.2")
    message = str(caught.value)
    assert "family 'cnn' is disabled" in message
    assert "plugin 'cnn' of distribution mura-registry 0.1.0" in message
    assert "plugin 'impostor' (registered in code, no distribution)" in message
    assert reg.clashes()["cnn"] == message


def test_non_canonical_preset_is_dropped(caplog):
    class Sloppy:
        @hookimpl
        def register_presets(self, register):
            register(Preset("cnn_f.32_cl.2.1_in.64.64.3"))

    reg = Registry()
    reg.register_plugin(Sloppy(), name="sloppy")
    assert "cnn_f.32_cl.2.1_in.64.64.3" not in reg.presets()
    info = next(p for p in reg.plugins() if p.name == "sloppy")
    assert info.status == "loaded"
    assert "not canonical; write it as 'cnn_in.64.64.3_cl.2.1" in info.problems[0]


def test_misspelled_hook_registered_in_code_is_refused():
    class Misspelled:
        @hookimpl
        def register_family(self, register):
            pass

    with pytest.raises(PluginError, match="did you mean 'register_families'"):
        Registry().register_plugin(Misspelled(), name="misspelled")


def test_failing_extend_callbacks_names_the_plugin():
    class Faulty:
        @hookimpl
        def extend_callbacks(self, callbacks, run):
            raise RuntimeError("boom")

    reg = Registry()
    reg.register_plugin(Faulty(), name="faulty")
    with pytest.raises(PluginError, match="plugin 'faulty' failed in hook extend_callbacks: "):
        reg.call_hook("extend_callbacks", callbacks=[], run=None)


def test_keyboard_interrupt_in_a_hook_is_never_swallowed():
    class Interrupted:
        @hookimpl
        def register_families(self, register):
            raise KeyboardInterrupt

    reg = Registry()
    reg.register_plugin(Interrupted(), name="interrupted")
    with pytest.raises(KeyboardInterrupt):
        reg.families()


def test_plugin_raising_in_hook_is_skipped_with_a_warning(caplog):
    class Faulty:
        @hookimpl
        def register_families(self, register):
            raise RuntimeError("boom")

    reg = Registry()
    reg.register_plugin(Faulty(), name="faulty")
    assert "cnn" in reg.families()
    info = next(p for p in reg.plugins() if p.name == "faulty")
    assert info.status == "failed" and "boom" in info.error
    assert any("plugin 'faulty'" in r.getMessage() for r in caplog.records)


def test_commands_come_built_in_first_and_a_bad_one_fails_its_plugin():
    class Hello:
        @hookimpl
        def register_commands(self, register):
            register(Command("hello-world", lambda subparsers: None))

    class Shouting:
        @hookimpl
        def register_commands(self, register):
            register(Command("HELLO", lambda subparsers: None))

    reg = Registry()
    reg.register_plugin(Hello(), name="hello")
    reg.register_plugin(Shouting(), name="shouting")
    commands = list(reg.commands())
    assert commands[:3] == ["models", "plugins", "doctor"] and commands[-1] == "hello-world"
    assert reg.commands()["hello-world"].plugin == "hello"
    info = next(p for p in reg.plugins() if p.name == "shouting")
    assert info.status == "failed" and "command name 'HELLO' must be lowercase" in info.error


class PairSpec(FamilySpec):
    member: Annotated[str, NestedName(), Token("m", "member model name")]


class StructuralEnsembler:
    """No base class: what the package calls on ``Family.ensemble`` is a Protocol."""

    def members(self, parsed):
        return []

    def combination(self, parsed):
        return "avg"

    def load(self, folder, parsed, *, allow_other_provider=False):
        return None

    def warm_start(self, parsed):
        return None


@pytest.mark.parametrize("ensemble", [StructuralEnsembler(), object()], ids=["fits", "misfits"])
def test_an_ensemble_declaration_is_checked_against_the_protocol(ensemble):
    class PairPlugin:
        @hookimpl
        def register_families(self, register):
            register(Family("pair", PairSpec, build_tiny, "pairs", "pair_m(tiny_in.8.8.1_w.4)",
                            input_shape=lambda spec: spec.nested("member").input_shape,
                            ensemble=ensemble))  # fmt: skip

    reg = Registry(autoload=False)
    reg.register_plugin(TinyPlugin(), name="tiny")
    reg.register_plugin(PairPlugin(), name="pair")
    info = next(p for p in reg.plugins() if p.name == "pair")
    if isinstance(ensemble, StructuralEnsembler):
        assert isinstance(ensemble, registry.EnsemblerProtocol)
        assert reg.families()["pair"].ensemble is ensemble and info.status == "loaded"
    else:
        assert info.status == "failed" and "pair" not in reg.families()
        assert "ensemble= must have the methods of registry.EnsemblerProtocol" in info.error


@pytest.fixture
def broken_module(tmp_path, monkeypatch):
    """A plugin module on sys.path that raises on import."""
    (tmp_path / "broken_mura_plugin.py").write_text("raise ImportError('missing dependency xyz')\n")
    good = tmp_path / "good_mura_plugin.py"
    good.write_text(
        textwrap.dedent(
            """
            from typing import Annotated
            from registry import Family, FamilySpec, Token, hookimpl

            class S(FamilySpec):
                input_shape: Annotated[tuple[int, int, int], Token("in")]

            @hookimpl
            def register_families(register):
                register(Family("good", S, lambda spec: None, "good", "good_in.8.8.1"))
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_broken_plugin_warns_in_one_line_and_is_skipped(cli, broken_module):
    env = {"PYTHONPATH": str(broken_module), "MURA_PLUGINS": "broken_mura_plugin,good_mura_plugin"}
    result = cli("plugins", "--json", env=env)
    assert result.returncode == 0, result.stderr
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["broken_mura_plugin"]["status"] == "failed"
    assert "missing dependency xyz" in infos["broken_mura_plugin"]["error"]
    assert infos["good_mura_plugin"]["families"] == ["good"]
    assert infos["cnn"]["status"] == "loaded"
    warnings = [line for line in result.stderr.splitlines() if line]
    assert len(warnings) == 1
    assert "plugin 'broken_mura_plugin' failed to load" in warnings[0]
    assert "Traceback" not in result.stderr


def test_strict_mode_makes_a_broken_plugin_fatal(cli, broken_module):
    env = {
        "PYTHONPATH": str(broken_module),
        "MURA_PLUGINS": "broken_mura_plugin",
        "MURA_STRICT_PLUGINS": "1",
    }
    result = cli("models", "list", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("mura: error: plugin 'broken_mura_plugin'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_blocked_plugin_does_not_load(cli):
    result = cli("plugins", "--json", env={"MURA_BLOCK_PLUGINS": "resnet, ffcnn"})
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["resnet"]["status"] == "blocked" and infos["resnet"]["families"] == []
    assert infos["ffcnn"]["status"] == "blocked"
    assert infos["cnn"]["status"] == "loaded"
    shown = cli("models", "show", "resnet50_in.64.64.3", env={"MURA_BLOCK_PLUGINS": "resnet"})
    assert shown.returncode == 2 and "unknown family 'resnet50'" in shown.stderr


def test_blocked_built_in_commands_leave_one_line_saying_so(cli):
    result = cli("plugins", env={"MURA_BLOCK_PLUGINS": "commands"})
    assert result.returncode == 2
    assert result.stderr.startswith("mura: error: no command is registered: the built-in")
    assert len(result.stderr.strip().splitlines()) == 1


def test_disabled_autoload_keeps_builtins_and_named_plugins(cli, broken_module):
    env = {
        "PYTHONPATH": str(broken_module),
        "MURA_DISABLE_PLUGIN_AUTOLOAD": "1",
        "MURA_PLUGINS": "good_mura_plugin",
    }
    result = cli("plugins", "--json", env=env)
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["cnn"]["status"] == "loaded"
    assert infos["good_mura_plugin"]["status"] == "loaded"


def test_every_hook_has_a_docstring():
    from registry import hookspecs
    from registry.entry_points import hook_names, new_plugin_manager

    names = hook_names(new_plugin_manager())
    assert set(names) == {
        "register_families",
        "register_presets",
        "register_commands",
        "register_datasets",
        "extend_callbacks",
    }
    for name in names:
        assert getattr(hookspecs, name).__doc__.strip()
