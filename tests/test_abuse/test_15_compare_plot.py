"""Item 15: ``mura compare --plot`` says exactly what it wrote and refuses what it cannot."""

from __future__ import annotations

import pytest

from .helpers import assert_one_line_error, run_cli


def test_a_plot_name_without_suffix_gets_png_and_is_reported_so(capsys, trained, tmp_path):
    status, out, _ = run_cli(capsys, "compare", trained.folder.path, "--plot", tmp_path / "curves")
    assert status == 0
    assert (tmp_path / "curves.png").is_file() and not (tmp_path / "curves").exists()
    assert out.strip().endswith(f"wrote {tmp_path / 'curves.png'}")


@pytest.mark.parametrize(
    ("target", "fragment"),
    [(".", "is a folder"), ("x.txt", "cannot write .txt"), ("missing/c.png", "no folder")],
)
def test_a_plot_that_cannot_be_written_is_refused_up_front(
    capsys, trained, tmp_path, target, fragment
):
    before = sorted(tmp_path.iterdir())
    status, out, err = run_cli(capsys, "compare", trained.folder.path, "--plot", tmp_path / target)
    assert_one_line_error(status, err, fragment)
    assert out == "" and sorted(tmp_path.iterdir()) == before
