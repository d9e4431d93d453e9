"""One plugin's mistake stays that plugin's: clashes, bad presets, bad hooks, bad imports,
bad commands.

Each test installs a plugin distribution into a temporary folder on PYTHONPATH and runs
the CLI in a subprocess, as a user with that plugin installed would.
"""

from __future__ import annotations

import json

import pytest

#: A valid family called ``cnn``: it clashes with the built-in one.
IMPOSTOR = """
    from typing import Annotated
    from registry import Family, FamilySpec, Token, hookimpl

    class Spec(FamilySpec):
        input_shape: Annotated[tuple[int, int, int], Token("in")]

    @hookimpl
    def register_families(register):
        register(Family("cnn", Spec, lambda spec: None, "an impostor", "cnn_in.8.8.1"))
        register(Family("solo", Spec, lambda spec: None, "a family of its own", "solo_in.8.8.1"))
"""


def _infos(result) -> dict[str, dict]:
    assert result.returncode == 0, result.stderr
    return {info["name"]: info for info in json.loads(result.stdout)}


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_clash_disables_the_family_and_names_both_claimants(cli, plugin_site):
    env = plugin_site("impostor_plugin", IMPOSTOR, distribution="mura-impostor", version="2.0")
    infos = _infos(cli("plugins", "--json", env=env))
    for name in ("cnn", "impostor_plugin"):
        problem = " ".join(infos[name]["problems"])
        assert "family 'cnn' is disabled" in problem
        assert "mura-registry" in problem and "mura-impostor 2.0" in problem
    assert infos["impostor_plugin"]["families"] == ["solo"]
    assert infos["ffcnn"]["status"] == "loaded"
    shown = cli("models", "show", "cnn_in.32.32.1_cl.1.1_f.2", env=env)
    assert shown.returncode == 2
    warning, error = shown.stderr.strip().splitlines()
    assert warning.startswith("mura: warning: family 'cnn' is disabled")
    assert error.startswith("mura: error: family 'cnn' is disabled")
    assert "mura-registry 0.1.0" in error and "mura-impostor 2.0" in error
    listed = cli("models", "list", "--family", "ffcnn", env=env)
    assert listed.returncode == 0 and "ffcnn_in.256.256.3" in listed.stdout


def test_strict_mode_makes_a_clash_an_error(cli, plugin_site):
    env = plugin_site("impostor_plugin", IMPOSTOR, distribution="mura-impostor")
    result = cli("models", "list", env={**env, "MURA_STRICT_PLUGINS": "1"})
    assert result.returncode == 2
    assert "family 'cnn' is disabled" in _one_line(result.stderr)


PRESETS = """
    from registry import Preset, hookimpl

    CANONICAL = "cnn_in.64.64.3_cl.{}.1_f.32_ck.3.3_p.max_ps.2.2_pstr.2.2"

    @hookimpl
    def register_presets(register):
        register(Preset("cnn_f.32_cl.2.1_in.64.64.3"))  # not canonical
        register(Preset(CANONICAL.format(2), alias="cnn_in.32.32.1_cl.1.1_f.2"))
        register(Preset(CANONICAL.format(3), alias="good_alias"))
"""


def test_bad_presets_are_dropped_with_a_warning(cli, plugin_site):
    env = plugin_site("preset_plugin", PRESETS)
    result = cli("models", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 2
    assert "not canonical; write it as 'cnn_in.64.64.3_cl.2.1_f.32" in warnings[0]
    assert "is itself a model name" in warnings[1]
    names = {row["name"]: row for row in json.loads(result.stdout)}
    assert names["cnn_in.64.64.3_cl.3.1_f.32_ck.3.3_p.max_ps.2.2_pstr.2.2"]["alias"] == "good_alias"
    assert "cnn_in.64.64.3_cl.2.1_f.32_ck.3.3_p.max_ps.2.2_pstr.2.2" not in names
    infos = _infos(cli("plugins", "--json", env=env))
    assert infos["preset_plugin"]["status"] == "loaded"
    assert len(infos["preset_plugin"]["problems"]) == 2


def test_an_alias_that_is_a_model_name_never_shadows_it(cli, plugin_site):
    env = plugin_site("preset_plugin", PRESETS)
    shown = cli("models", "show", "cnn_in.32.32.1_cl.1.1_f.2", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["name"].startswith("cnn_in.32.32.1_cl.1.1_f.2")


def test_preset_alias_resolves_when_canonical(cli, plugin_site):
    env = plugin_site(
        "alias_plugin",
        """
        from registry import Preset, hookimpl

        @hookimpl
        def register_presets(register):
            register(Preset("cnn_in.64.64.3_cl.3.1_f.32_ck.3.3_p.max_ps.2.2_pstr.2.2",
                            alias="my_cnn"))
        """,
    )
    shown = cli("models", "show", "my_cnn", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["preset"]["alias"] == "my_cnn"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from registry import hookimpl\n\n@hookimpl\ndef register_family(register):\n"
            "    pass\n",
            "'register_family' is marked @hookimpl but is not a mura hook "
            "(did you mean 'register_families'?)",
        ),
        (
            "from registry import hookimpl\n\n@hookimpl\ndef register_families(register, extra):\n"
            "    pass\n",
            "hook 'register_families' takes (register, extra) but the hook passes only (register)",
        ),
        ("import sys\nsys.exit(3)\n", "called sys.exit(3)"),
        ("raise RuntimeError('boom\\nsecond line')\n", "RuntimeError: boom"),
        (
            "from registry import hookimpl\n\n@hookimpl\ndef register_families(register):\n"
            "    raise SystemExit(4)\n",
            "hook register_families: called sys.exit(4)",
        ),
        (
            "from registry import Family, hookimpl\n\n@hookimpl\n"
            "def register_families(register):\n    register('not a family')\n",
            "register() expects a registry.Family",
        ),
    ],
    ids=["misspelled-hook", "wrong-signature", "sys-exit", "import-error", "hook-exit", "bad-item"],
)
def test_a_broken_plugin_fails_alone_in_one_line(cli, plugin_site, source, expected):
    env = plugin_site("broken_plugin", source, distribution="mura-broken", version="0.3")
    result = cli("plugins", "--json", env=env)
    infos = _infos(result)
    assert infos["broken_plugin"]["status"] == "failed"
    assert expected in infos["broken_plugin"]["error"]
    line = _one_line(result.stderr)
    assert "plugin 'broken_plugin' (mura-broken 0.3) failed to load" in line
    assert infos["cnn"]["status"] == "loaded" and infos["cnn"]["families"] == ["cnn"]
    listed = cli("models", "list", "--family", "cnn", env=env)
    assert listed.returncode == 0 and "cnn_in.256.256.3" in listed.stdout


BAD_DECLARATIONS = {
    "no-input-field": (
        "Family('odd', Spec, lambda s: None, 'x', 'odd_size.8.8.1')",
        "input_shape names 'input_shape', which is not a field of 3 integers",
    ),
    "weights-option": (
        "Family('odd', Spec, lambda s: None, 'x', 'odd_size.8.8.1', input_shape='size', "
        "options=('weights',))",
        "declare pretrained weights with Family(pretrained=Pretrained(...))",
    ),
    "bad-test-example": (
        "Family('odd', Spec, lambda s: None, 'x', 'odd_size.8.8.1', input_shape='size', "
        "test_example='odd_size.8.8')",
        "token 'size.8.8'",
    ),
    "bad-preprocessing": (
        "Family('odd', Spec, lambda s: None, 'x', 'odd_size.8.8.1', input_shape='size', "
        "preprocessing='zscore')",
        "preprocessing 'zscore' is not one of unit, tf, torch, caffe, none",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DECLARATIONS))
def test_a_bad_declaration_is_the_plugins_load_failure(cli, plugin_site, case):
    family, expected = BAD_DECLARATIONS[case]
    source = f"""
from typing import Annotated
from registry import Family, FamilySpec, Token, hookimpl

class Spec(FamilySpec):
    size: Annotated[tuple[int, int, int], Token("size")]

@hookimpl
def register_families(register):
    register({family})
"""
    env = plugin_site("odd_plugin", source)
    result = cli("plugins", "--json", env=env)
    info = _infos(result)["odd_plugin"]
    assert info["status"] == "failed" and info["families"] == []
    assert expected in info["error"]
    _one_line(result.stderr)


def test_strict_mode_makes_a_dropped_preset_an_error(cli, plugin_site):
    env = plugin_site("preset_plugin", PRESETS)
    result = cli("plugins", env={**env, "MURA_STRICT_PLUGINS": "1"})
    assert result.returncode == 2
    assert "not canonical" in _one_line(result.stderr)


def _command_plugin(name: str, add: str = "subparsers.add_parser(NAME).set_defaults(func=run)"):
    """A plugin adding the command ``name``; ``add`` is the body of its ``add(subparsers)``."""
    return f"""
from registry import Command, hookimpl

NAME = {name!r}

def run(args):
    print("ran " + NAME)
    return 0

def add(subparsers):
    {add}

@hookimpl
def register_commands(register):
    register(Command(NAME, add))
"""


BROKEN_COMMANDS = {
    "hook-raises": (
        "from registry import hookimpl\n\n@hookimpl\ndef register_commands(register):\n"
        "    raise RuntimeError('no commands today')\n",
        "hook register_commands: RuntimeError: no commands today",
    ),
    "import-fails": ("raise ImportError('missing dependency xyz')\n", "missing dependency xyz"),
    "built-in-name": (_command_plugin("train"), "command 'train' dropped: mura-registry has"),
    "add-raises": (
        _command_plugin("hello", "raise ValueError('bad flag')"),
        "command 'hello' dropped: add() failed: ValueError: bad flag",
    ),
    "adds-another": (
        _command_plugin("hello", "subparsers.add_parser('goodbye')"),
        "command 'hello' dropped: add() must add one parser named 'hello'; it added 'goodbye'",
    ),
    "sets-no-func": (
        _command_plugin("hello", "subparsers.add_parser(NAME)"),
        "command 'hello' dropped: add() sets no func (set_defaults(func=...)) on its parser",
    ),
}
#: Whose strict mode is tested elsewhere, or by the same code as another case's.
NOT_STRICT = {"import-fails", "sets-no-func"}


@pytest.mark.parametrize("case", sorted(BROKEN_COMMANDS))
def test_a_broken_command_plugin_fails_alone_in_one_line(cli, plugin_site, case):
    source, reason = BROKEN_COMMANDS[case]
    env = plugin_site("command_plugin", source, distribution="mura-commands", version="0.2")
    result = cli("plugins", env=env)  # a built-in command, working
    assert result.returncode == 0, result.stderr
    assert reason in _one_line(result.stderr)
    assert any(reason in line for line in result.stdout.splitlines())  # listed in one line
    if case in NOT_STRICT:
        return
    strict = cli("plugins", env={**env, "MURA_STRICT_PLUGINS": "1"})
    assert strict.returncode == 2 and reason in _one_line(strict.stderr)
    assert strict.stderr.startswith("mura: error: plugin 'command_plugin'")
    assert "mura-commands 0.2" in strict.stderr


def test_a_command_two_plugins_add_is_disabled_naming_both(cli, plugin_site):
    plugin_site("hello_a", _command_plugin("hello"), distribution="mura-hello-a")
    plugin_site("hello_b", _command_plugin("hello"), distribution="mura-hello-b")
    env = plugin_site("solo_plugin", _command_plugin("solo"), distribution="mura-solo")
    infos = _infos(cli("plugins", "--json", env=env))
    for name in ("hello_a", "hello_b"):
        assert "command 'hello' is disabled" in " ".join(infos[name]["problems"])
        assert infos[name]["commands"] == []
    assert infos["solo_plugin"]["commands"] == ["solo"]
    assert cli("solo", env=env).stdout == "ran solo\n"
    hello = cli("hello", "--anything", env=env)
    assert hello.returncode == 2
    warning, error = hello.stderr.strip().splitlines()
    assert warning.startswith("mura: warning: command 'hello' is disabled")
    assert error.startswith("mura: error: command 'hello' is disabled")
    assert "mura-hello-a 1.0" in error and "mura-hello-b 1.0" in error
    strict = cli("solo", env={**env, "MURA_STRICT_PLUGINS": "1"})
    assert strict.returncode == 2 and "command 'hello' is disabled" in _one_line(strict.stderr)
