"""Kinds of synthetic findings, how often each appears in each body part, and how each
changes the anatomy of a view.

* ``hardware``: a metal plate along a bone with screws across it, or screws alone.
  Saturated white; it stays visible at every difficulty (only smaller).
* ``fracture``: a thin lucent line across a long bone, oblique or transverse, the
  distal fragment sometimes displaced sideways (a step in the cortex).
* ``lytic_lesion``: a low-contrast lucent oval in the medulla of a long bone.
* ``degenerative``: a narrowed joint space with osteophytes (small bony spurs) at the
  margins of the joint.

:data:`FINDING_MIX` gives, for each body part, the share of abnormal studies with each
kind, loosely after what MURA's abnormal studies contain: hardware is common in the
shoulder, humerus and forearm, fractures everywhere and most in the finger and elbow,
degenerative change in the hand, finger and shoulder, lytic lesions rare.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, get_args

import numpy as np

from mura_core.data.synth.anatomy import Anatomy, Joint
from mura_core.data.synth.difficulty import Difficulty
from mura_core.data.synth.geometry import Capsule

__all__ = ["FINDING_KINDS", "FINDING_MIX", "Finding", "FindingKind", "add_finding"]

FindingKind = Literal["hardware", "fracture", "lytic_lesion", "degenerative"]
#: The kinds of synthetic findings.
FINDING_KINDS: tuple[str, ...] = get_args(FindingKind)

#: Share of each kind among the abnormal studies of a body part (columns in the order
#: of :data:`FINDING_KINDS`; each row sums to 1).
FINDING_MIX: dict[str, tuple[float, float, float, float]] = {
    "XR_ELBOW": (0.25, 0.45, 0.10, 0.20),
    "XR_FINGER": (0.15, 0.50, 0.05, 0.30),
    "XR_FOREARM": (0.45, 0.40, 0.10, 0.05),
    "XR_HAND": (0.15, 0.40, 0.05, 0.40),
    "XR_HUMERUS": (0.40, 0.40, 0.15, 0.05),
    "XR_SHOULDER": (0.35, 0.25, 0.05, 0.35),
    "XR_WRIST": (0.30, 0.40, 0.05, 0.25),
}

# Findings are placed in the middle of the layout, which every view keeps in frame.
_CENTRE = (0.3, 0.4)


@dataclass
class Finding:
    """What a finding adds to a view (in layout coordinates until mapped).

    Attributes:
        kind: one of :data:`FINDING_KINDS`.
        lucent: capsules that remove a share of bone density (capsule, share, soft edge).
        metal: capsules drawn as saturated metal.
        marks: capsules whose bounding box is the finding's box.
    """

    kind: str
    lucent: list[tuple[Capsule, float, bool]] = field(default_factory=list)
    metal: list[Capsule] = field(default_factory=list)
    marks: list[Capsule] = field(default_factory=list)


def _inside(point: tuple[float, float], margin: float = 1.0) -> bool:
    return abs(point[0]) <= _CENTRE[0] * margin and abs(point[1]) <= _CENTRE[1] * margin


def _recentre(a: Anatomy, point: np.ndarray) -> None:
    """Move the whole layout so that ``point`` is in the centre of the film (a view of
    the end of a long bone that shows the joint)."""
    target = np.clip(point, -np.array(_CENTRE) * 0.8, np.array(_CENTRE) * 0.8)
    du, dv = (float(x) for x in target - point)
    if du or dv:
        for items in (a.bones, a.tissue):
            items[:] = [
                replace(c, p0=(c.p0[0] + du, c.p0[1] + dv), p1=(c.p1[0] + du, c.p1[1] + dv))
                for c in items
            ]


def _site(rng: np.random.Generator, bones: list[Capsule]) -> tuple[int, float]:
    """A long bone and a position along it inside the centre of the film."""
    long = [i for i, b in enumerate(bones) if b.hollow >= 0.4 and b.length() > 2.5 * b.radius]
    for _ in range(24):
        index = long[int(rng.integers(len(long)))]
        t = float(rng.uniform(0.2, 0.8))
        if _inside(bones[index].at(t)):
            return index, t
    return min(
        ((i, t) for i in long for t in np.linspace(0.15, 0.85, 8)),
        key=lambda site: float(np.hypot(*bones[site[0]].at(site[1]))),
    )


def _frame(bone: Capsule) -> tuple[np.ndarray, np.ndarray]:
    axis = np.array(bone.axis())
    return axis, np.array([-axis[1], axis[0]])


def _fracture(rng: np.random.Generator, a: Anatomy, d: Difficulty) -> Finding:
    index, t = _site(rng, a.bones)
    bone = a.bones[index]
    axis, normal = _frame(bone)
    point = np.array(bone.at(t))
    if rng.random() < 0.9 - 0.7 * d.value:  # displaced: the distal fragment steps aside
        offset = normal * bone.radius * rng.uniform(0.2, 0.4) * d.size * rng.choice([-1, 1])
        a.bones[index] = replace(bone, p1=tuple(point))
        a.bones.append(replace(bone, p0=tuple(point + offset), p1=tuple(np.add(bone.p1, offset))))
    tilt = rng.uniform(-0.6, 0.6)
    line = normal * np.cos(tilt) + axis * np.sin(tilt)
    reach = bone.radius * 1.15 / max(np.cos(tilt), 0.5)
    width = 0.018 * d.size
    crack = Capsule(tuple(point - line * reach), tuple(point + line * reach), width)
    return Finding("fracture", lucent=[(crack, d.contrast, False)], marks=[crack])


def _lesion(rng: np.random.Generator, a: Anatomy, d: Difficulty) -> Finding:
    index, t = _site(rng, a.bones)
    bone = a.bones[index]
    axis, _ = _frame(bone)
    point = np.array(bone.at(t))
    half = bone.radius * rng.uniform(0.5, 0.9) * d.size
    radius = bone.radius * min(0.95, bone.hollow * rng.uniform(0.75, 1.0) * d.size * 0.6)
    oval = Capsule(tuple(point - axis * half), tuple(point + axis * half), radius)
    return Finding("lytic_lesion", lucent=[(oval, 0.9 * d.contrast, True)], marks=[oval])


def _hardware(rng: np.random.Generator, a: Anatomy, d: Difficulty) -> Finding:
    index, t = _site(rng, a.bones)
    bone = a.bones[index]
    axis, normal = _frame(bone)
    point = np.array(bone.at(t))
    half = min(rng.uniform(0.12, 0.22) * d.size, bone.length() * 0.45)
    metal = []
    if rng.random() < 0.9 - 0.6 * d.value:  # a plate, or screws alone
        side = normal * bone.radius * 0.35 * rng.choice([-1, 1])
        plate_radius = bone.radius * rng.uniform(0.3, 0.4) * min(d.size, 1.0)
        metal.append(
            Capsule(
                tuple(point + side - axis * half), tuple(point + side + axis * half), plate_radius
            )
        )
    screw_radius = max(bone.radius * 0.13, 0.008)
    for offset in np.linspace(-half, half, int(rng.integers(2, 6))):
        centre = point + axis * offset
        reach = normal * bone.radius * 1.25
        metal.append(Capsule(tuple(centre - reach), tuple(centre + reach), screw_radius))
    return Finding("hardware", metal=metal, marks=list(metal))


def _degenerative(rng: np.random.Generator, a: Anatomy, d: Difficulty) -> Finding:
    def centre(joint: Joint) -> np.ndarray:
        ends = (a.bones[joint.a].p1 if joint.a_end else a.bones[joint.a].p0,
                a.bones[joint.b].p1 if joint.b_end else a.bones[joint.b].p0)  # fmt: skip
        return np.mean(ends, axis=0)

    inside = [j for j in a.joints if _inside(tuple(centre(j)), 1.2)]
    joints = inside or sorted(a.joints, key=lambda j: float(np.hypot(*centre(j))))[:1]
    joint = joints[int(rng.integers(len(joints)))]
    _recentre(a, centre(joint))
    middle = centre(joint)
    narrowing = 0.4 + 0.5 * d.contrast
    for index, end in ((joint.a, joint.a_end), (joint.b, joint.b_end)):
        bone = a.bones[index]
        point = np.array(bone.p1 if end else bone.p0)
        moved = tuple(point + (middle - point) * narrowing)
        a.bones[index] = replace(bone, **({"p1": moved} if end else {"p0": moved}))
    first, second = a.bones[joint.a], a.bones[joint.b]
    axis, normal = _frame(
        replace(first, p0=first.p1 if joint.a_end else first.p0, p1=tuple(middle))
    )
    width = min(first.radius, second.radius)
    marks = [Capsule(tuple(middle), tuple(middle), width)]
    for sign in (-1.0, 1.0):
        base = middle + normal * sign * width * 0.9
        tip = base + (normal * sign * 0.7 + axis * rng.uniform(-0.6, 0.6)) * width * 0.8 * d.size
        spur = Capsule(tuple(base), tuple(tip), max(width * 0.12 * d.size, 0.007), density=1.3)
        a.bones.append(spur)
        marks.append(spur)
    return Finding("degenerative", marks=marks)


# In the order of FINDING_KINDS.
_ADD = dict(zip(FINDING_KINDS, (_hardware, _fracture, _lesion, _degenerative)))


def add_finding(kind: str, a: Anatomy, rng: np.random.Generator, d: Difficulty) -> Finding:
    """Change ``a`` to show a finding of ``kind``; returns what to draw over it."""
    return _ADD[kind](rng, a, d)
