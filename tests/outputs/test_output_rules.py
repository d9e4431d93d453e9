"""The rules of :mod:`mura_core.outputs`, on their own: derived names, containment, which
existing files may be replaced. No TensorFlow, no model."""

from __future__ import annotations

import os
from pathlib import Path, PurePath

import pytest

from mura_core.errors import MuraError
from mura_core.outputs import (
    check_place,
    claim_file,
    figure_metadata,
    inside,
    output_names,
    path_component,
    png_info,
)

STUDY = "XR_FOREARM/patient00022/study1_positive"

#: Input paths of every shape: relative, ``..``, absolute, shallow, the root, odd names.
SHAPES = [
    f"r1/{STUDY}/image1.png",
    f"r2/{STUDY}/image1.png",
    f"/data/MURA-v1.1/valid/{STUDY}/image1.png",
    f"../{STUDY}/../{STUDY}/image2.png",
    "../x.png",
    "../../x.png",
    "./x.png",
    "x.png",
    "/tmp/d/x.png",
    "/tmp/x.png",
    "/x.png",
    "/a/x.PNG",
    "/a/x.png",
    f"/deep/{'p' * 250}/{'q' * 250}/{'r' * 250}.png",
]


def test_every_input_shape_gets_its_own_name_of_plain_components():
    names = output_names([(path, os.path.dirname(path) or ".") for path in SHAPES],
                         "_gradcam.png")  # fmt: skip
    by_file = {os.path.abspath(path): name for path, name in names.items()}
    assert len(set(by_file.values())) == len(by_file), "two inputs share an output"
    for name in names.values():
        assert not name.is_absolute() and len(name.parts) == 2
        assert all(part not in ("", ".", "..") for part in name.parts)
        assert all(len(part.encode()) <= 255 for part in name.parts)
        assert name.name.endswith("_gradcam.png")
    assert names["/x.png"] == PurePath("root/x_gradcam.png")
    assert names["/tmp/d/x.png"] == PurePath("tmp_d/x_gradcam.png")
    r1, r2 = names[f"r1/{STUDY}/image1.png"], names[f"r2/{STUDY}/image1.png"]
    assert r1 != r2 and r1.parent.name.startswith("XR_FOREARM_patient00022_study1_positive~")


def test_a_name_is_the_studys_last_three_parts_when_it_is_unique():
    names = output_names([(f"/m/valid/{STUDY}/image1.png", f"/m/valid/{STUDY}")], ".png")
    assert names[f"/m/valid/{STUDY}/image1.png"] == PurePath(
        "XR_FOREARM_patient00022_study1_positive/image1.png"
    )
    assert path_component("/") == "root" and path_component("..") != ".."


@pytest.mark.parametrize("part", ["../escaped.png", "/abs.png", "sub/../../up.png", "link/x.png"])
def test_a_path_leaving_its_folder_is_refused(tmp_path, part):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "link").symlink_to(tmp_path)
    with pytest.raises(MuraError, match="outside"):
        inside(folder, part)


def test_a_path_inside_its_folder_is_accepted_through_a_link_to_the_folder(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    assert inside(tmp_path / "alias", "a", "b.png") == tmp_path / "alias" / "a" / "b.png"


@pytest.fixture
def places(tmp_path):
    """A MURA tree, a run folder, a split manifest and its hash, and a plain file."""
    mura = tmp_path / "data" / "MURA-v1.1"
    mura.mkdir(parents=True)
    (mura / "valid_labeled_studies.csv").write_text("MURA-v1.1/valid/x/,1\n")
    run = tmp_path / "runs" / "cnn_x"
    run.mkdir(parents=True)
    (run / "run.json").write_text("{}")
    (run / "history.tsv").write_text("epoch\n")
    manifest = tmp_path / "split.csv"
    manifest.write_text("path,patient,study,body_part,label,subset\n")
    digest = tmp_path / "split.csv.sha256"
    digest.write_text(f"{'0' * 64}  split.csv\n")
    copy = tmp_path / "valid_labeled_studies.csv"
    copy.write_text("MURA-v1.1/valid/x/,1\n")
    (tmp_path / "link").symlink_to(mura)
    plain = tmp_path / "notes.txt"
    plain.write_text("mine")
    return tmp_path


#: Files never replaced, not even with ``overwrite``, and the words of the refusal.
PROTECTED = [
    ("data/MURA-v1.1/valid_labeled_studies.csv", "MURA tree"),
    ("data/MURA-v1.1/new.csv", "MURA tree"),
    ("link/valid_labeled_studies.csv", "MURA tree"),
    ("link/../MURA-v1.1/new.csv", "MURA tree"),
    ("runs/cnn_x/history.tsv", "run folder"),
    ("runs/cnn_x/new.csv", "run folder"),
    ("split.csv", "split manifest"),
    ("split.csv.sha256", "hash of the split manifest"),
    ("valid_labeled_studies.csv", "MURA data set file"),
]


@pytest.mark.parametrize(("target", "words"), PROTECTED)
@pytest.mark.parametrize("overwrite", [False, True])
def test_protected_files_are_never_claimed(places, target, words, overwrite):
    with pytest.raises(MuraError, match=words) as refused:
        claim_file(places / target, "submit", overwrite=overwrite)
    assert "\n" not in str(refused.value)


def test_places_in_a_tree_or_a_run_folder_are_refused_whatever_the_spelling(places):
    for folder in ("data/MURA-v1.1", "data/MURA-v1.1/valid/new", "link", "runs/cnn_x/sub"):
        with pytest.raises(MuraError, match="not even with --overwrite"):
            check_place(places / folder, "--output")
    assert check_place(places / "data" / "beside", "--output") == places / "data" / "beside"
    assert check_place(places / "runs" / "other", "--runs") == places / "runs" / "other"


def test_an_existing_file_needs_overwrite_unless_the_command_wrote_it(places):
    plain = places / "notes.txt"
    with pytest.raises(MuraError, match="not written by mura compare.*--overwrite"):
        claim_file(plain, "compare", overwrite=False)
    assert claim_file(plain, "compare", overwrite=True) == plain
    assert claim_file(places / "new.png", "compare", overwrite=False) == places / "new.png"
    with pytest.raises(MuraError, match="is a folder"):
        claim_file(places, "compare", overwrite=True)


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg"])
def test_a_figure_carries_the_marker_of_the_command_that_wrote_it(tmp_path, suffix):
    from mura_core.plotting import new_figure

    figure, axis = new_figure(1, 1, figsize=(2, 2))
    axis.plot([0, 1])
    path = tmp_path / f"curves{suffix}"
    figure.savefig(path, metadata=figure_metadata(path, "compare"))
    assert claim_file(path, "compare", overwrite=False) == path
    with pytest.raises(MuraError, match="not written by mura explain"):
        claim_file(path, "explain", overwrite=False)


def test_a_png_of_pil_carries_the_marker(tmp_path):
    from PIL import Image

    path = tmp_path / "x.png"
    Image.new("L", (4, 4)).save(path, pnginfo=png_info("explain"))
    assert claim_file(path, "explain", overwrite=False) == path


def test_a_previous_output_replaced_only_with_overwrite_when_asked_so(places):
    from mura_core.outputs.claims import is_manifest

    manifest = places / "split.csv"
    with pytest.raises(MuraError, match="exists \\(use --overwrite"):
        claim_file(manifest, "data split", overwrite=False, own=is_manifest, replace_own=False)
    assert claim_file(manifest, "data split", overwrite=True, own=is_manifest,
                      replace_own=False) == manifest  # fmt: skip


def test_a_dangling_link_counts_as_an_existing_file(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "missing.csv")
    with pytest.raises(MuraError, match="--overwrite"):
        claim_file(link, "submit", overwrite=False)
    assert Path(link).is_symlink()


def test_a_folder_holding_a_link_out_of_it_is_refused(tmp_path):
    from mura_core.outputs import check_links

    run = tmp_path / "run"
    (run / "backup").mkdir(parents=True)
    (run / "inner").symlink_to(run / "backup")  # a link that stays inside is fine
    check_links(run)
    (run / "backup" / "state.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(MuraError, match="state.json is a link to .*outside the run folder"):
        check_links(run)
    check_links(tmp_path / "not yet created")
