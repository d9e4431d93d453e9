from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mura_core.data.layout import parse_image_path
from mura_core.data.loader import load_mura, select_body_parts
from mura_core.data.problems import PROBLEM_KINDS, DataProblemError
from mura_core.errors import MuraError

from .data_helpers import csv_lines, write_lines


def test_clean_tree_loads_every_listed_image(synth_root: Path):
    data = load_mura(synth_root)
    listed = csv_lines(synth_root, "train_image_paths.csv") + csv_lines(
        synth_root, "valid_image_paths.csv"
    )
    assert not data.problems
    assert data.sources == {"train": "csv", "valid": "csv"}
    assert data.frame["relpath"].tolist() == listed
    for column in ("path", "split", "body_part", "patient", "study", "label"):
        assert column in data.frame.columns
    assert all(Path(path).is_absolute() and Path(path).is_file() for path in data.frame["path"])
    folder_labels = [parse_image_path(path).label for path in listed]
    assert data.frame["label"].tolist() == folder_labels
    assert (data.frame["width"] > 0).all() and (data.frame["height"] > 0).all()


def test_both_root_forms_load_the_same_frame(synth_root: Path):
    a = load_mura(synth_root).frame
    b = load_mura(synth_root / "MURA-v1.1").frame
    assert a.equals(b)


def test_body_part_filter(synth_root: Path):
    data = load_mura(synth_root, body_parts=["wrist", "XR_HAND"])
    assert set(data.frame["body_part"]) == {"XR_HAND", "XR_WRIST"}
    assert data.body_part_filter == ("XR_HAND", "XR_WRIST")
    everything = load_mura(synth_root).frame
    expected = everything[everything["body_part"].isin(["XR_HAND", "XR_WRIST"])]
    assert data.frame["relpath"].tolist() == expected["relpath"].tolist()
    assert not data.problems


def test_unknown_body_part_suggests_the_closest():
    with pytest.raises(MuraError, match="did you mean XR_WRIST"):
        select_body_parts("XR_WRST")


def test_walks_folders_without_csvs(mura: Path, synth_root: Path):
    for name in ("image_paths", "labeled_studies"):
        for split in ("train", "valid"):
            (mura / "MURA-v1.1" / f"{split}_{name}.csv").unlink()
    walked = load_mura(mura)
    listed = load_mura(synth_root)
    assert walked.sources == {"train": "walk", "valid": "walk"}
    assert not walked.problems
    key = ["relpath", "label", "study", "patient"]
    a = walked.frame[key].sort_values("relpath").reset_index(drop=True)
    b = listed.frame[key].sort_values("relpath").reset_index(drop=True)
    assert a.equals(b)


def _first_image(root: Path) -> str:
    return csv_lines(root, "train_image_paths.csv")[0]


def _damage(root: Path, how: str) -> str:
    """Damage the tree one way; return the path the problem report should name."""
    lines = csv_lines(root, "train_image_paths.csv")
    first = lines[0]
    file = root / first
    if how == "missing":
        file.unlink()
        return first
    if how in ("empty", "truncated", "garbage", "jpeg", "no_iend"):
        data = file.read_bytes()
        content = {
            "empty": b"",
            "truncated": data[: len(data) // 2],
            "garbage": b"this is not a png" * 10,
            "jpeg": b"\xff\xd8\xff\xe0" + b"\0" * 200,
            "no_iend": data[:-12],
        }[how]
        file.write_bytes(content)
        return first
    if how == "directory":
        file.unlink()
        file.mkdir()
        return first
    if how == "unlisted":
        junk = file.with_name("._image1.png")
        junk.write_bytes(b"\0\5\26\7AppleDouble")
        return f"{first.rsplit('/', 1)[0]}/._image1.png"
    if how in ("dotdot", "absolute"):
        escape = "MURA-v1.1/../../../etc/passwd" if how == "dotdot" else "/etc/passwd"
        write_lines(root, "train_image_paths.csv", [*lines, escape])
        return escape
    if how == "malformed":
        bad = first.replace("train/XR_", "train/XX_")
        write_lines(root, "train_image_paths.csv", [*lines, bad])
        return bad
    if how == "wrong_split":
        bad = csv_lines(root, "valid_image_paths.csv")[0]
        write_lines(root, "train_image_paths.csv", [*lines, bad])
        return bad
    if how == "duplicate":
        write_lines(root, "train_image_paths.csv", [*lines, first])
        return first
    studies = csv_lines(root, "train_labeled_studies.csv")
    study, label = studies[0].rsplit(",", 1)
    study = study.rstrip("/")
    if how == "label_mismatch":
        studies[0] = f"{study}/,{1 - int(label)}"
        write_lines(root, "train_labeled_studies.csv", studies)
        return study
    if how == "unlabeled":
        write_lines(root, "train_labeled_studies.csv", studies[1:])
        return study
    if how == "bad_label":
        write_lines(root, "train_labeled_studies.csv", [*studies, f"{study}/,7"])
        return study
    raise AssertionError(how)


CASES = [
    ("missing", "missing", True),
    ("empty", "corrupt", True),
    ("truncated", "corrupt", True),
    ("garbage", "corrupt", True),
    ("jpeg", "corrupt", True),
    ("no_iend", "corrupt", True),
    ("directory", "corrupt", True),
    ("unlisted", "unlisted", False),
    ("dotdot", "outside_root", False),
    ("absolute", "outside_root", False),
    ("malformed", "malformed", False),
    ("wrong_split", "malformed", False),
    ("duplicate", "duplicate", False),
    ("label_mismatch", "label_mismatch", False),
    ("unlabeled", "unlabeled", False),
    ("bad_label", "malformed", False),
]


@pytest.mark.parametrize(("how", "kind", "drops_first_image"), CASES)
def test_each_bad_input_is_counted_reported_and_skipped(
    mura: Path, synth_root: Path, how: str, kind: str, drops_first_image: bool
):
    clean = load_mura(synth_root).frame
    path = _damage(mura, how)
    data = load_mura(mura)
    assert data.problems[kind] == 1
    assert data.problems.total == 1, data.problems.to_dict()
    example = data.problems.examples[kind]
    assert example.path.rstrip("/") == path
    report = data.problems.to_dict()
    assert report[kind] == 1 and report["examples"][0]["path"] == example.path
    expected = clean["relpath"].tolist()
    if drops_first_image:
        expected = expected[1:]
    assert data.frame["relpath"].tolist() == expected


def test_label_mismatch_keeps_the_csv_label(mura: Path):
    study = _damage(mura, "label_mismatch")
    frame = load_mura(mura).frame
    rows = frame[frame["study"] == study]
    folder_label = parse_image_path(rows["relpath"].iloc[0]).label
    assert len(rows) and (rows["label"] == 1 - folder_label).all()


@pytest.mark.parametrize(("how", "kind", "_"), CASES)
def test_strict_fails_on_the_first_problem_naming_it(mura: Path, how: str, kind: str, _: bool):
    path = _damage(mura, how)
    with pytest.raises(DataProblemError) as error:
        load_mura(mura, strict=True)
    assert error.value.problem.kind == kind
    assert path in str(error.value)
    assert isinstance(error.value, MuraError)


def test_several_problems_are_all_counted(mura: Path):
    lines = csv_lines(mura, "train_image_paths.csv")
    for line in lines[:3]:
        (mura / line).unlink()
    (mura / lines[3]).write_bytes(b"")
    data = load_mura(mura)
    assert (data.problems["missing"], data.problems["corrupt"]) == (3, 1)
    assert data.problems.examples["missing"].path == lines[0]
    assert len(data.frame) == len(lines) - 4 + len(csv_lines(mura, "valid_image_paths.csv"))


def test_walk_mode_reports_junk_as_unlisted(mura: Path):
    _damage(mura, "unlisted")
    (mura / "MURA-v1.1" / "train_image_paths.csv").unlink()
    data = load_mura(mura)
    assert data.sources["train"] == "walk"
    assert data.problems["unlisted"] == 1
    assert not data.frame["relpath"].str.contains("/._").any()


def test_check_levels(mura: Path):
    _damage(mura, "truncated")
    assert load_mura(mura, check="exists").problems["corrupt"] == 0
    assert load_mura(mura, check="verify").problems["corrupt"] == 1
    assert load_mura(mura, check="full").problems["corrupt"] == 1


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.text(max_size=60), max_size=6))  # NULs, quotes, surrogates...
def test_arbitrary_csv_lines_never_crash(synth_root: Path, tmp_path: Path, lines: list[str]):
    root = tmp_path / "fuzz"
    if not root.exists():
        shutil.copytree(synth_root / "MURA-v1.1", root / "MURA-v1.1")
    listing = root / "MURA-v1.1" / "valid_image_paths.csv"
    original = listing.read_text() if not (root / "orig").exists() else (root / "orig").read_text()
    (root / "orig").write_text(original)
    listing.write_text(original + "\n".join(lines) + "\n", errors="surrogateescape")
    data = load_mura(root, splits=["valid"])
    assert len(data.frame) <= len(original.splitlines())
    assert set(data.problems.counts) <= set(PROBLEM_KINDS)


def test_undecodable_and_unreadable_csvs(mura: Path):
    listing = mura / "MURA-v1.1" / "train_image_paths.csv"
    listing.write_bytes(listing.read_bytes() + b'\xff\xfe\x00garbage,"unclosed\n')
    data = load_mura(mura)
    assert data.problems["malformed"] == 1
    listing.unlink()
    listing.mkdir()  # not a file: the split is walked instead
    assert load_mura(mura).sources["train"] == "walk"
    from mura_core.data.loader import _read_csv_rows

    with pytest.raises(MuraError, match="cannot read"):
        _read_csv_rows(listing)
