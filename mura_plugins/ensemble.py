"""The built-in ensembles: one member per body part (the report's), and one per seed.

``parts_m(<member>)_bp.WRIST.HAND_c.avg_ws``: the member model trained once per body
part (``bp``, default all seven, written without ``XR_``), combined by ``c`` (``avg``:
every member scores every image and the probabilities are averaged, the report's rule;
``route``: each image is scored by its body part's member); ``ws`` warm-starts every
member from the trained all-parts run of the member name and the same run suffix.

``seeds_m(<member>)_s.0.1.2``: the member model trained once per seed, averaged.

The run suffix (``__wc_aug``) belongs to the ensemble and applies to every member.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from mura_core.ensembles.interface import Combination, Ensembler, Member
from mura_plugins.pins import pins_file
from mura_plugins.recipes import PAPER_DENSENET169, PAPER_RECIPE, PAPER_SOURCE, REPORT_RECIPE
from registry import (
    BODY_PARTS,
    Family,
    FamilySpec,
    ParsedName,
    Preset,
    RunOptions,
    Token,
    format_name,
    hookimpl,
)
from registry.nesting import NestedName

#: Body parts as the ``bp`` token writes them (no ``XR_``: ``_`` separates tokens).
PART_WORDS: tuple[str, ...] = tuple(part.removeprefix("XR_") for part in BODY_PARTS)
PartWord = Literal[PART_WORDS]  # type: ignore[valid-type]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]

REPORT_CNN6 = "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
TEST_MEMBER = "cnn_in.32.32.1_cl.2.2_f.4_ck.3.3_bn_p.avg_ps.2.2_pstr.2.2_ld.0.1"


class PartsSpec(FamilySpec):
    """Parameters of the body-part ensemble (family ``parts``)."""

    member: Annotated[str, NestedName(), Token("m", "member model name, trained per part")]
    body_parts: Annotated[
        tuple[PartWord, ...] | None,
        Token("bp", "body parts, without the XR prefix (default: all seven)"),
    ] = None
    combination: Annotated[
        Combination, Token("c", "avg: mean of every member; route: the image's part's member")
    ] = "avg"
    warm_start: Annotated[
        bool, Token("ws", "start each member from the all-parts run of the member name")
    ] = False

    @field_validator("body_parts")
    @classmethod
    def _canonical_parts(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        if len(set(value)) != len(value):
            raise ValueError("a body part is given twice")
        ordered = tuple(part for part in PART_WORDS if part in value)
        return None if ordered == PART_WORDS else ordered

    @property
    def parts(self) -> tuple[str, ...]:
        """The covered body parts, as MURA names them (``XR_WRIST``)."""
        return tuple(f"XR_{part}" for part in (self.body_parts or PART_WORDS))


class SeedsSpec(FamilySpec):
    """Parameters of the seed ensemble (family ``seeds``)."""

    member: Annotated[str, NestedName(), Token("m", "member model name, trained per seed")]
    seeds: Annotated[tuple[Seed, ...], Token("s", "seeds of the members (two or more)")]

    @field_validator("seeds")
    @classmethod
    def _canonical_seeds(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a seed is given twice")
        if len(value) < 2:
            raise ValueError("a seed ensemble needs two seeds or more")
        return tuple(sorted(value))


def _run(parsed: ParsedName) -> RunOptions:
    return parsed.run or RunOptions()


def _member(parsed: ParsedName, key: str, run: RunOptions, body_part: str | None = None) -> Member:
    """The member ``key``: the ensemble's member model, trained with ``run``."""
    model = parsed.spec.nested("member")  # parsed with the ensemble's name
    name = ParsedName(model.family, model.spec, None if run.is_default else run)
    return Member(key=key, run_name=name.full_name, body_part=body_part, parsed=name)


class BodyPartEnsembler(Ensembler):
    """One member per body part, each trained on its part's images."""

    def members(self, parsed: ParsedName) -> list[Member]:
        run = _run(parsed)
        return [
            _member(parsed, part, run.model_copy(update={"body_part": part}), part)
            for part in parsed.spec.parts
        ]

    def combination(self, parsed: ParsedName) -> Combination:
        return parsed.spec.combination

    def warm_start(self, parsed: ParsedName) -> str | None:
        return format_name(parsed.spec.member, parsed.run) if parsed.spec.warm_start else None


class SeedEnsembler(Ensembler):
    """One member per seed, each trained on every body part; probabilities averaged."""

    def members(self, parsed: ParsedName) -> list[Member]:
        from mura_core.errors import MuraError

        run = _run(parsed)
        if run.seed:
            raise MuraError(f"{parsed.full_name}: a seed ensemble's seeds are its s token")
        return [
            _member(parsed, f"seed.{seed}", run.model_copy(update={"seed": seed}))
            for seed in parsed.spec.seeds
        ]


def _count(spec: Any) -> int:
    return len(spec.parts) if isinstance(spec, PartsSpec) else len(spec.seeds)


def build_ensemble(spec: Any, **_: Any) -> Any:
    """The members' averaging graph: one input, every member, their mean (route is
    applied per image by ``mura_core.ensembles``, which scores members one by one)."""
    import keras

    member = spec.nested("member")
    inputs = keras.Input(member.input_shape, name="image")
    outputs = []
    for index in range(_count(spec)):
        options = {"weights": None} if member.family.pretrained is not None else {}
        model = member.family.builder(member.spec, **options)
        model.name = f"member_{index}"
        outputs.append(model(inputs))
    output = keras.layers.Average(name="average")(outputs) if len(outputs) > 1 else outputs[0]
    return keras.Model(inputs, output)


def _input_shape(spec: Any) -> tuple[int, int, int]:
    return spec.nested("member").input_shape


def _parameters(spec: Any) -> int | None:
    """The members' estimates added up (``None``: the member's family declares none)."""
    member = spec.nested("member")
    each = member.family.estimate_parameters(member.spec)
    return None if each is None else each * _count(spec)


def _family(name: str, spec: type[FamilySpec], ensembler: Ensembler, **kwargs: Any) -> Family:
    return Family(
        name=name,
        spec=spec,
        builder=build_ensemble,
        input_shape=_input_shape,
        parameter_count=_parameters,
        ensemble=ensembler,
        tags=("ensemble",),
        pins=pins_file(name),
        **kwargs,
    )


@hookimpl
def register_families(register: Any) -> None:
    register(
        _family(
            "parts",
            PartsSpec,
            BodyPartEnsembler(),
            summary="body-part ensemble: one member per body part, averaged or routed",
            example=f"parts_m({REPORT_CNN6})_c.avg",
            test_example=f"parts_m({TEST_MEMBER})_bp.ELBOW.WRIST_c.avg",
        )
    )
    register(
        _family(
            "seeds",
            SeedsSpec,
            SeedEnsembler(),
            summary="seed ensemble: one member per seed, averaged",
            example=f"seeds_m({REPORT_CNN6})_s.0.1.2",
            test_example=f"seeds_m({TEST_MEMBER})_s.0.1",
        )
    )


@hookimpl
def register_presets(register: Any) -> None:
    register(
        Preset(
            f"parts_m({REPORT_CNN6})_c.avg__wc_aug",
            alias="report_cnn6_wc_aug_parts",
            summary="the report's body-part ensemble: the 6-block CNN per part, averaged",
            tags=("ensemble",),
            recipe=REPORT_RECIPE,
        )
    )
    register(
        Preset(
            f"parts_m({REPORT_CNN6})_c.route_ws__wc_aug",
            alias="cnn6_wc_aug_parts_route_ws",
            summary="beyond the report: members warm-started from the all-parts run, routed",
            tags=("ensemble",),
            recipe=REPORT_RECIPE,
        )
    )
    register(
        Preset(
            f"seeds_m({REPORT_CNN6})_s.0.1.2__wc_aug",
            alias="cnn6_wc_aug_seeds3",
            summary="three seeds of the report's 6-block CNN, averaged",
            tags=("ensemble",),
            recipe=REPORT_RECIPE,
        )
    )
    register(
        Preset(
            f"seeds_m({PAPER_DENSENET169})_s.0.1.2.3.4__wc_aug",
            alias="mura_paper_ensemble",
            summary="the MURA paper's model: five DenseNet-169 runs, averaged",
            tags=("ensemble", "mura-paper"),
            recipe=PAPER_RECIPE,
            metrics={"kappa": 0.705, "auc": 0.929},
            metrics_source=PAPER_SOURCE,
        )
    )
