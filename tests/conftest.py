"""Fixtures shared by the whole suite: the CLI, a tiny synthetic MURA tree, one trained run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]


#: Test modules sharing one Ray session (``ray_session``): all their tests run on one
#: xdist worker.
RAY_SESSION_MODULES = ("tests/sweeps/test_sweep_ray.py", "tests/ensembles/test_ensemble_ray.py")
#: Folders (or modules) whose modules share a costly module fixture: each module runs on
#: one worker. The two-node cluster module starts its own Ray cluster, apart from
#: ``ray_session``.
MODULE_SCOPED = (
    "tests/export/",
    "tests/explain/",
    "tests/outputs/test_explain_outputs.py",
    "tests/sweeps/test_cluster_two_nodes.py",
)
#: Modules sharing a costly session fixture, kept on one worker so it is built once.
SHARED_FIXTURES = {
    "built_docs": ("tests/docs/test_docs_build.py", "tests/docs/test_browser.py"),
    "ensemble_runs": (
        "tests/ensembles/test_changed_data.py",
        "tests/ensembles/test_export.py",
        "tests/ensembles/test_members_and_coverage.py",
        "tests/ensembles/test_training.py",
    ),
}


def pytest_xdist_make_scheduler(config, log):
    """Under ``pytest -n N``: distribute as ``--dist load`` does, except that the tests of
    :data:`RAY_SESSION_MODULES` stay on one worker, and so do those of each module under
    :data:`MODULE_SCOPED` and those of each group of :data:`SHARED_FIXTURES`.
    (``xdist_group`` marks do this with ``--dist loadgroup``, but pytest-xdist 3.8 cannot
    rename pytest 9's node ids.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LoadKeepingRayTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(RAY_SESSION_MODULES):
                return "ray"
            for fixture, modules in SHARED_FIXTURES.items():
                if nodeid.startswith(modules):
                    return fixture
            return nodeid.split("::")[0] if nodeid.startswith(MODULE_SCOPED) else nodeid

    return LoadKeepingRayTogether(config, log)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    """Run ``python -m mura_core ARGS`` in a subprocess; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "mura_core", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})},
        timeout=timeout,
        cwd=REPO,
    )


@pytest.fixture
def cli():
    """The ``mura`` CLI run in a subprocess."""
    return run_cli


def install_plugin(
    site: Path,
    module: str,
    source: str,
    *,
    distribution: str = "mura-test-plugin",
    version: str = "1.0",
    entry_point: str | None = None,
) -> dict[str, str]:
    """Install a one-module plugin distribution into ``site`` (a folder for PYTHONPATH).

    Writes ``module.py`` and a ``*.dist-info`` whose ``entry_points.txt`` puts it in the
    ``mura`` group: what pip installs, without touching the shared environment.
    Returns the environment that makes a subprocess see it.
    """
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[mura]\n{entry_point or module} = {module}\n", encoding="utf-8"
    )
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"PYTHONPATH": os.pathsep.join(paths)}


@pytest.fixture
def plugin_site(tmp_path):
    """Install test plugins into a temporary site folder: ``plugin_site(module, source)``."""

    def install(module: str, source: str, **kwargs) -> dict[str, str]:
        return install_plugin(tmp_path / "site", module, source, **kwargs)

    return install


#: A small CNN on 32x32 grayscale input: trains an epoch of the tiny tree in a second.
TINY_CNN = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


@pytest.fixture(scope="session")
def mura_root(tmp_path_factory) -> Path:
    """A synthetic MURA tree with every body part, small images."""
    from mura_core.data.synth import synthesize

    root = tmp_path_factory.mktemp("mura")
    synthesize(root, studies=90, seed=1, min_side=40, max_side=64)
    return root


@pytest.fixture(scope="session")
def trained(tmp_path_factory, mura_root):
    """One run of the tiny CNN (class weights, augmentation), two epochs, evaluated."""
    from mura_core.training.runner import train

    out = tmp_path_factory.mktemp("runs")
    return train(
        TINY_CNN,
        mura_root,
        out=out,
        epochs=2,
        batch_size=16,
        weight_classes=True,
        augment=True,
        verbose=0,
    )


@pytest.fixture(scope="session")
def tiny_cnn() -> str:
    """The name of the tiny CNN the tests train."""
    return TINY_CNN


@pytest.fixture(scope="session")
def ray_session(tmp_path_factory):
    """An embedded Ray with two CPUs and no dashboard, its temporary files under the
    test's folder; shared by the modules of :data:`RAY_SESSION_MODULES`."""
    import logging

    from mura_core.sweeps.engine_ray import import_ray

    ray, _ = import_ray()
    temp = tmp_path_factory.mktemp("ray")
    ray.init(num_cpus=2, include_dashboard=False, _temp_dir=str(temp), log_to_driver=False,
             configure_logging=True, logging_level=logging.ERROR)  # fmt: skip
    yield ray
    ray.shutdown()


def mura_as_study_csv(mura_root: Path, out: Path) -> Path:
    """The images of the MURA tree at ``mura_root`` laid out as ``study-csv`` in ``out``:
    ``<part>/<patient>/<study>/`` folders of hard links and a ``studies.csv``."""
    from mura_core.data.loader import load_mura

    frame = load_mura(mura_root, check="exists").frame
    lines = ["study,patient,body_part,label,split"]
    for study, images in frame.groupby("study", sort=True):
        first = images.iloc[0]
        folder = f"{first.body_part[3:].lower()}/{first.patient}/{study.rsplit('/', 1)[1]}"
        (out / folder).mkdir(parents=True)
        for path in images["path"]:
            os.link(path, out / folder / Path(path).name)
        lines.append(f"{folder},{first.patient},{first.body_part},{first.label},{first.split}")
    (out / "studies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def study_csv_root(tmp_path_factory, mura_root) -> Path:
    """The session's synthetic MURA tree laid out as ``study-csv``."""
    return mura_as_study_csv(mura_root, tmp_path_factory.mktemp("study-csv"))
