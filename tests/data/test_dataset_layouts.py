"""Dataset layouts as plugins: detection, ``--layout``, the study-csv layout's errors, and a
broken dataset plugin kept to itself. No TensorFlow: every command here only reads data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import registry
from mura_core.cli import main
from mura_core.data.sources import open_data
from mura_core.data.split import read_manifest
from registry import DatasetLayout, hookimpl
from tests.test_abuse.helpers import assert_one_line_error


def run_cli(capsys, *args) -> tuple[int, str, str]:
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def csv_copy(study_csv_root: Path, tmp_path: Path) -> Path:
    """A private copy of the study-csv tree that a test may damage."""
    return Path(shutil.copytree(study_csv_root, tmp_path / "data", copy_function=shutil.copy2))


class Plugin:
    """A dataset plugin made in a test: registers ``layouts``, or raises ``error``."""

    def __init__(self, *layouts: DatasetLayout, error: Exception | None = None) -> None:
        self.layouts, self.error = layouts, error

    @hookimpl
    def register_datasets(self, register):
        if self.error is not None:
            raise self.error
        for layout in self.layouts:
            register(layout)


@pytest.fixture
def with_plugin():
    """Register plugins in the process-wide registry for one test."""
    names = []

    def register(plugin: Plugin, name: str) -> None:
        names.append(registry.get_registry().register_plugin(plugin, name=name))

    yield register
    for name in names:
        registry.get_registry().unregister_plugin(name)


def test_each_built_in_layout_recognises_its_root(capsys, mura_root, study_csv_root):
    assert open_data(mura_root).layout.name == "mura-v1.1"
    assert open_data(study_csv_root).layout.name == "study-csv"
    summaries = {}
    for root in (mura_root, study_csv_root):
        status, out, _ = run_cli(capsys, "data", "inspect", root, "--json", "--check", "exists")
        assert status == 0
        summaries[json.loads(out)["layout"]] = json.loads(out)
    mura, csv = summaries["mura-v1.1"], summaries["study-csv"]
    for split in ("train", "valid"):  # the same images, studies and patients either way
        for count in ("images", "studies", "patients"):
            assert csv["splits"][split][count] == mura["splits"][split][count] > 0
    status, out, _ = run_cli(capsys, "plugins", "--json")
    assert {"mura-v1.1", "study-csv"} <= {n for info in json.loads(out) for n in info["datasets"]}


def test_no_layout_or_several_is_one_line_and_layout_chooses(capsys, tmp_path, csv_copy):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(
        *run_cli(capsys, "data", "inspect", tmp_path / "empty")[::2],
        "no dataset layout recognises it (tried mura-v1.1 (", "; study-csv (",
    )
    (csv_copy / "MURA-v1.1" / "train").mkdir(parents=True)  # now MURA's detector says yes too
    assert_one_line_error(
        *run_cli(capsys, "data", "inspect", csv_copy)[::2],
        "several dataset layouts recognise it (mura-v1.1, study-csv)", "--layout NAME",
    )
    status, out, _ = run_cli(capsys, "data", "inspect", csv_copy, "--layout", "study-csv")
    assert status == 0 and out.startswith(f"data: {csv_copy} (layout study-csv)")
    assert_one_line_error(
        *run_cli(capsys, "data", "inspect", csv_copy, "--layout", "study-cvs")[::2],
        "unknown dataset layout 'study-cvs'; did you mean 'study-csv'?",
    )


def test_a_study_csv_split_keeps_patients_apart(capsys, study_csv_root, tmp_path):
    out = tmp_path / "split.csv"
    status, printed, _ = run_cli(capsys, "data", "split", study_csv_root, out)
    assert status == 0 and "test" in printed
    split = read_manifest(out, study_csv_root)
    patients = [set(frame["patient"]) for frame in split.subsets.values()]
    assert not (patients[0] & patients[1]) and not (patients[0] & patients[2])
    assert all(Path(path).is_file() for path in split.train["path"])
    paths = pd.read_csv(out)["path"]  # relative to the root, as studies.csv names them
    assert paths.str.match(r"^[a-z]+/patient\d+/study\d+_\w+/image\d+\.png$").all()


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (lambda text: text.replace("body_part", "part", 1), ["missing column(s) body_part"]),
        (lambda text: text.replace(",XR_HAND,", ",XR_KNEE,", 1),
         ["studies.csv line", "unknown body part 'XR_KNEE'"]),
        (lambda text: text.replace(",1,train", ",yes,train", 1), ["label must be 0 or 1"]),
        (lambda text: text + "hand/nobody/study9,nobody,XR_HAND,0,train\n",
         ["study folder hand/nobody/study9 does not exist"]),
        (lambda text: text + "../outside,p,XR_HAND,0,train\n", ["inside it"]),
    ],
    ids=["missing-column", "unknown-body-part", "bad-label", "missing-folder", "outside"],
)
def test_study_csv_errors_are_one_line_and_write_nothing(capsys, csv_copy, edit, fragments):
    table = csv_copy / "studies.csv"
    table.write_text(edit(table.read_text(encoding="utf-8")), encoding="utf-8")
    out = csv_copy.parent / "split.csv"
    assert_one_line_error(*run_cli(capsys, "data", "split", csv_copy, out)[::2], *fragments)
    assert not out.exists()


def test_nothing_is_written_into_a_study_csv_tree(capsys, csv_copy):
    before = (csv_copy / "studies.csv").read_bytes()
    for out in (csv_copy / "split.csv", csv_copy / "studies.csv"):
        assert_one_line_error(
            *run_cli(capsys, "data", "split", csv_copy, out, "--overwrite")[::2],
            f"is inside the study-csv tree {csv_copy}", "not even with --overwrite",
        )
    assert (csv_copy / "studies.csv").read_bytes() == before
    assert not (csv_copy / "split.csv").exists()


def test_a_study_without_images_is_one_line(capsys, csv_copy):
    first = pd.read_csv(csv_copy / "studies.csv")["study"].iloc[0]
    for image in (csv_copy / first).iterdir():
        image.unlink()
    assert_one_line_error(
        *run_cli(capsys, "data", "inspect", csv_copy)[::2],
        f"studies.csv line 2: study folder {first} holds no PNG or DICOM image",
    )


def test_a_broken_dataset_plugin_is_isolated(capsys, caplog, with_plugin, mura_root):
    def explode(root: Path) -> bool:
        raise RuntimeError("cannot look")

    loader = "no_such_module:Dataset"
    with_plugin(Plugin(DatasetLayout("exploding", explode, loader)), "exploding-plugin")
    with_plugin(Plugin(error=ImportError("broken hook")), "broken-plugin")
    with_plugin(Plugin(DatasetLayout("twin", lambda root: False, loader)), "twin-a")
    with_plugin(Plugin(DatasetLayout("twin", lambda root: False, loader)), "twin-b")
    status, out, _ = run_cli(capsys, "data", "inspect", mura_root, "--check", "exists")
    assert status == 0 and out.startswith("data: ") and "(layout mura-v1.1)" in out
    assert "dataset layout 'exploding' of plugin 'exploding-plugin': its detector failed " \
           "(RuntimeError: cannot look)" in caplog.text  # fmt: skip
    infos = {info.name: info for info in registry.plugins()}
    assert infos["broken-plugin"].status == "failed"
    assert "ImportError: broken hook" in infos["broken-plugin"].error
    assert infos["datasets"].datasets == ["mura-v1.1", "study-csv"]
    assert_one_line_error(
        *run_cli(capsys, "data", "inspect", mura_root, "--layout", "twin")[::2],
        "dataset layout 'twin' is disabled", "twin-a", "twin-b",
    )
    assert_one_line_error(
        *run_cli(capsys, "data", "inspect", mura_root, "--layout", "exploding")[::2],
        "not a exploding root (its detector failed (RuntimeError: cannot look))",
    )
    with_plugin(Plugin(DatasetLayout("ghost", lambda root: True, loader)), "ghost-plugin")
    assert_one_line_error(
        *run_cli(capsys, "data", "inspect", mura_root, "--layout", "ghost")[::2],
        "dataset layout 'ghost': loader no_such_module:Dataset cannot be imported "
        "(ModuleNotFoundError: No module named 'no_such_module')",
    )


def test_sweep_reads_the_layout_before_anything_starts(capsys, study_csv_root, tmp_path):
    name = "cnn_in.32.32.1_cl.1.1_f.4_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25"
    for layout, fragment in (("study-cvs", "unknown dataset layout 'study-cvs'"),
                             ("mura-v1.1", "not a mura-v1.1 root (a MURA tree: ")):  # fmt: skip
        assert_one_line_error(
            *run_cli(capsys, "sweep", name, "--data", study_csv_root, "--layout", layout,
                     "--engine", "local", "--runs", tmp_path / "runs")[::2],  # fmt: skip
            fragment,
        )
    assert not (tmp_path / "runs").exists()


def test_a_dataset_plugin_that_fails_to_import_is_skipped(tmp_path, monkeypatch, mura_root):
    from tests.conftest import install_plugin

    source = "import no_such_dependency\n"
    install_plugin(tmp_path / "site", "broken_layouts", source, distribution="mura-broken")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    fresh = registry.Registry()  # reads the entry points now, as a new process would
    infos = {info.name: info for info in fresh.plugins()}
    assert infos["broken_layouts"].status == "failed"
    assert "No module named 'no_such_dependency'" in infos["broken_layouts"].error
    assert {"mura-v1.1", "study-csv"} <= set(fresh.datasets())
