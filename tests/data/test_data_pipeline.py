from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

tf = pytest.importorskip("tensorflow")

from mura_core.data.loader import load_mura  # noqa: E402
from mura_core.data.pipeline import (  # noqa: E402
    AugmentConfig,
    augment_batch,
    decoded_dataset,
    evaluation_dataset,
    input_spec,
    normalize,
    pipeline_for_model,
    training_dataset,
    warp_batch,
)

SIZE = (32, 32)
CNN = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


@pytest.fixture(scope="module")
def frame(synth_root: Path) -> pd.DataFrame:
    full = load_mura(synth_root).frame
    rows = pd.concat([full[full["mode"] == "L"].head(30), full[full["mode"] == "RGB"].head(6)])
    return rows.sort_index().reset_index(drop=True)


def collect(dataset) -> tuple[np.ndarray, ...]:
    parts = [list(batch) for batch in dataset]
    return tuple(np.concatenate([p[i].numpy() for p in parts]) for i in range(len(parts[0])))


@pytest.mark.parametrize("channels", [1, 3])
def test_evaluation_shapes_dtypes_order(frame: pd.DataFrame, channels: int):
    dataset = evaluation_dataset(frame, image_size=SIZE, channels=channels, batch_size=16)
    images, labels = next(iter(dataset))
    assert images.shape == (16, *SIZE, channels) and images.dtype == tf.float32
    assert labels.shape == (16,) and labels.dtype == tf.float32
    images, labels = collect(dataset)
    assert images.shape == (len(frame), *SIZE, channels)
    np.testing.assert_array_equal(labels, frame["label"].to_numpy(dtype=np.float32))
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.max() > 0.5
    again, _ = collect(dataset)
    np.testing.assert_array_equal(images, again)  # never shuffled, never augmented


def test_channels_are_converted_explicitly(frame: pd.DataFrame):
    modes = frame["mode"].tolist()
    assert {"L", "RGB"} <= set(modes)
    rgb = decoded_dataset(frame, image_size=SIZE, channels=3)
    gray = decoded_dataset(frame, image_size=SIZE, channels=1)
    for (color, _), (mono, _), mode in zip(rgb, gray, modes):
        assert color.dtype == tf.uint8 and color.shape == (*SIZE, 3)
        assert mono.dtype == tf.uint8 and mono.shape == (*SIZE, 1)
        if mode == "L":
            np.testing.assert_array_equal(color[..., 0], color[..., 2])
            np.testing.assert_array_equal(color[..., :1], mono)


def test_grayscale_default_replicates_luminance(frame: pd.DataFrame):
    rgb_rows = frame[frame["mode"] == "RGB"]
    gray, _ = collect(evaluation_dataset(rgb_rows, image_size=SIZE, channels=3))
    np.testing.assert_array_equal(gray[..., 0], gray[..., 2])
    color, _ = collect(evaluation_dataset(rgb_rows, image_size=SIZE, channels=3, grayscale=False))
    assert (color[..., 0] - color[..., 2]).max() > 0.01  # the synthetic tint survives
    np.testing.assert_allclose(gray[..., 0], color.mean(axis=-1), atol=0.03)


@pytest.mark.parametrize("mode", ["tf", "torch", "caffe", "unit", "none"])
def test_normalize_one_channel_expands_like_three(mode: str):
    gray = np.random.default_rng(1).uniform(0, 255, (2, 4, 4, 1)).astype(np.float32)
    expanded = normalize(tf.constant(gray), mode, 3).numpy()
    assert expanded.shape == (2, 4, 4, 3)
    np.testing.assert_allclose(expanded, normalize(np.repeat(gray, 3, -1), mode).numpy(), atol=1e-5)


@pytest.mark.parametrize("mode", ["tf", "torch", "caffe"])
def test_normalize_matches_keras_preprocess_input(mode: str):
    from keras.applications import imagenet_utils

    images = np.random.default_rng(0).uniform(0, 255, (2, 5, 5, 3)).astype(np.float32)
    expected = imagenet_utils.preprocess_input(images.copy(), mode=mode)
    np.testing.assert_allclose(normalize(tf.constant(images), mode).numpy(), expected, atol=1e-4)


def test_normalize_ranges_and_one_channel():
    images = tf.constant([[[[0.0]], [[255.0]]]])
    np.testing.assert_allclose(normalize(images, "unit").numpy().ravel(), [0, 1])
    np.testing.assert_allclose(normalize(images, "tf").numpy().ravel(), [-1, 1])
    np.testing.assert_allclose(normalize(images, "none").numpy().ravel(), [0, 255])
    torch = normalize(images, "torch").numpy().ravel()
    assert torch[0] < -1.5 and torch[1] > 2.0
    with pytest.raises(ValueError):
        normalize(images, "imagenet")


def test_augmentation_only_in_training(frame: pd.DataFrame):
    one = frame.head(1)
    reference, _ = collect(evaluation_dataset(one, image_size=SIZE, channels=1))
    plain = training_dataset(one, image_size=SIZE, channels=1, augment=None)
    for _ in range(2):
        np.testing.assert_array_equal(collect(plain)[0], reference)
    augmented = training_dataset(one, image_size=SIZE, channels=1, augment=True, seed=4)
    epochs = [collect(augmented)[0] for _ in range(4)]
    assert all(not np.array_equal(epoch, reference) for epoch in epochs)
    assert not np.array_equal(epochs[0], epochs[1])  # new draws each epoch
    assert all(epoch.min() >= 0.0 and epoch.max() <= 1.0 for epoch in epochs)


def test_training_is_shuffled_seeded_and_complete(frame: pd.DataFrame):
    def labels_by_epoch(seed: int, epochs: int = 2):
        dataset = training_dataset(
            frame, image_size=SIZE, channels=1, batch_size=8, augment=None, seed=seed,
            sample_weights=np.arange(len(frame), dtype=np.float32),
        )  # fmt: skip
        return [collect(dataset)[2] for _ in range(epochs)]

    first, second = labels_by_epoch(1)
    assert sorted(first) == list(range(len(frame)))  # every row exactly once
    assert list(first) != list(range(len(frame)))  # shuffled
    assert list(first) != list(second)  # reshuffled each epoch
    np.testing.assert_array_equal(labels_by_epoch(1)[0], first)  # same seed, same order


def test_training_batches_carry_matching_labels_and_weights(frame: pd.DataFrame):
    weights = np.arange(len(frame), dtype=np.float32)
    dataset = training_dataset(
        frame, image_size=SIZE, channels=1, batch_size=8, sample_weights=weights
    )
    images, labels, got = collect(dataset)
    assert images.shape == (len(frame), *SIZE, 1) and got.dtype == np.float32
    expected = frame["label"].to_numpy(dtype=np.float32)[got.astype(int)]
    np.testing.assert_array_equal(labels, expected)
    with pytest.raises(ValueError, match="sample_weights"):
        training_dataset(frame, image_size=SIZE, sample_weights=weights[:-1])


def test_flips_are_exact_and_random():
    images = tf.reshape(tf.range(64 * 4 * 4, dtype=tf.float32), (64, 4, 4, 1))
    flip = AugmentConfig(horizontal_flip=True, vertical_flip=False, rotation=0.0)
    out = augment_batch(images, flip, tf.constant([1, 2])).numpy()
    mirrored = images.numpy()[:, :, ::-1]
    same = [np.array_equal(o, i) for o, i in zip(out, images.numpy())]
    flipped = [np.array_equal(o, m) for o, m in zip(out, mirrored)]
    assert all(s or f for s, f in zip(same, flipped))
    assert 10 < sum(flipped) < 54
    again = augment_batch(images, flip, tf.constant([1, 2])).numpy()
    np.testing.assert_array_equal(out, again)  # stateless: same seed, same warp


def test_rotation_stays_within_the_configured_angle():
    image = np.zeros((1, 33, 33, 1), np.float32)
    image[0, 16, 16:, 0] = 255.0  # a ray from the centre pointing right
    config = AugmentConfig(horizontal_flip=False, vertical_flip=False, rotation=30.0)
    batch = tf.constant(np.repeat(image, 64, axis=0))
    out = augment_batch(batch, config, tf.constant([3, 4])).numpy()[..., 0]
    ys, xs = np.mgrid[0:33, 0:33] - 16.0
    far = np.hypot(ys, xs) > 8  # the ray's direction, weighted by intensity
    angles = np.degrees([np.arctan2((o * ys)[far].sum(), (o * xs)[far].sum()) for o in out])
    assert np.abs(angles).max() <= 30.5
    assert angles.min() < -20 and angles.max() > 20  # both directions, the whole range


@pytest.mark.parametrize("fill_mode", ["constant", "nearest"])
def test_warp_matches_tensorflow_projective_transform(fill_mode: str):
    from mura_core.data.augment import affine_transforms

    images = tf.random.uniform((6, 20, 24, 2), 0, 255, seed=1)
    config = AugmentConfig(rotation=40.0, zoom=0.2, shift=0.1, fill_mode=fill_mode, fill_value=7)
    transforms = affine_transforms(6, 20, 24, config, tf.constant([5, 6]))
    expected = tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=[20, 24], fill_value=7.0,
        interpolation="BILINEAR", fill_mode=fill_mode.upper(),
    )  # fmt: skip
    got = augment_batch(images, config, tf.constant([5, 6]))
    np.testing.assert_allclose(got, expected, atol=1e-2)
    compiled = tf.function(warp_batch, jit_compile=True)  # as the training pipeline runs it
    np.testing.assert_allclose(compiled(images, transforms, fill_mode, 7.0), expected, atol=1e-2)


def test_identity_augmentation_is_a_no_op():
    images = tf.random.uniform((2, 8, 8, 3), 0, 255)
    none = AugmentConfig(horizontal_flip=False, vertical_flip=False, rotation=0.0)
    np.testing.assert_array_equal(augment_batch(images, none, tf.constant([0, 0])), images)
    with pytest.raises(ValueError):
        AugmentConfig(rotation=-1)


@pytest.mark.parametrize("where", ["memory", "file"])
def test_cache_means_later_epochs_decode_nothing(frame: pd.DataFrame, tmp_path: Path, where: str):
    copy = frame.head(12).copy()
    folder = tmp_path / "images"
    folder.mkdir()
    paths = []
    for index, path in enumerate(copy["path"]):
        paths.append(str(shutil.copy(path, folder / f"{index}.png")))
    copy["path"] = paths
    cache = "memory" if where == "memory" else tmp_path / "cache"
    dataset = evaluation_dataset(copy, image_size=SIZE, channels=1, batch_size=5, cache=cache)
    first, _ = collect(dataset)
    if where == "file":  # a new dataset over the same, unchanged images reuses the file cache
        entries = sorted((tmp_path / "cache").iterdir())
        assert entries
        reused = evaluation_dataset(copy, image_size=SIZE, channels=1, batch_size=5, cache=cache)
        np.testing.assert_array_equal(collect(reused)[0], first)
        assert sorted((tmp_path / "cache").iterdir()) == entries
    shutil.rmtree(folder)  # nothing left to decode
    second, _ = collect(dataset)
    np.testing.assert_array_equal(first, second)


def test_model_driven_pipeline(frame: pd.DataFrame):
    spec = input_spec(CNN)
    assert (spec.image_size, spec.channels, spec.preprocessing) == ((32, 32), 1, "unit")
    assert input_spec("densenet201_in.48.48.3_p.avg").preprocessing == "torch"
    images, labels = next(iter(pipeline_for_model(CNN, frame, training=True, batch_size=4)))
    assert images.shape == (4, 32, 32, 1) and labels.shape == (4,)
    dense = pipeline_for_model("densenet201_in.48.48.3_p.avg", frame, training=False)
    images, _ = next(iter(dense))
    assert images.shape[1:] == (48, 48, 3) and images.numpy().min() < -1.0


def test_bad_arguments(frame: pd.DataFrame):
    from mura_core.errors import MuraError

    with pytest.raises(ValueError, match="channels"):
        evaluation_dataset(frame, image_size=SIZE, channels=2)
    with pytest.raises(ValueError, match="preprocessing"):
        evaluation_dataset(frame, image_size=SIZE, preprocessing="imagenet")
    with pytest.raises(MuraError, match="no images"):
        evaluation_dataset(frame.iloc[0:0], image_size=SIZE)
