"""Which XLA setting a run compiles with when it leaves the choice to the package."""

from __future__ import annotations

import registry
from mura_core.training.setup import resolve_xla


def test_auto_takes_the_family_choice_on_cpu_and_a_flag_wins() -> None:
    densenet = registry.parse("densenet169_in.64.64.3_p.avg").family
    cnn = registry.parse("report_cnn6").family
    assert densenet.cpu_xla and not cnn.cpu_xla
    assert resolve_xla("auto", densenet) is True  # the test machine has no accelerator
    assert resolve_xla("auto", cnn) is False
    assert resolve_xla(False, densenet) is False
    assert resolve_xla(True, cnn) is True


def test_every_densenet_depth_declares_xla_on_cpu() -> None:
    families = [
        registry.get_family(name) for name in registry.families() if name.startswith("densenet")
    ]
    assert len(families) >= 3
    assert all(family.cpu_xla for family in families)
