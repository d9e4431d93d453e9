"""Item 16: an image above the project's pixel limit is one counted problem, stated in
one line (no Pillow warning); the limit is a documented setting (MURA_MAX_PIXELS)."""

from __future__ import annotations

import warnings

from mura_core.data.checks import DEFAULT_MAX_PIXELS, image_problem
from mura_core.data.loader import load_mura

from .data_helpers import huge_png, private_tree
from .helpers import assert_one_line_error, run_cli


def _plant(root, width=12_000, height=9_000):
    image = sorted((root / "MURA-v1.1" / "train").rglob("image1.png"))[0]
    image.write_bytes(huge_png(width, height))
    return image


def test_a_108_megapixel_png_is_a_problem_without_pillow_warnings(capsys, mura_root, tmp_path):
    root = private_tree(mura_root, tmp_path)
    image = _plant(root)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load_mura(root)
        problem = image_problem(image)
    assert not caught, [str(item.message) for item in caught]
    assert data.problems["too_large"] == 1 and str(image) not in set(data.frame["path"])
    assert "108.0 megapixels, above the limit of 50 (MURA_MAX_PIXELS)" in problem
    status, out, err = run_cli(capsys, "data", "inspect", root)
    assert status == 0 and err == ""
    assert [line for line in out.splitlines() if "too_large" in line and "108.0" in line]
    assert_one_line_error(*run_cli(capsys, "predict", tmp_path / "run", image)[::2], "too_large")


def test_the_limit_is_a_setting(capsys, mura_root, tmp_path, monkeypatch):
    assert DEFAULT_MAX_PIXELS == 50_000_000
    root = private_tree(mura_root, tmp_path)
    monkeypatch.setenv("MURA_MAX_PIXELS", "1000")
    data = load_mura(root, body_parts="XR_WRIST")
    assert data.frame.empty and data.problems["too_large"] > 0
    monkeypatch.setenv("MURA_MAX_PIXELS", "lots")
    status, _, err = run_cli(capsys, "data", "inspect", root)
    assert_one_line_error(status, err, "MURA_MAX_PIXELS must be a whole number")
