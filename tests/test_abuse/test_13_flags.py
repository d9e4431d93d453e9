"""Item 13: every numeric flag is checked up front, with its range in the message.

(The ``--pretrained FILE`` on a family without pretrained weights part of the item
belongs to the family contract and is tested there.)
"""

from __future__ import annotations

import pytest

from mura_core.cli.flags import FLAG_LIMITS

from .helpers import assert_one_line_error, run_cli

NAME = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
BAD_FLAGS = [
    ("predict", "--batch-size", "0"),
    ("predict", "--batch-size", "-4"),
    ("evaluate", "--batch-size", "0"),
    ("evaluate", "--resamples", "-5"),
    ("train", "--learning-rate", "inf"),
    ("train", "--learning-rate", "nan"),
    ("train", "--learning-rate", "0"),
    ("train", "--limit", "0"),
    ("train", "--patience", "-1"),
    ("train", "--seed", "-1"),
    ("train", "--epochs", "0"),
    ("train", "--validation-fraction", "1"),
    ("split", "--validation-fraction", "-0.1"),
    ("split", "--seed", "-3"),
]


def _command(command: str, root, tmp_path) -> list:
    folder = tmp_path / "runs" / NAME
    return {
        "predict": ["predict", folder, root],
        "evaluate": ["evaluate", folder, "--data", root],
        "train": ["train", NAME, "--data", root, "--out", tmp_path / "runs"],
        "split": ["data", "split", root, tmp_path / "split.csv"],
    }[command]


@pytest.mark.parametrize(("command", "flag", "value"), BAD_FLAGS)
def test_a_flag_out_of_range_is_refused_before_anything_runs(
    capsys, tmp_path, mura_root, command, flag, value
):
    args = [*_command(command, mura_root, tmp_path), flag, value]
    limits = "[0, 1)" if (command, flag) == ("split", "--validation-fraction") else None
    limits = limits or str(FLAG_LIMITS[flag])
    assert_one_line_error(*run_cli(capsys, *args)[::2], f"{flag} must be", limits, "(got ")
    assert not (tmp_path / "runs").exists() and not (tmp_path / "split.csv").exists()


def test_every_range_is_stated_in_the_message(capsys, tmp_path, mura_root):
    line = assert_one_line_error(
        *run_cli(capsys, *_command("train", mura_root, tmp_path), "--patience", "-1")[::2]
    )
    assert line.endswith("--patience must be a finite number in [0, 10000] (got -1)")
    line = assert_one_line_error(
        *run_cli(capsys, *_command("train", mura_root, tmp_path), "--learning-rate", "inf")[::2]
    )
    assert line.endswith("--learning-rate must be a finite number in (0, 10] (got inf)")
