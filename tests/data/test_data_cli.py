from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mura_core.cli import main
from mura_core.data.loader import load_mura


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_inspect_json_schema_and_counts(synth_root: Path, capsys):
    status, out, _ = run(capsys, "data", "inspect", str(synth_root), "--json")
    assert status == 0
    summary = json.loads(out)
    frame = load_mura(synth_root).frame
    for split in ("train", "valid"):
        rows = frame[frame["split"] == split]
        entry = summary["splits"][split]
        assert (entry["images"], entry["studies"], entry["patients"]) == (
            len(rows),
            rows["study"].nunique(),
            rows["patient"].nunique(),
        )
        wrist = entry["by_body_part"]["XR_WRIST"]
        wrist_rows = rows[rows["body_part"] == "XR_WRIST"]
        assert wrist["images"] == len(wrist_rows)
        assert wrist["studies"] == wrist_rows["study"].nunique()
        assert {"patients", "percent_images", "by_label"} <= set(wrist)
        assert sum(p["images"] for p in entry["by_body_part"].values()) == entry["images"]
        labels = entry["by_label"]
        assert labels["0"]["percent_studies"] + labels["1"]["percent_studies"] == pytest.approx(
            100.0, abs=0.02
        )
    problems = summary["problems"]
    for kind in ("missing", "corrupt", "unlisted", "label_mismatch"):
        assert problems[kind] == 0
    assert problems["examples"] == []
    assert summary["image_size"]["images"] == len(frame)
    assert summary["image_size"]["longest_side"]["max"] <= 96


def test_inspect_reports_problems_with_examples(mura: Path, capsys):
    first = (mura / "MURA-v1.1" / "train_image_paths.csv").read_text().splitlines()[0]
    (mura / first).write_bytes(b"")
    junk = (mura / first).with_name("._image1.png")
    junk.write_bytes(b"junk")
    status, out, _ = run(capsys, "data", "inspect", str(mura), "--json")
    assert status == 0
    problems = json.loads(out)["problems"]
    assert (problems["corrupt"], problems["unlisted"]) == (1, 1)
    assert {e["kind"]: e["path"] for e in problems["examples"]}["corrupt"] == first
    status, out, _ = run(capsys, "data", "inspect", str(mura))
    assert status == 0 and "corrupt" in out and first in out and "XR_WRIST" in out


def test_inspect_text_tables(synth_root: Path, capsys):
    status, out, _ = run(capsys, "data", "inspect", str(synth_root), "--body-part", "hand")
    assert status == 0
    assert "XR_HAND" in out and "XR_WRIST" not in out
    assert "% studies" in out and "problems: 0" in out


def test_inspect_strict_names_the_first_bad_file(mura: Path, capsys):
    first = (mura / "MURA-v1.1" / "train_image_paths.csv").read_text().splitlines()[0]
    (mura / first).unlink()
    status, out, err = run(capsys, "data", "inspect", str(mura), "--strict")
    assert status != 0 and first in err and len(err.strip().splitlines()) == 1
    assert out == ""


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_not_a_mura_tree_exits_2_with_one_line(tmp_path: Path, capsys, kind: str):
    root = tmp_path / "nothing"
    if kind == "empty":
        root.mkdir()
    status, _, err = run(capsys, "data", "inspect", str(root), "--json")
    assert status == 2
    assert err.startswith("mura: error:") and len(err.strip().splitlines()) == 1


def test_unknown_body_part_exits_2(synth_root: Path, capsys):
    status, _, err = run(capsys, "data", "inspect", str(synth_root), "--body-part", "knee")
    assert status == 2 and "'knee'" in err and "did you mean" not in err


def test_split_writes_manifest_and_hash(synth_root: Path, tmp_path: Path, capsys):
    out_file = tmp_path / "split.csv"
    status, out, _ = run(capsys, "data", "split", str(synth_root), str(out_file), "--seed", "3")
    assert status == 0
    digest = (tmp_path / "split.csv.sha256").read_text().split()[0]
    assert digest in out and out_file.is_file()
    again_args = ["data", "split", str(synth_root), str(out_file), "--seed", "3", "--overwrite"]
    status, again, _ = run(capsys, *again_args)
    assert digest in again


def test_synth_command(tmp_path: Path, capsys):
    args = ["synth", str(tmp_path), "--studies", "8", "--seed", "2", "--max-side", "48"]
    status, out, _ = run(capsys, *args)
    assert status == 0 and "8 studies" in out
    assert load_mura(tmp_path).frame["study"].nunique() == 8
    status, _, err = run(capsys, *args)
    assert status == 2 and "already exists" in err
    status, _, _ = run(capsys, *args, "--overwrite")
    assert status == 0
    status, _, err = run(capsys, "synth", str(tmp_path / "x"), "--studies", "0")
    assert status == 2 and len(err.strip().splitlines()) == 1


def test_data_commands_do_not_import_tensorflow(synth_root: Path, tmp_path: Path):
    code = (
        "import sys; from mura_core.cli import main; "
        f"assert main(['synth', {str(tmp_path)!r}, '--studies', '3', '--max-side', '32']) == 0; "
        f"assert main(['data', 'inspect', {str(synth_root)!r}, '--json']) == 0; "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_synth_command_difficulty_noise_and_ceiling(tmp_path: Path, capsys):
    args = ["synth", str(tmp_path), "--studies", "20", "--max-side", "32", "--seed", "1"]
    status, out, _ = run(capsys, *args, "--difficulty", "0.7", "--label-noise", "0.2")
    assert status == 0 and "4 labels flipped" in out
    assert "ceiling on train: kappa" in out and "ceiling on valid: kappa" in out
    record = json.loads((tmp_path / "MURA-v1.1" / "dataset.json").read_text())
    assert record["arguments"]["difficulty"] == {"name": None, "value": 0.7}
    assert record["arguments"]["label_noise"] == 0.2


@pytest.mark.parametrize(
    "flags", [["--difficulty", "extreme"], ["--label-noise", "0.9"], ["--workers", "0"]]
)
def test_synth_command_refuses_bad_values_in_one_line(tmp_path: Path, capsys, flags):
    status, _, err = run(capsys, "synth", str(tmp_path), "--studies", "3", *flags)
    assert status == 2 and len(err.strip().splitlines()) == 1


def test_synth_help_names_every_difficulty(capsys):
    from mura_core.data.synth import DIFFICULTY_NAMES

    with pytest.raises(SystemExit):
        main(["synth", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in DIFFICULTY_NAMES)
