"""The checks every family passes, built-in or third-party.

Each check takes a :class:`FamilyUnderTest` and returns a one-line detail, or raises
:class:`CheckFailed` / :class:`CheckSkipped`. They run in :data:`CHECKS` order, sharing
the models built along the way: the test example is built twice in all, and every
other name once, only to be measured (:meth:`FamilyUnderTest.measured`).
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from registry import Family, InvalidNameError, ParsedName, Registry
from registry.nesting import split_top, token_key


class CheckFailed(Exception):
    """A check found the family does not meet the contract; the message says how."""


class CheckSkipped(Exception):
    """A check does not apply to the family (e.g. it declares no explain layer)."""


@dataclass
class FamilyUnderTest:
    """A family being checked, and what the checks built so far."""

    registry: Registry
    family: Family
    examples: int = 50
    built: dict[str, Any] = field(default_factory=dict)
    example: str | None = None

    @property
    def name(self) -> str:
        """The name the checks build: the family's test example (or ``example``)."""
        return self.example or self.family.test_example or self.family.example

    def member(self) -> FamilyUnderTest:
        """An ensemble's member under test: the member of the test example, built."""
        if "member" not in self.built:
            parsed = next(iter(self.registry.parse(self.name).members.values()))
            member = FamilyUnderTest(
                self.registry, parsed.family, self.examples, example=parsed.model_name
            )
            _example_builds(member)
            _build_twice(member)
            self.built["member"] = member
        return self.built["member"]

    def model(self, key: str = "first") -> Any:
        """A model built by an earlier check (``first`` or ``rebuilt``)."""
        if key not in self.built:
            raise CheckFailed("not run: the test example does not build (see example_builds)")
        return self.built[key]

    def measured(self, name: str | ParsedName) -> Any:
        """``name`` built to be measured (weights left uninitialised), built once per
        name and shared by the checks; the test example's model for the test example."""
        from mura_core.conformance.measuring import build_uninitialised

        parsed = self.registry.parse(name) if isinstance(name, str) else name
        if parsed.model_name == self.registry.parse(self.name).model_name and "first" in self.built:
            return self.built["first"]
        cache = self.built.setdefault("measured", {})
        if parsed.model_name not in cache:
            cache[parsed.model_name] = build_uninitialised(self.registry, parsed)
        return cache[parsed.model_name]

    def example_model(self) -> Any:
        """The family's ``example``, built to be measured."""
        return self.measured(self.family.example)

    def batch(self, size: int = 2) -> np.ndarray:
        """Random images of the example's input shape, values in [0, 1)."""
        shape = self.registry.parse(self.name).input_shape
        return np.random.default_rng(0).random((size, *shape), dtype=np.float32)


def _round_trip(fut: FamilyUnderTest) -> str:
    from hypothesis import HealthCheck, given, settings

    from mura_core.conformance.strategies import names

    reg = fut.registry
    singles = [family for family in reg.families().values() if not family.is_ensemble]

    @settings(
        max_examples=fut.examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(names(fut.family, members=singles))
    def round_trip(name: str) -> None:
        parsed = reg.parse(name)
        assert parsed.full_name == name, f"{name!r} formats back as {parsed.full_name!r}"
        assert reg.parse(parsed.model_name).spec == parsed.spec, f"{name!r}: spec changes"

    try:
        round_trip()
    except (AssertionError, Exception) as error:
        raise CheckFailed(_first_line(error)) from None
    return f"{fut.examples} names drawn from the spec parse and format back unchanged"


def _canonical_idempotent(fut: FamilyUnderTest) -> str:
    reg = fut.registry
    names = {fut.family.example, fut.name}
    shuffler = random.Random(0)
    for name in sorted(names):
        family, *tokens = split_top(reg.parse(name).model_name, "_")
        shuffler.shuffle(tokens)
        names.add("_".join([family, *tokens]))
    for name in sorted(names):
        once = reg.canonical(name)
        if reg.canonical(once) != once:
            raise CheckFailed(f"canonical({once!r}) is {reg.canonical(once)!r}")
        if once != reg.canonical(fut.family.example) and once != reg.canonical(fut.name):
            raise CheckFailed(f"{name!r} (tokens reordered) has canonical form {once!r}")
    return f"{len(names)} spellings (tokens reordered) keep one canonical form"


def malformed_names(reg: Registry, name: str) -> list[str]:
    """Variants of a valid ``name`` that the grammar must reject."""
    parsed = reg.parse(name)
    family, *tokens = split_top(parsed.model_name, "_")
    variants = ["", f"{name}/", f"{name}_zzzz.1", f"{family}_{'_'.join(tokens)}_{tokens[0]}"]
    fields = parsed.spec.token_fields()
    required = [tf for tf in fields if tf.required]
    if required:
        variants.append(
            "_".join([family, *(t for t in tokens if token_key(t)[0] != required[0].key)])
        )
    for tf in fields:
        if tf.kind == "flag" or tf.key not in {token_key(t)[0] for t in tokens}:
            continue
        others = [t for t in tokens if token_key(t)[0] != tf.key]
        variants.append("_".join([family, *others, f"{tf.key}.@"]))
        if tf.kind == "name":
            variants.append("_".join([family, *others, f"{tf.key}(nofamily_x.1)"]))
        if tf.item_type in ("int", "float") and not tf.choices:
            variants.append("_".join([family, *others, f"{tf.key}.x"]))
    return variants


def _malformed_rejected(fut: FamilyUnderTest) -> str:
    variants = malformed_names(fut.registry, fut.name)
    for variant in variants:
        try:
            fut.registry.parse(variant)
        except InvalidNameError as error:
            if "\n" in str(error):
                raise CheckFailed(f"{variant!r}: the error takes several lines") from None
            continue
        except Exception as error:
            raise CheckFailed(f"{variant!r} raised {_first_line(error)}") from None
        raise CheckFailed(f"{variant!r} was accepted")
    return f"{len(variants)} malformed variants raise InvalidNameError in one line"


def _example_builds(fut: FamilyUnderTest) -> str:
    model = fut.registry.build(fut.name, weights=None)
    fut.built["first"] = model
    shape = tuple(fut.registry.parse(fut.name).input_shape)
    if tuple(model.input_shape[1:]) != shape:
        raise CheckFailed(f"input shape {model.input_shape[1:]}, the family declares {shape}")
    output = np.asarray(model(fut.batch(), training=False))
    fut.built["first_output"] = output  # weights_reload compares with it
    if output.shape != (2, 1) or not np.all((output >= 0) & (output <= 1)):
        raise CheckFailed(f"output of shape {output.shape} is not one probability per image")
    if model.name != fut.registry.parse(fut.name).model_name:
        raise CheckFailed(f"model named {model.name!r}, not its canonical name")
    return f"{fut.name} builds: input {shape}, one sigmoid output"


def _build_twice(fut: FamilyUnderTest) -> int:
    """Build the test example a second time; the parameters both builds count."""
    first = fut.model("first").count_params()
    rebuilt = fut.registry.build(fut.name, weights=None)
    fut.built["rebuilt"] = rebuilt
    if rebuilt.count_params() != first:
        raise CheckFailed(f"two builds count {first:,} and {rebuilt.count_params():,}")
    return first


#: Test examples with fewer parameters than this get more drawn names in ``parameter_count``.
SMALL_MODEL = 1_000_000


def _parameter_count(fut: FamilyUnderTest) -> str:
    from mura_core.conformance.spellings import off_spellings
    from mura_core.conformance.strategies import CHANNELS, small_names

    first = _build_twice(fut)
    reg, family, base = fut.registry, fut.family, fut.registry.parse(fut.name)
    estimate = family.estimate_parameters(base.spec)
    if estimate is None:
        return f"{first:,} parameters in two builds; no estimate declared"
    if estimate != first:
        raise CheckFailed(f"the declared estimate is {estimate:,}, the build has {first:,}")
    names = {base.model_name: base}  # and the builds one_spelling compares, made once
    names.update((p.model_name, p) for _, *pair in off_spellings(base) for p in pair)
    if first < SMALL_MODEL:
        drawn = small_names(base, 3)
    else:  # large models: one more name per channel count not measured yet
        covered = {parsed.input_shape[2] for parsed in names.values()}
        drawn = small_names(base, 1, [c for c in CHANNELS if c not in covered])
        drawn = drawn or small_names(base, 1)  # the spec takes one channel count
    names.update((name, reg.parse(name)) for name in drawn)
    limit = 4 * max(first, SMALL_MODEL)  # a name far larger than the test example is left out
    checked = []
    for parsed in names.values():
        expected = family.estimate_parameters(parsed.spec)
        if expected > limit:
            continue
        try:
            counted = fut.measured(parsed).count_params()
        except Exception as error:
            raise CheckFailed(f"{parsed.model_name} does not build: {_first_line(error)}") from None
        if counted != expected:
            raise CheckFailed(
                f"{parsed.model_name}: the declared estimate is {expected:,}, "
                f"the build has {counted:,}"
            )
        checked.append(parsed.input_shape[2])
    return (
        f"{first:,} parameters in two builds; the declared estimate is right for {len(checked)} "
        f"names drawn from the spec (channels {', '.join(map(str, sorted(set(checked))))})"
    )


def _one_spelling(fut: FamilyUnderTest) -> str:
    from mura_core.conformance.spellings import fix, off_spellings, same_model

    pairs = list(off_spellings(fut.registry.parse(fut.name)))
    if not pairs:
        return "no optional token takes a value meaning 'off' besides its absence"
    for tf, absent, off in pairs:
        if same_model(fut.registry, absent, off, measure=fut.measured):
            raise CheckFailed(
                f"{off.model_name} and {absent.model_name} are one model with two canonical "
                f"names (token {tf.key!r} at its 'off' value, and absent): {fix(tf)}"
            )
    keys = ", ".join(repr(tf.key) for tf, _, _ in pairs)
    return f"{keys}: the 'off' value builds another model than the token's absence"


def _imports_without_tensorflow(fut: FamilyUnderTest) -> str:
    from mura_core.conformance.imports import family_modules, probe_imports

    modules = family_modules(fut.registry, fut.family)
    if not modules:
        raise CheckSkipped("the family is defined in no importable module (__main__?)")
    probe = probe_imports(modules)
    if probe.tensorflow:
        where = probe.tensorflow
        raise CheckFailed(
            f"importing {where['module']} imports TensorFlow (line {where['line']}: "
            f"{where['code']}); import Keras inside the builder, when a model is built"
        )
    if probe.errors:
        module, error = next(iter(probe.errors.items()))
        raise CheckFailed(f"{module} does not import in a fresh process: {error}")
    return f"importing {', '.join(modules)} imports no TensorFlow"


def _fingerprint(fut: FamilyUnderTest) -> str:
    from mura_core.conformance.pins import pin_problems, read_pins

    family = fut.family
    if read_pins(family) is None:
        raise CheckSkipped(
            "no pinned architectures: write them with `mura plugins pin "
            f"{family.name} --output FILE` and declare Family(pins=FILE)"
        )
    reg = fut.registry
    names = list(dict.fromkeys(reg.parse(name).model_name for name in (family.example, fut.name)))
    built = {reg.parse(fut.name).model_name: fut.built["first"]} if "first" in fut.built else {}
    built.setdefault(names[0], fut.example_model())  # measured once, for explain_layer too
    problems = pin_problems(family, names, reg, built=built)
    if problems:
        more = f" (and {len(problems) - 1} more)" if problems[1:] else ""
        raise CheckFailed(problems[0] + more)
    return f"{len(names)} example(s) build their pinned architecture"


def _weights_reload(fut: FamilyUnderTest) -> str:
    first, rebuilt = fut.model("first"), fut.model("rebuilt")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.weights.h5"
        first.save_weights(str(path))
        rebuilt.load_weights(str(path))
    batch = fut.batch()
    expected = fut.built["first_output"]
    actual = np.asarray(rebuilt(batch, training=False))
    difference = float(np.max(np.abs(expected - actual)))
    if difference > 1e-6:
        raise CheckFailed(f"reloaded weights predict differently (max difference {difference:g})")
    return "saved weights reload into a model rebuilt from the name: identical predictions"


def _train_step(fut: FamilyUnderTest) -> str:
    from mura_core.training.runner import compile_model

    model = compile_model(fut.model("first"), jit_compile=False)
    model.run_eagerly = True  # one step: tracing a large graph would cost more than it saves
    before = [np.array(weight) for weight in model.trainable_weights]
    # Both labels 1: the output's gradient p - 1 is never zero. With labels 0 and 1 it
    # cancels exactly when a head's ReLUs all start dead and the output is sigmoid(0).
    labels = np.ones(2, dtype=np.float32)
    loss = float(np.ravel(model.train_on_batch(fut.batch(), labels))[0])
    if not np.isfinite(loss):
        raise CheckFailed(f"one training step gives loss {loss}")
    changed = any(
        not np.array_equal(old, np.array(new))
        for old, new in zip(before, model.trainable_weights, strict=True)
    )
    if before and not changed:
        raise CheckFailed("one training step changes no trainable weight")
    return f"one step on random data: loss {loss:.4f}, {len(before)} trainable tensors"


#: The smallest explanation map (height and width) Grad-CAM can localise anything on.
MIN_MAP_SIDE = 4


def _explain_layer(fut: FamilyUnderTest) -> str:
    layer_name = fut.family.explain_layer_of(fut.registry.parse(fut.name).spec)
    if layer_name is None:
        raise CheckSkipped("the family declares no explain layer: its models cannot be explained")
    _feature_map(fut.model("first"), layer_name)
    example = fut.registry.parse(fut.family.example)
    example_layer = fut.family.explain_layer_of(example.spec)
    height, width = _feature_map(fut.example_model(), example_layer)[:2]
    size = example.input_shape[:2]
    if min(height, width) < MIN_MAP_SIDE:
        needed = [MIN_MAP_SIDE * -(-side // max(map_side, 1))
                  for side, map_side in zip(size, (height, width), strict=True)]  # fmt: skip
        raise CheckFailed(
            f"explain layer {example_layer!r} gives a map of {height}x{width} at the example's "
            f"input {size[0]}x{size[1]}; Grad-CAM needs at least {MIN_MAP_SIDE}x{MIN_MAP_SIDE}: "
            f"explain an earlier layer, or give the example an input of about "
            f"{needed[0]}x{needed[1]} or more"
        )
    return (
        f"explain layer {example_layer!r}: a map of {height}x{width} at the example's input "
        f"{size[0]}x{size[1]}"
    )


def _feature_map(model: Any, layer_name: str) -> tuple[int, ...]:
    """The output shape (without the batch) of the 4-D layer ``layer_name`` of ``model``."""
    try:
        layer = model.get_layer(layer_name)
    except ValueError:
        raise CheckFailed(
            f"the declared explain layer {layer_name!r} is not in the model"
        ) from None
    if len(layer.output.shape) != 4:
        raise CheckFailed(f"explain layer {layer_name!r} has output {layer.output.shape}, not 4-D")
    return tuple(int(side) for side in layer.output.shape[1:])


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


#: Checks an ensemble family passes through its member (the rest apply to the ensemble).
MEMBER_CHECKS = ("weights_reload", "train_step", "explain_layer")

#: The checks, in the order they run.
CHECKS: dict[str, Callable[[FamilyUnderTest], str]] = {
    "round_trip": _round_trip,
    "canonical_idempotent": _canonical_idempotent,
    "malformed_rejected": _malformed_rejected,
    "imports_without_tensorflow": _imports_without_tensorflow,
    "example_builds": _example_builds,
    "parameter_count": _parameter_count,
    "one_spelling": _one_spelling,
    "fingerprint": _fingerprint,
    "weights_reload": _weights_reload,
    "train_step": _train_step,
    "explain_layer": _explain_layer,
}
