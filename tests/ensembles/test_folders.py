"""Run folders of long names: at most 255 bytes, a deterministic short form, name.txt."""

from __future__ import annotations

import pytest

import registry
from mura_core.errors import MuraError
from mura_core.runs import find_run, parse_run_folder
from mura_core.runs.layout import MAX_COMPONENT_BYTES, RunFolder, run_folder_name

#: A valid single name with a long MLP head: 349 bytes.
LONG_SINGLE = "densenet201_in.256.256.3_p.avg_tla.606_m." + ".".join(["4096"] * 60) + "_mdp.0.25"


def _longest_member() -> str:
    """The longest name of a built-in single-model family: examples and presets."""
    names = [f.example for f in registry.families().values() if not f.is_ensemble]
    names += [registry.parse(name).model_name for name in registry.presets()]
    names = [name for name in names if not registry.parse(name).is_ensemble]
    return max(names, key=len)


def _long_names() -> list[str]:
    member = _longest_member()
    return [
        LONG_SINGLE,
        f"{LONG_SINGLE}__wc_aug_XR_SHOULDER_seed.12",
        f"parts_m({member})_bp.ELBOW.FINGER.FOREARM.HAND.HUMERUS.SHOULDER_c.route_ws__wc_aug",
        f"parts_m({LONG_SINGLE})_c.avg__wc_aug_seed.3",
        f"seeds_m({LONG_SINGLE})_s.0.1.2.3.4.5.6.7.8.9__wc_aug",
    ]


def test_the_long_names_are_valid_and_canonical():
    assert len(LONG_SINGLE.encode()) == 349
    for name in _long_names():
        assert registry.canonical(name) == name


def test_folder_names_stay_under_255_bytes_deterministic_and_distinct():
    folders = [run_folder_name(name) for name in _long_names()]
    assert all(len(folder.encode()) <= MAX_COMPONENT_BYTES for folder in folders)
    assert folders == [run_folder_name(name) for name in _long_names()]
    assert len(set(folders)) == len(folders)
    shortened = [folder for folder, name in zip(folders, _long_names()) if folder != name]
    assert len(shortened) == 4  # all but the ensemble of the longest built-in member
    for folder in shortened:
        with pytest.raises(registry.InvalidNameError):
            registry.parse(folder)  # a short form is never mistaken for a name
    short = "cnn_in.32.32.1_cl.2.1_f.8"
    assert run_folder_name(short) == short


@pytest.mark.parametrize("name", _long_names())
def test_a_shortened_folder_maps_back_through_name_txt(tmp_path, name):
    folder = RunFolder.for_run(tmp_path, name)
    folder.write_name(name)
    folder.run_json.write_text("{damaged", encoding="utf-8")
    run_folder, parsed = parse_run_folder(folder.path)
    assert parsed.full_name == name and run_folder.name == name
    assert find_run(name, tmp_path) == folder.path


def test_a_shortened_folder_without_name_txt_is_one_clear_line(tmp_path):
    folder = RunFolder.for_run(tmp_path, LONG_SINGLE)
    folder.path.mkdir(parents=True)
    with pytest.raises(MuraError, match="no readable name.txt: its full run name is lost"):
        parse_run_folder(folder.path)


def test_name_txt_of_another_run_is_refused(tmp_path):
    folder = RunFolder.for_run(tmp_path, LONG_SINGLE)
    folder.write_name(LONG_SINGLE.replace("_mdp.0.25", "_mdp.0.5"))
    with pytest.raises(MuraError, match="names run .* whose folder would be"):
        parse_run_folder(folder.path)
