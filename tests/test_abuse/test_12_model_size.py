"""Item 12: a valid name too large to build is refused from the family's parameter
estimate, before Keras runs out of memory, with the figure and the limit."""

from __future__ import annotations

import registry

#: About 17 billion parameters (a 4096x4096x1024 feature map into one Dense unit).
HUGE = "cnn_in.4096.4096.3_cl.1.1_f.1024_ps.1.1_pstr.1.1"


def test_the_estimate_is_exact_for_a_small_model():
    name = "cnn_in.64.64.3_cl.2.2_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2"
    parsed = registry.parse(name)
    assert parsed.family.estimate_parameters(parsed.spec) == registry.build(name).count_params()


def test_show_refuses_a_model_larger_than_half_the_memory(cli):
    result = cli("models", "show", HUGE)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    expected = f"{registry.canonical(HUGE)} would have 17,179,897,857 parameters (68.7 GB"
    assert line.startswith(f"mura: error: {expected}")
    assert "half of this machine's memory" in line and "MURA_MAX_PARAMETERS" in line


def test_train_refuses_it_before_anything_is_written(cli, tmp_path):
    runs = tmp_path / "runs"
    result = cli("train", HUGE, "--data", str(tmp_path), "--runs", str(runs))
    assert result.returncode == 2
    assert "would have 17,179,897,857 parameters" in result.stderr
    assert not runs.exists()
