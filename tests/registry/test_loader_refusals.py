"""The loader refuses what would mislead: a plugin that registers nothing, and aliases
that are a family's name, contain whitespace or shadow another alias."""

from __future__ import annotations

import logging
import os
import sys

import pytest

from registry import InvalidNameError, PluginError, Preset, Registry, hookimpl

FORGOTTEN_HOOKIMPL = """
    from registry import Family

    def register_families(register):  # no @hookimpl: pluggy never calls it
        register(Family(...))
"""

NEVER_REGISTERS = """
    from registry import hookimpl

    @hookimpl
    def register_families(register):
        pass
"""


def load(plugin_site, monkeypatch, source: str) -> Registry:
    """A registry of the built-ins and the plugin ``mura_quiet`` (a ``*.dist-info``)."""
    env = plugin_site("mura_quiet", source, distribution="mura-quiet")
    monkeypatch.syspath_prepend(env["PYTHONPATH"].split(os.pathsep)[0])  # the site folder
    monkeypatch.delitem(sys.modules, "mura_quiet", raising=False)
    monkeypatch.setenv("MURA_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("MURA_PLUGINS", "mura_quiet")
    return Registry()


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (FORGOTTEN_HOOKIMPL, "no function of it is marked @hookimpl "
                             "(is 'register_families' missing @hookimpl?)"),
        (NEVER_REGISTERS, "its hooks (register_families) never call register()"),
    ],
    ids=["forgotten-hookimpl", "never-registers"],
)  # fmt: skip
def test_a_plugin_that_registers_nothing_is_empty_with_a_warning(
    plugin_site, monkeypatch, caplog, source, reason
):
    reg = load(plugin_site, monkeypatch, source)
    with caplog.at_level(logging.WARNING, logger="mura.plugins"):
        infos = {info.name: info for info in reg.plugins()}
    quiet = infos["mura_quiet"]
    assert (quiet.status, quiet.problems) == ("empty", [f"registers nothing: {reason}"])
    assert caplog.messages == [
        f"mura: warning: plugin 'mura_quiet' (mura-quiet 1.0): registers nothing: {reason}"
    ]
    assert infos["cnn"].status == "loaded"


def test_strict_mode_makes_an_empty_plugin_an_error(plugin_site, monkeypatch):
    reg = load(plugin_site, monkeypatch, NEVER_REGISTERS)
    monkeypatch.setenv("MURA_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="of distribution mura-quiet 1.0: registers nothing"):
        reg.plugins()


CNN = "cnn_in.32.32.1_cl.1.1_f.{}_ck.3.3_p.max_ps.2.2_pstr.2.2"


class AliasPlugin:
    """Presets of a third-party plugin whose aliases would mislead."""

    @hookimpl
    def register_presets(self, register):
        register(Preset(CNN.format(2), alias="cnn"))  # a family's name
        register(Preset(CNN.format(3), alias="my cnn"))  # whitespace
        register(Preset(CNN.format(4), alias="report_cnn6_wc"))  # a built-in preset's alias
        register(Preset(CNN.format(5), alias="small_cnn"))


def test_misleading_aliases_are_refused_in_one_line_and_never_shadow_a_built_in():
    builtin = Registry()
    builtin_name = builtin.canonical("report_cnn6_wc")
    reg = Registry()
    reg.register_plugin(AliasPlugin(), name="aliases")  # its hooks run before the built-ins'
    problems = {info.name: info.problems for info in reg.plugins()}["aliases"]
    assert problems == [
        f"preset '{CNN.format(2)}' dropped: alias 'cnn' is the name of a family; "
        "choose another alias",
        f"preset '{CNN.format(3)}' dropped: alias 'my cnn' is empty or contains whitespace; "
        "write it as one word",
        f"preset '{CNN.format(4)}' dropped: alias 'report_cnn6_wc' is already taken by a "
        "preset of plugin 'cnn'",
    ]
    with pytest.raises(InvalidNameError):
        reg.canonical("cnn")
    assert reg.canonical("report_cnn6_wc") == builtin_name
    assert reg.canonical("small_cnn") == CNN.format(5)
