"""Grad-CAM explanations: the Python API, ``mura explain`` and its one-line refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mura_core.data.images import collect_images
from mura_core.explain import explain
from mura_core.inference import predict_frame
from mura_core.runs import load_run


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


#: A CNN at 64 pixels whose explain layer is an 8x8 map.
METAL_CNN = "cnn_in.64.64.1_cl.4.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2"


@pytest.fixture(scope="module")
def metal_run(tmp_path_factory):
    """:data:`METAL_CNN` trained for seconds on easy synthetic studies that are normal or
    show hardware (the others are left out of the tree's CSVs), and the tree's
    ``MURA-v1.1`` folder."""
    from mura_core.data.layout import SPLITS, image_paths_csv, labeled_studies_csv
    from mura_core.data.synth import read_findings, synthesize
    from mura_core.training.runner import train

    root = tmp_path_factory.mktemp("metal")
    synthesize(root, studies=400, seed=1, min_side=56, max_side=64, difficulty="easy")
    mura = root / "MURA-v1.1"
    others = {path.parent for path, found in read_findings(mura).items()
              if any(kind != "hardware" for kind, _ in found)}  # fmt: skip
    for split in SPLITS:
        images, studies = mura / image_paths_csv(split), mura / labeled_studies_csv(split)
        kept = [line for line in images.read_text().splitlines()
                if (root / line).resolve().parent not in others]  # fmt: skip
        images.write_text("".join(f"{line}\n" for line in kept))
        kept = [line for line in studies.read_text().splitlines()
                if (root / line.split(",")[0]).resolve() not in others]  # fmt: skip
        studies.write_text("".join(f"{line}\n" for line in kept))
    run = train(METAL_CNN, root, out=root / "runs", epochs=10, batch_size=16, seed=1,
                weight_classes=True, augment=False, verbose=0)  # fmt: skip
    return run, mura


def test_maps_of_a_briefly_trained_model_peak_inside_the_finding(metal_run):
    """Images of one finding, truly abnormal and classified so, whose box leaves out the
    image's centre (where most findings lie, so a map peaking at the centre would score):
    most peak inside the box, where a random point seldom falls."""
    from mura_core.data.layout import SPLITS, image_paths_csv
    from mura_core.data.synth import read_findings

    run, mura = metal_run
    findings = read_findings(mura)
    hits, chances = [], []
    csvs = [mura / image_paths_csv(split) for split in SPLITS]
    for item in explain(run.folder.path, csvs, batch_size=32):
        found = findings.get(Path(item.path).resolve(), [])
        if len(found) != 1 or item.probability <= 0.5:
            continue
        (_, (x0, y0, x1, y1)), height, width = found[0], *item.heatmap.shape
        if x0 <= width // 2 < x1 and y0 <= height // 2 < y1:
            continue
        x, y = item.peak
        hits.append(not item.flat and x0 <= x < x1 and y0 <= y < y1)
        chances.append((x1 - x0) * (y1 - y0) / (width * height))
    assert len(hits) >= 8
    assert np.mean(hits) >= 0.5 and np.mean(hits) >= 2 * np.mean(chances)


@pytest.mark.parametrize(
    ("file_name", "message"),
    [("notes.txt", "not a PNG or DICOM image, a study folder or a CSV of image paths"),
     ("image1.png", "corrupt (not an image)")],
)  # fmt: skip
def test_a_file_that_is_not_an_image_is_refused_in_one_line(cli, trained, tmp_path,
                                                             file_name, message):  # fmt: skip
    path = tmp_path / file_name
    path.write_text("not an image\n")
    result = cli("explain", str(trained.folder.path), str(path), "--output",
                 str(tmp_path / "out"))  # fmt: skip
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"{path}: {message}" in line
    assert not (tmp_path / "out").exists()


def test_a_run_folder_without_weights_is_refused_in_one_line(cli, trained, tiny_cnn, mura_root,
                                                             tmp_path):  # fmt: skip
    run = tmp_path / trained.folder.path.name
    shutil.copytree(trained.folder.path, run, ignore=shutil.ignore_patterns("weights.*"))
    bare = tmp_path / "bare" / tiny_cnn  # a folder named after a model, nothing in it
    bare.mkdir(parents=True)
    for folder in (run, bare):
        result = cli("explain", str(folder), str(_studies(mura_root, 1)[0]), "--output",
                     str(tmp_path / "out"))  # fmt: skip
        assert result.returncode == 2
        (line,) = result.stderr.strip().splitlines()
        assert f"run {folder.name} has no weights file" in line
    assert not (tmp_path / "out").exists()


def test_confident_predictions_still_have_a_heatmap():
    """At p = 1.0 in float32 the probability's gradient is 0; the logit's is not."""
    import keras

    from mura_core.explain import gradcam

    inputs = keras.Input((8, 8, 1))
    features = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="features",
                                   kernel_initializer="ones")(inputs)  # fmt: skip
    pooled = keras.layers.GlobalMaxPooling2D()(features)
    bias = keras.initializers.Constant(100.0)
    dense = keras.layers.Dense(1, "sigmoid", kernel_initializer="ones", bias_initializer=bias)
    output = dense(pooled)
    model = keras.Model(inputs, output)
    images = np.zeros((1, 8, 8, 1), dtype=np.float32)
    images[0, 2:4, 5:7] = 1.0
    maps, probabilities = gradcam(model, "features", images)
    assert probabilities[0] == 1.0
    assert maps.max() == 1.0
    row, column = np.unravel_index(int(np.argmax(maps[0])), maps[0].shape)
    assert 1 <= row <= 4 and 4 <= column <= 7  # where the bright patch is


@pytest.mark.parametrize(
    ("mode", "size", "channels", "blob"),
    [("L", (96, 48), 1, (66, 6, 78, 18)), ("RGB", (40, 72), 3, (4, 50, 16, 66))],
    ids=["wide-gray", "tall-rgb"],
)
def test_peaks_are_reported_in_the_original_images_pixels(tmp_path, mode, size, channels,
                                                           blob):  # fmt: skip
    """A model whose heatmap is the image's brightness: the peak lands on the bright
    blob, in the original (non-square) image's columns and rows."""
    import keras

    from mura_core.explain import explain_frame

    inputs = keras.Input((32, 32, channels))
    features = keras.layers.Conv2D(1, 1, activation="relu", name="features",
                                   kernel_initializer="ones")(inputs)  # fmt: skip
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    output = keras.layers.Dense(1, "sigmoid", kernel_initializer="ones")(pooled)
    model = keras.Model(inputs, output)
    pixels = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    x0, y0, x1, y1 = blob
    pixels[y0:y1, x0:x1] = 255
    path = tmp_path / "XR_HAND" / "patient00001" / "study1_positive" / "image1.png"
    path.parent.mkdir(parents=True)
    Image.fromarray(pixels).convert(mode).save(path)
    name = f"cnn_in.32.32.{channels}_cl.1.1_f.1_ck.1.1_p.max_ps.2.2_pstr.2.2"
    (item,) = explain_frame(model, collect_images([str(path)]), name, "features")
    assert item.heatmap.shape == (size[1], size[0])
    x, y = item.peak
    assert x0 <= x < x1 and y0 <= y < y1, item.peak
    assert item.heatmap[y, x] == 1.0 and not item.flat
