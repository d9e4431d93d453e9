"""The conformance kit: the checks every model family passes, built-in or third-party.

``mura plugins check [FAMILY...]`` runs them from the command line; plugin authors run
the same checks in their own tests::

    from mura_core.conformance import assert_family_conforms

    def test_vgg16_conforms():
        assert_family_conforms("vgg16")

Checks (see :data:`~mura_core.conformance.checks.CHECKS`): ``round_trip`` (names drawn
by Hypothesis from the spec format back unchanged), ``canonical_idempotent``,
``malformed_rejected``, ``imports_without_tensorflow`` (the plugin's modules, imported in
a fresh process, import no TensorFlow), ``example_builds`` (the family's ``test_example``
with its declared input shape), ``parameter_count`` (equal across two builds, and the
declared estimate equal to builds of names drawn from the spec with 1 and 3 channels),
``one_spelling`` (no optional token's "off" value and its absence name one model),
``fingerprint`` (the examples build the architectures the family pins, see
:mod:`~mura_core.conformance.pins`; ``skipped`` when it pins none), ``weights_reload``,
``train_step`` and ``explain_layer`` (a 4-D map of at least 4x4 at the example's input
size; ``skipped`` when the family declares none). An ensemble family passes the last
three through the member of its test example
(:data:`~mura_core.conformance.checks.MEMBER_CHECKS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from mura_core.conformance.checks import (
    CHECKS,
    MEMBER_CHECKS,
    CheckFailed,
    CheckSkipped,
    FamilyUnderTest,
    _first_line,
)
from registry import Family, Registry

__all__ = [
    "CHECKS",
    "CheckResult",
    "FamilyReport",
    "assert_family_conforms",
    "check_families",
    "check_family",
]

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``passed``, ``failed`` or ``skipped``, and why."""

    name: str
    status: Status
    detail: str

    @property
    def passed(self) -> bool:
        """False only for a failed check (a skipped check does not fail the family)."""
        return self.status != "failed"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {"name": self.name, "passed": self.passed, "status": self.status,
                "detail": self.detail}  # fmt: skip


@dataclass
class FamilyReport:
    """Every check of one family, with the plugin and distribution providing it."""

    family: str
    plugin: str
    distribution: str | None
    version: str | None
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return all(check.passed for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``mura plugins check --json`` (one entry)."""
        return {
            "family": self.family,
            "plugin": self.plugin,
            "distribution": self.distribution,
            "version": self.version,
            "passed": self.passed,
            "checks": [check.as_dict() for check in self.checks],
        }

    def __str__(self) -> str:
        lines = [f"{self.family} ({self.plugin}): {'passed' if self.passed else 'FAILED'}"]
        lines += [f"  {c.status:7} {c.name}: {c.detail}" for c in self.checks]
        return "\n".join(lines)


def check_family(
    family: str | Family,
    *,
    registry: Registry | None = None,
    examples: int = 50,
    checks: Iterable[str] | None = None,
) -> FamilyReport:
    """Run the conformance checks on ``family`` (a name or a registered family).

    Args:
        registry: the registry holding it (default: the process-wide one).
        examples: names Hypothesis draws for ``round_trip``.
        checks: run only these (default: all of :data:`CHECKS`, in order).
    """
    import registry as registry_module

    reg = registry or registry_module.get_registry()
    fam = reg.family(family if isinstance(family, str) else family.name)
    provider = reg.provider(fam.name)
    report = FamilyReport(fam.name, fam.plugin, provider["distribution"], provider["version"])
    fut = FamilyUnderTest(reg, fam, examples=examples)
    wanted = list(CHECKS) if checks is None else list(checks)
    for name in CHECKS:
        if name not in wanted:
            continue
        try:
            if fam.is_ensemble and name in MEMBER_CHECKS:
                member = fut.member()
                detail = f"member {member.name}: {CHECKS[name](member)}"
                report.checks.append(CheckResult(name, "passed", detail))
                continue
            report.checks.append(CheckResult(name, "passed", CHECKS[name](fut)))
        except CheckSkipped as skipped:
            report.checks.append(CheckResult(name, "skipped", str(skipped)))
        except CheckFailed as failed:
            report.checks.append(CheckResult(name, "failed", str(failed)))
        except Exception as error:
            report.checks.append(CheckResult(name, "failed", _first_line(error)))
    return report


def check_families(
    families: Iterable[str] | None = None, *, registry: Registry | None = None
) -> list[FamilyReport]:
    """Check every named family (default: every registered family)."""
    import registry as registry_module

    reg = registry or registry_module.get_registry()
    names = list(families) if families else list(reg.families())
    return [check_family(name, registry=reg) for name in names]


def assert_family_conforms(family: str | Family, *, registry: Registry | None = None) -> None:
    """Fail (``AssertionError`` with the full report) unless ``family`` passes every check.

    The pytest helper for plugin authors.
    """
    report = check_family(family, registry=registry)
    assert report.passed, str(report)
