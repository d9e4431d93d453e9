"""Item 11: an integer token of thousands of digits is an InvalidNameError."""

from __future__ import annotations

import pytest

import registry


@pytest.mark.parametrize("digits", ["1" * 4301, "9" * 100_000, "-" + "7" * 5000])
def test_a_huge_integer_is_an_invalid_name(digits):
    with pytest.raises(registry.InvalidNameError, match="out of range"):
        registry.parse(f"cnn_in.32.32.1_cl.2.1_f.{digits}")


def test_leading_zeros_do_not_count_as_digits():
    padded = "cnn_in.32.32.1_cl.2.1_f." + "0" * 5000 + "8"
    assert registry.canonical(padded) == registry.canonical("cnn_in.32.32.1_cl.2.1_f.8")


def test_a_huge_integer_is_one_line_exit_2(capsys):
    from .helpers import assert_one_line_error, run_cli

    status, _, err = run_cli(capsys, "models", "show", "cnn_in.32.32.1_cl.2.1_f." + "5" * 4400)
    assert_one_line_error(status, err, "out of range")
