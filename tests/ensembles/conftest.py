"""Ensemble tests: the ensemble plugin, registered whether or not its entry point is installed.

Once ``ensemble = "mura_plugins.ensemble"`` is an installed entry point the plugin loads
by itself; before that, these tests register it in code (and subprocesses get
``MURA_PLUGINS``), removing it again after each module so other tests see the registry
they expect.
"""

from __future__ import annotations

import contextlib
import os
from importlib import metadata
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: True once the ``ensemble`` entry point is installed (after a reinstall).
INSTALLED = any(ep.name == "ensemble" for ep in metadata.entry_points(group="mura"))
#: Environment of a CLI subprocess that sees the ensemble families.
PLUGIN_ENV: dict[str, str] = {} if INSTALLED else {"MURA_PLUGINS": "mura_plugins.ensemble"}

#: Small members: 32x32 grayscale CNNs.
MEMBER = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
SETTINGS = {"batch_size": 16, "verbose": 0}


@contextlib.contextmanager
def ensemble_plugin(reg=None):
    """Register the ensemble plugin in ``reg`` (default: the process-wide registry)
    unless it is loaded already; unregister it on exit."""
    import registry
    from mura_plugins import ensemble

    reg = reg or registry.get_registry()
    if "parts" in reg.families():
        yield reg
        return
    name = reg.register_plugin(ensemble, name="ensemble-under-test")
    try:
        yield reg
    finally:
        reg.unregister_plugin(name)


@pytest.fixture(autouse=True, scope="module")
def _plugin():
    with ensemble_plugin():
        yield


@pytest.fixture(scope="session")
def ensemble_runs(tmp_path_factory, mura_root) -> dict[str, object]:
    """One runs folder, trained once: an all-parts single run, an ``avg`` ensemble over
    two parts interrupted in its second member and resumed, and a warm-started
    ``route`` ensemble over three parts of which two members are trained."""
    from tests.ensembles.training_helpers import train_all

    with ensemble_plugin():
        return train_all(Path(tmp_path_factory.mktemp("ensemble-runs")), mura_root)
