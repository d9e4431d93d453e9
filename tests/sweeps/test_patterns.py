"""Brace patterns, sweep files and the validation of a sweep's names (no training)."""

from __future__ import annotations

import pytest

from mura_core.errors import MuraError
from mura_core.sweeps import SweepPlanError, expand, plan_runs
from mura_core.sweeps.patterns import expand_all
from mura_core.sweeps.sweepfile import read_sweep_file

CNN = "cnn_in.32.32.1_cl.{cl}.1_f.8_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25"


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        ("a{1,2}b", ["a1b", "a2b"]),
        ("{x,y}_{1..3}", ["x_1", "x_2", "x_3", "y_1", "y_2", "y_3"]),
        ("c{3..1}", ["c3", "c2", "c1"]),
        ("n{08..10}", ["n08", "n09", "n10"]),
        ("{a,b{1,2}}z", ["az", "b1z", "b2z"]),
        ("plain", ["plain"]),
    ],
)
def test_expand(pattern, names):
    assert list(expand(pattern)) == names


@pytest.mark.parametrize("pattern", ["a{1,2", "a}b{", "a{1}b", "a{}b"])
def test_malformed_patterns_are_refused_in_one_line(pattern):
    with pytest.raises(MuraError) as caught:
        list(expand(pattern))
    assert pattern in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_huge_range_is_refused_without_expanding_it():
    with pytest.raises(MuraError, match="past 1000 names.*--max-runs"):
        expand_all(["x{1..1000000000000}"])
    assert len(expand_all(["x{1..1500}"], max_runs=1500)) == 1500


def test_plan_canonicalises_and_runs_duplicates_once():
    patterns = [CNN.replace("{cl}", "{1..2}") + "__{wc,wc_aug}", CNN.format(cl=1) + "__wc"]
    planned = plan_runs(patterns)
    assert [item.name.rsplit("__", 1)[1] for item in planned] == ["wc", "wc_aug"] * 2
    assert len({item.name for item in planned}) == 4


def test_plan_merges_the_train_flags_into_the_suffix():
    planned = plan_runs([CNN.format(cl="{1,2}")], augment=True, weight_classes=True)
    assert all(item.name.endswith("__wc_aug") for item in planned)


def test_all_invalid_names_are_reported_together():
    patterns = [CNN.replace("{cl}", "{1,x,y}"), "nosuchfamily_in.1"]
    with pytest.raises(SweepPlanError) as caught:
        plan_runs(patterns)
    problems = caught.value.problems
    assert len(problems) == 3
    assert all("\n" not in line for line in problems)
    assert "'x'" in problems[0] and "'y'" in problems[1] and "nosuchfamily" in problems[2]


def test_sweep_file(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('patterns = ["a{1,2}"]\n[train]\nbatch-size = 8\nepochs = 2\n')
    content = read_sweep_file(path)
    assert content.patterns == ["a{1,2}"]
    assert content.train == {"batch_size": 8, "epochs": 2}
    path.write_text("patterns = [1]\n")
    with pytest.raises(MuraError, match="list of strings"):
        read_sweep_file(path)
    path.write_text("pattern = ['x']\n")
    with pytest.raises(MuraError, match="unknown key 'pattern'"):
        read_sweep_file(path)
