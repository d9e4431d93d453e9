"""Names under fuzzing (Hypothesis), and every declared bound of every family.

Properties: only :class:`~registry.InvalidNameError` is raised; ``canonical`` is
idempotent; ``parse(canonical(x)) == parse(x)``; two spellings of one model share one
canonical name. Bounds: for every bounded token of every registered family the bound is
accepted when the range is closed and rejected when open, and one step beyond is
rejected; the built-in families' ranges are pinned here, apart from the grammar, so
that loosening or tightening one is a visible change.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import registry
from registry.nesting import split_top, token_key
from registry.tokens import TokenField

FAMILIES = registry.families()
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: The documented ranges of the built-in tokens (``in`` by kind of family).
BUILT_IN_BOUNDS = {
    "in": "[16, 4096] . [16, 4096] . [1, 3]",
    "in backbone": "[32, 4096] . [32, 4096] . [1, 3]",
    "cl": "[1, 12] . [1, 8]",
    "f": "[1, 1024]",
    "ck": "[1, 15]",
    "ps": "[1, 8]",
    "pstr": "[1, 8]",
    "ld": "[0.0, 1.0)",
    "spdp": "[0.0, 1.0)",
    "tla": ">= -1",
    "m": "[1, 65536]",
    "mdp": "[0.0, 1.0)",
    "s": "[0, 2147483647]",
    "bnm": "(0.0, 1.0)",
}
#: Smallest bases for the bound checks, so that only the token under test can fail.
BASES = {family: ("in.4096.4096.1", "cl.1.1", "f.1", "bn") for family in ("cnn", "ffcnn")}
BACKBONE_BASE = ("m.8",)


def _tokens(parsed: registry.ParsedName) -> dict[str, str]:
    return {token_key(token)[0]: token for token in parsed.spec.to_tokens()}


def _number_spellings(value: float | int) -> st.SearchStrategy[str]:
    if isinstance(value, int):
        return st.integers(0, 5).map(lambda zeros: "0" * zeros + str(value))
    texts = [repr(value), f"{value:.6f}", f"{value:e}", f"{value * 10:g}e-1"]
    if value == 0:
        texts += ["-0", "-0.0", "0e9", "-1e-400"]
    return st.sampled_from(texts)


@st.composite
def respellings(draw) -> tuple[str, str]:
    """A valid name and another spelling of the same model."""
    family = FAMILIES[draw(st.sampled_from(sorted(FAMILIES)))]
    parsed = registry.parse(family.example)
    tokens = []
    for tf in parsed.spec.token_fields():
        value = getattr(parsed.spec, tf.field)
        if tf.kind == "name":  # an embedded name: respelled by its own family's tests
            tokens.append(tf.render(value))
            continue
        if tf.kind == "flag" or value in (None, ()) or tf.choices:
            tokens += [tf.render(value)] if tf.choices and value is not None else []
            tokens += [tf.key] if tf.kind == "flag" and value else []
            if tf.off is not None and value is None and draw(st.booleans()):
                tokens.append(f"{tf.key}.{draw(_number_spellings(tf.off))}")
            continue
        items = value if isinstance(value, tuple) else (value,)
        tokens.append(f"{tf.key}." + ".".join(draw(_number_spellings(i)) for i in items))
    order = draw(st.permutations(tokens))
    return parsed.full_name, "_".join([family.name, *order])


def _mutations() -> st.SearchStrategy[str]:
    """Valid names with one token's value replaced by anything."""
    junk = st.one_of(
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text("0123456789.-+eE_", max_size=12),
        st.integers(4290, 4400).map(lambda n: "9" * n),
        st.text(max_size=8),
    )

    @st.composite
    def mutate(draw) -> str:
        family = FAMILIES[draw(st.sampled_from(sorted(FAMILIES)))]
        pieces = split_top(family.example, "_")
        index = draw(st.integers(1, len(pieces) - 1))
        key = token_key(pieces[index])[0]
        pieces[index] = f"{key}.{draw(junk)}"
        suffix = draw(st.sampled_from(["", "__wc", "_aug", "__wc_aug_XR_WRIST", "__", "__XR_KNEE"]))
        return "_".join(pieces) + suffix

    return mutate()


NAMES = st.one_of(_mutations(), st.text(max_size=40), respellings().map(lambda pair: pair[1]))


@FUZZ
@given(NAMES)
def test_only_invalid_name_error_and_canonical_forms_are_stable(name):
    try:
        parsed = registry.parse(name)
    except registry.InvalidNameError:
        return
    canonical = registry.canonical(name)
    assert registry.canonical(canonical) == canonical
    assert registry.parse(canonical) == parsed
    assert "-0" not in canonical.replace("tla.-", "")


@FUZZ
@given(respellings())
def test_two_spellings_of_one_model_share_one_canonical_name(pair):
    canonical, spelling = pair
    assert registry.canonical(spelling) == canonical


def _bounded_items() -> list[tuple[str, TokenField, int]]:
    found = []
    for family in sorted(FAMILIES):
        for tf in FAMILIES[family].spec.token_fields():
            for index, limits in enumerate(tf.limits):
                if limits is not None:
                    found.append((family, tf, index))
    return found


def _name_with(family: str, tf: TokenField, index: int, value: float) -> str:
    tokens = _tokens(registry.parse(FAMILIES[family].example))
    overrides = () if FAMILIES[family].is_ensemble else BASES.get(family, BACKBONE_BASE)
    tokens.update({token.partition(".")[0]: token for token in overrides})
    base = registry.parse("_".join([family, *tokens.values()]))
    current = getattr(base.spec, tf.field)
    if tf.kind == "tuple":
        items = list(current if current else (value,) * (tf.arity or 1))
        items[index] = value
        text = ".".join(str(item) for item in items)
    else:
        text = repr(value) if tf.item_type == "float" else str(value)
    tokens = {**_tokens(base), tf.key: f"{tf.key}.{text}"}
    return "_".join([family, *tokens.values()])


def _accepted(name: str) -> bool:
    try:
        registry.parse(name)
    except registry.InvalidNameError:
        return False
    return True


@pytest.mark.parametrize(
    ("family", "tf", "index"),
    _bounded_items(),
    ids=[f"{family}-{tf.key}-{index}" for family, tf, index in _bounded_items()],
)
def test_every_bound_is_where_the_grammar_says(family, tf, index):
    if FAMILIES[family].builder.__module__.startswith("mura_plugins."):
        backbone = tf.key == "in" and family not in BASES
        assert tf.bounds == BUILT_IN_BOUNDS["in backbone" if backbone else tf.key]
    limits = tf.limits[index]

    def step(bound: float, direction: float) -> float:
        if tf.item_type == "int":
            return int(bound + direction)
        return math.nextafter(bound, direction * math.inf)

    ends = [(limits.low, limits.low_open, -1.0), (limits.high, limits.high_open, 1.0)]
    for bound, is_open, outward in ends:
        if bound is None:
            continue
        bound = int(bound) if tf.item_type == "int" else float(bound)
        assert _accepted(_name_with(family, tf, index, bound)) is not is_open, (bound, is_open)
        assert not _accepted(_name_with(family, tf, index, step(bound, outward)))
