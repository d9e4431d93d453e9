from __future__ import annotations

from pathlib import Path

import pytest

from mura_core.data.layout import BODY_PARTS, parse_image_path, parse_study_path, resolve_root
from mura_core.errors import MuraError

GOOD = "MURA-v1.1/train/XR_WRIST/patient00007/study2_positive/image3.png"


def test_body_parts_come_from_the_registry():
    import registry

    assert BODY_PARTS == registry.BODY_PARTS
    assert len(BODY_PARTS) == 7


def test_parse_image_path_fields():
    image = parse_image_path(GOOD)
    assert (image.split, image.body_part, image.patient, image.label) == (
        "train",
        "XR_WRIST",
        "patient00007",
        1,
    )
    assert image.study == "MURA-v1.1/train/XR_WRIST/patient00007/study2_positive"
    assert image.relpath == GOOD


def test_negative_label_and_backslashes():
    image = parse_image_path(GOOD.replace("positive", "negative").replace("/", "\\"))
    assert image.label == 0
    assert image.relpath == GOOD.replace("positive", "negative")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/" + GOOD, "absolute"),
        ("MURA-v1.1/train/../../x.png", "'..'"),
        ("OTHER/train/XR_WRIST/patient00007/study2_positive/image3.png", "start with"),
        ("MURA-v1.1/test/XR_WRIST/patient00007/study2_positive/image3.png", "split"),
        ("MURA-v1.1/train/XR_KNEE/patient00007/study2_positive/image3.png", "body part"),
        ("MURA-v1.1/train/XR_WRIST/person7/study2_positive/image3.png", "patient"),
        ("MURA-v1.1/train/XR_WRIST/patient00007/study2/image3.png", "study folder"),
        ("MURA-v1.1/train/XR_WRIST/patient00007/study2_positive/._image3.png", "hidden"),
        ("MURA-v1.1/train/XR_WRIST/patient00007/study2_positive/image3.jpg", "PNG"),
        ("MURA-v1.1/train/XR_WRIST/patient00007/image3.png", "expected"),
    ],
)
def test_parse_image_path_rejects(path: str, reason: str):
    with pytest.raises(ValueError, match=reason):
        parse_image_path(path)


def test_parse_study_path_with_trailing_slash():
    study = parse_study_path("MURA-v1.1/valid/XR_HAND/patient11185/study1_negative/")
    assert (study.split, study.body_part, study.label) == ("valid", "XR_HAND", 0)
    assert study.study == "MURA-v1.1/valid/XR_HAND/patient11185/study1_negative"


def test_resolve_root_accepts_both_levels_and_a_renamed_folder(synth_root: Path, tmp_path: Path):
    holding = resolve_root(synth_root)
    inner = resolve_root(synth_root / "MURA-v1.1")
    assert holding == inner
    assert holding.mura == synth_root / "MURA-v1.1"
    renamed = tmp_path / "mura"
    (renamed / "train").mkdir(parents=True)
    assert resolve_root(renamed).mura == renamed


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
def test_resolve_root_rejects_non_trees(tmp_path: Path, kind: str):
    target = tmp_path / "x"
    if kind == "file":
        target.write_text("hello")
    elif kind == "empty":
        target.mkdir()
    with pytest.raises(MuraError) as error:
        resolve_root(target)
    assert "\n" not in str(error.value)
