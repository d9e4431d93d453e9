"""Grad-CAM explanations: the Python API, ``mura explain`` and its one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from mura_core.data.images import collect_images
from mura_core.explain import explain
from mura_core.runs import load_run
from mura_core.training.inference import predict_frame


def _studies(mura_root: Path, count: int = 2) -> list[Path]:
    return sorted((mura_root / "MURA-v1.1" / "valid").glob("XR_*/patient*/study*"))[:count]


def test_api_returns_heatmaps_in_original_pixels(trained, mura_root):
    studies = _studies(mura_root)
    loaded = load_run(trained.folder.path)
    results = explain(loaded, studies)
    images = collect_images([str(study) for study in studies])
    assert [item.path for item in results] == list(images["path"])
    expected = predict_frame(loaded.model, images, loaded.name)["probability"].to_numpy()
    assert np.allclose([item.probability for item in results], expected, atol=1e-5)
    for item in results:
        with Image.open(item.path) as image:
            width, height = image.size
        assert item.heatmap.shape == (height, width)
        assert item.heatmap.min() >= 0 and item.heatmap.max() <= 1
        x, y = item.peak
        assert 0 <= x < width and 0 <= y < height
        assert item.heatmap[y, x] == item.heatmap.max()
        assert item.flat == (item.heatmap.max() == 0)
        assert item.layer == "block2_conv1_relu"


def test_cli_writes_overlays_montages_and_json(cli, trained, mura_root, tmp_path):
    studies = _studies(mura_root)
    output = tmp_path / "explained"
    result = cli("explain", str(trained.folder.path), *map(str, studies), "--output",
                 str(output), "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {"path", "probability", "heatmap", "peak"} <= set(rows[0])
    for row in rows:
        with Image.open(row["path"]) as original, Image.open(row["heatmap"]) as picture:
            assert picture.size == original.size and picture.mode == "RGB"
        assert set(row["peak"]) == {"x", "y"}
    montages = sorted(output.glob("*/montage.png"))
    assert len(montages) == len(studies)
    again = cli("explain", str(trained.folder.path), str(studies[0]), "--output", str(output))
    assert again.returncode == 2 and "is not empty (use --overwrite" in again.stderr


def test_cli_reads_a_mura_csv_of_image_paths(cli, trained, mura_root, tmp_path):
    table = mura_root / "MURA-v1.1" / "valid_image_paths.csv"
    lines = table.read_text().splitlines()[:3]
    subset = tmp_path / "MURA-v1.1" / "few.csv"
    subset.parent.mkdir()
    (tmp_path / "MURA-v1.1" / "valid").symlink_to(mura_root / "MURA-v1.1" / "valid")
    subset.write_text("\n".join(lines) + "\n")
    result = cli("explain", str(trained.folder.path), str(subset), "--output",
                 str(tmp_path / "out"), "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3


def test_a_family_without_an_explain_layer_is_refused_in_one_line(cli, plugin_site, tmp_path):
    env = plugin_site(
        "opaque_plugin",
        """
        from mura_plugins.cnn import CNNSpec, build_cnn
        from registry import Family, hookimpl

        @hookimpl
        def register_families(register):
            register(Family("opaque", CNNSpec, build_cnn, "declares no explain layer",
                            "opaque_in.32.32.1_cl.1.1_f.2_ck.3.3_p.max_ps.2.2_pstr.2.2"))
        """,
    )
    run = tmp_path / "opaque_in.32.32.1_cl.1.1_f.2_ck.3.3_p.max_ps.2.2_pstr.2.2"
    run.mkdir()
    image = tmp_path / "image1.png"
    Image.new("L", (40, 40)).save(image)
    result = cli("explain", str(run), str(image), "--output", str(tmp_path / "out"), env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "family 'opaque' declares no explain layer" in line
    assert not (tmp_path / "out").exists()
