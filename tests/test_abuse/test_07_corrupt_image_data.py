"""Item 7: a PNG whose chunk checksums are valid but whose zlib stream is damaged or
short is caught by the default check, naming the file, and never stops training."""

from __future__ import annotations

import pytest

from mura_core.data.checks import image_problem
from mura_core.data.loader import load_mura
from mura_core.runs import read_run_json
from mura_core.training.runner import train

from .data_helpers import damage_idat, private_tree


@pytest.mark.parametrize("how", ["short", "unterminated", "corrupt"])
def test_the_default_check_finds_a_damaged_zlib_stream(mura_root, tmp_path, how):
    root = private_tree(mura_root, tmp_path)
    image = sorted((root / "MURA-v1.1" / "train").rglob("image1.png"))[0]
    damage_idat(image, how)
    assert image_problem(image, "verify").startswith("corrupt (image data")
    data = load_mura(root)
    assert data.problems["corrupt"] == 1
    assert data.problems.examples["corrupt"].path == root_relative(image, root)
    assert str(image) not in set(data.frame["path"])


def root_relative(image, root) -> str:
    return image.relative_to(root).as_posix()


def test_training_over_a_damaged_image_does_not_stop_mid_epoch(mura_root, tmp_path, tiny_cnn):
    root = private_tree(mura_root, tmp_path / "data")
    for image in sorted((root / "MURA-v1.1" / "train").rglob("image1.png"))[:3]:
        damage_idat(image, "unterminated")
    result = train(tiny_cnn, root, out=tmp_path / "runs", epochs=1, batch_size=16, verbose=0)
    assert read_run_json(result.folder.run_json)["status"] == "complete"
