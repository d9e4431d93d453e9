"""Ensemble names: members of every family embedded once, round trips, errors, presets."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

import registry
from mura_core.training.context import resolve_run_name
from tests.conftest import REPO
from tests.ensembles.conftest import INSTALLED, PLUGIN_ENV, ensemble_plugin

REPORT_CNN6 = "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
SMALL = "cnn_in.32.32.1_cl.2.2_f.4_ck.3.3_bn_p.avg_ps.2.2_pstr.2.2_ld.0.1"
#: Characters an ensemble name may not use: sweep patterns and unsafe in folder names.
FORBIDDEN = set('{},/\\:*?"<>|')


@pytest.fixture(scope="module")
def reg():
    """A registry of its own with the built-in families, the ensembles and VGG16."""
    spec = importlib.util.spec_from_file_location(
        "mura_vgg16_under_test", REPO / "examples" / "mura-vgg16-plugin" / "mura_vgg16.py"
    )
    vgg16 = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = vgg16  # pydantic resolves the spec's annotations there
    spec.loader.exec_module(vgg16)
    own = registry.Registry()
    own.register_plugin(vgg16, name="vgg16-under-test")
    with ensemble_plugin(own):
        yield own


def _members(reg) -> list[str]:
    """A member of every single-model family: its test example and its example."""
    names = []
    for family in reg.families().values():
        if not family.is_ensemble:
            names += [family.test_example or family.example, family.example]
    return names


def test_every_family_is_a_member_and_round_trips(reg):
    members = _members(reg)
    assert any(name.startswith("vgg16_") for name in members)
    for member in members:
        for name in (
            f"parts_m({member})_c.avg",
            f"parts_m({member})_bp.WRIST.ELBOW_c.route_ws__wc_aug_seed.3",
            f"seeds_m({member})_s.2.0.1__aug",
        ):
            parsed = reg.parse(name)
            canonical = parsed.full_name
            assert reg.canonical(canonical) == canonical
            assert reg.parse(canonical).spec == parsed.spec
            assert canonical.count(reg.canonical(member)) == 1  # embedded verbatim, once
            assert not FORBIDDEN & set(canonical)


def test_tokens_reordered_and_spellings_have_one_canonical_form(reg):
    expected = f"parts_m({SMALL})_bp.ELBOW.WRIST_c.route_ws__wc_aug"
    for spelling in (
        f"parts_ws_c.route_bp.WRIST.ELBOW_m({SMALL})__aug_wc",
        f"parts_m({SMALL.replace('_bn_p.avg', '_p.avg_bn')})_bp.WRIST.ELBOW_ws_c.route_wc_aug",
    ):
        assert reg.canonical(spelling) == expected
    every_part = ".".join(p.removeprefix("XR_") for p in registry.BODY_PARTS)
    assert reg.canonical(f"parts_m({SMALL})_bp.{every_part}_c.avg") == f"parts_m({SMALL})_c.avg"
    assert reg.canonical(f"seeds_m({SMALL})_s.2.0") == f"seeds_m({SMALL})_s.0.2"


@pytest.mark.parametrize(
    ("name", "token", "problem"),
    [
        (f"parts_m({SMALL.replace('f.4', 'f.x')})_c.avg", "f.x", "member 'cnn_in.32"),
        (f"parts_m({SMALL.replace('cnn', 'cnnn')})_c.avg", "cnnn", "unknown family 'cnnn'"),
        (f"parts_m({SMALL}__wc)_c.avg", "wc", "belongs to the ensemble"),
        (f"parts_m(parts_m({SMALL})_c.avg)_c.avg", "parts", "nested ensembles are not supported"),
        (f"parts_m({SMALL}_c.avg", "(", "is never closed"),
        (f"parts_m({SMALL}))_c.avg", ")", "closes nothing"),
        (f"parts_m({SMALL})_c.mean", "c.mean", "'mean' is not a choice"),
        (f"parts_m({SMALL})_bp.WRIST.WRIST", "bp.WRIST.WRIST", "given twice"),
        (f"parts_m({SMALL})_bp.KNEE", "bp.KNEE", "'KNEE' is not a choice"),
        (f"parts_m({SMALL})_c.avg__XR_WRIST", "XR_WRIST", "no body-part run token"),
        (f"parts_m.{SMALL}_c.avg", "m.cnn", "write the embedded model name in parentheses"),
        ("parts_c.avg_bp.WRIST", "m", "missing token 'm'"),
        (f"seeds_m({SMALL})_s.1", "s.1", "two seeds or more"),
        (f"parts_m({SMALL})_c(avg)", "c(avg)", "only a model-name token"),
    ],
)
def test_malformed_ensembles_name_the_offending_token(reg, name, token, problem):
    with pytest.raises(registry.InvalidNameError) as caught:
        reg.parse(name)
    assert caught.value.token is not None and token in caught.value.token
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_a_malformed_member_on_the_command_line_is_one_line(cli):
    result = cli("models", "show", f"parts_m({SMALL.replace('f.4', 'f.x')})_c.avg", env=PLUGIN_ENV)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "token 'f.x'" in result.stderr


def test_the_reports_ensemble_is_a_preset_listed_by_tag(cli):
    result = cli("models", "list", "--tag", "ensemble", "--json", env=PLUGIN_ENV)
    assert result.returncode == 0, result.stderr
    names = [row["name"] if isinstance(row, dict) else row for row in json.loads(result.stdout)]
    report = f"parts_m({REPORT_CNN6})_c.avg__wc_aug"
    assert report in names and f"seeds_m({REPORT_CNN6})_s.0.1.2__wc_aug" in names


def test_members_carry_the_ensembles_suffix_and_their_own_part_or_seed(reg):
    parsed = reg.parse(f"parts_m({SMALL})_bp.WRIST.HAND_c.route_ws__wc_aug")
    members = parsed.family.ensemble.members(parsed)
    assert [(m.key, m.run_name) for m in members] == [
        ("XR_HAND", f"{SMALL}__wc_aug_XR_HAND"),
        ("XR_WRIST", f"{SMALL}__wc_aug_XR_WRIST"),
    ]
    assert parsed.family.ensemble.warm_start(parsed) == f"{SMALL}__wc_aug"
    seeds = reg.parse(f"seeds_m({SMALL})_s.0.1.2__wc")
    runs = [m.run_name for m in seeds.family.ensemble.members(seeds)]
    assert runs == [f"{SMALL}__wc", f"{SMALL}__wc_seed.1", f"{SMALL}__wc_seed.2"]


def test_the_seed_run_token_makes_seeds_different_runs():
    assert registry.parse(f"{SMALL}__wc_seed.7").run.seed == 7
    assert registry.canonical(f"{SMALL}_seed.3_wc") == f"{SMALL}__wc_seed.3"
    assert registry.canonical(f"{SMALL}__seed.0") == SMALL
    assert resolve_run_name(SMALL, augment=True, seed=1).full_name == f"{SMALL}__aug_seed.1"
    assert resolve_run_name(f"{SMALL}__aug_seed.2", seed=2).full_name == f"{SMALL}__aug_seed.2"
    with pytest.raises(Exception, match="conflicts with the seed flag 1"):
        resolve_run_name(f"{SMALL}__seed.2", seed=1)
    with pytest.raises(registry.InvalidNameError, match="seed must be an integer"):
        registry.parse(f"{SMALL}__seed.x")


@pytest.mark.skipif(INSTALLED, reason="tests/families/test_build_all.py checks every family")
@pytest.mark.parametrize("family", ["parts", "seeds"])
def test_ensemble_families_pass_the_conformance_kit(reg, family):
    from mura_core.conformance import check_family

    report = check_family(family, registry=reg, examples=10)
    assert report.passed, str(report)
    details = {check.name: check.detail for check in report.checks}
    assert details["train_step"].startswith(f"member {SMALL}")
