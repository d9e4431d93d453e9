"""Item 6: a file cache (``--cache DIR``) is never reused for other pixels or labels.

Its key covers the files' content fingerprints, the labels, the sample weights, the
image size and channels; a stale entry is rebuilt.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from mura_core.data.loader import load_mura
from mura_core.data.pipeline import training_dataset

from .data_helpers import private_tree


def _frame(mura_root, tmp_path):
    root = private_tree(mura_root, tmp_path / "data")
    return load_mura(root, body_parts="XR_WRIST").frame.head(12)


def _first(frame, cache, **options):
    dataset = training_dataset(
        frame, image_size=(16, 16), channels=1, batch_size=12, augment=False, cache=cache,
        **options,
    )  # fmt: skip
    return [np.asarray(part) for part in next(iter(dataset))]


def test_replaced_images_are_decoded_again(mura_root, tmp_path):
    frame = _frame(mura_root, tmp_path)
    images, _ = _first(frame, tmp_path / "cache")
    assert images.max() > 0
    for path in frame["path"]:
        with Image.open(path) as image:
            size = image.size
        Image.new("L", size).save(path)  # black, same name and size
    images, _ = _first(frame, tmp_path / "cache")
    assert images.max() == 0


def test_relabelled_studies_are_not_read_from_the_cache(mura_root, tmp_path):
    frame = _frame(mura_root, tmp_path)
    _, labels = _first(frame, tmp_path / "cache")
    flipped = frame.assign(label=1 - frame["label"])
    _, again = _first(flipped, tmp_path / "cache")
    assert sorted(again) == sorted(1 - labels)


def test_switching_class_weighting_on_one_cache_works(mura_root, tmp_path):
    frame = _frame(mura_root, tmp_path)
    assert len(_first(frame, tmp_path / "cache")) == 2
    weights = np.linspace(0.5, 2.0, len(frame))
    batch = _first(frame, tmp_path / "cache", sample_weights=weights)
    assert len(batch) == 3 and sorted(batch[2]) == sorted(weights.astype(np.float32))
    assert len(_first(frame, tmp_path / "cache")) == 2
