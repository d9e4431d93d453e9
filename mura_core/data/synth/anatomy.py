"""The anatomy of each body part, as capsules in a layout (``u`` across the limb, ``v``
along it, in short sides of the image, origin at the centre of the film).

* ``XR_HUMERUS``: one thick long bone (cortex and medulla) with the humeral head above
  and the condyles below.
* ``XR_FOREARM``: two long bones side by side (radius and ulna).
* ``XR_ELBOW``: a hinge: the humerus's condyles against the olecranon and the radial head.
* ``XR_SHOULDER``: a ball and socket: the humeral head in the glenoid, with the
  scapula, the acromion and the clavicle.
* ``XR_FINGER``: a chain of three phalanges below the head of a metacarpal.
* ``XR_HAND``: five metacarpals and their phalanges fanning out from the carpus.
* ``XR_WRIST``: the distal radius and ulna, two rows of small carpal bones, the bases of
  the metacarpals.

Every part sits in a soft-tissue envelope. Joints are recorded (for degenerative change).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mura_core.data.synth.geometry import Capsule

__all__ = ["ANATOMY", "Anatomy", "Joint", "anatomy"]

#: A layout point ``(u, v)``.
Point = tuple[float, float] | np.ndarray


def _pair(point: Point) -> tuple[float, float]:
    return (float(point[0]), float(point[1]))


@dataclass(frozen=True)
class Joint:
    """Two bone ends facing each other: ``bones[a]`` end ``a_end`` (0 for ``p0``, 1 for
    ``p1``) and ``bones[b]`` end ``b_end``."""

    a: int
    a_end: int
    b: int
    b_end: int


@dataclass
class Anatomy:
    """A body part as capsules: bones (drawn brightest-wins), soft tissue, joints."""

    bones: list[Capsule] = field(default_factory=list)
    tissue: list[Capsule] = field(default_factory=list)
    joints: list[Joint] = field(default_factory=list)

    def bone(
        self, p0: Point, p1: Point, radius: float, hollow: float = 0.55, density: float = 1.0
    ) -> int:
        """Add a bone; returns its index."""
        self.bones.append(Capsule(_pair(p0), _pair(p1), radius, hollow, density))
        return len(self.bones) - 1

    def joint(self, a: int, a_end: int, b: int, b_end: int) -> None:
        self.joints.append(Joint(a, a_end, b, b_end))

    def chain(
        self,
        rng: np.random.Generator,
        start: tuple[float, float],
        angle: float,
        lengths: tuple[float, ...],
        radii: tuple[float, ...],
        gap: float,
        bend: float = 0.08,
    ) -> list[int]:
        """Bones end to end from ``start`` (``angle`` from the ``v`` axis), a joint between
        each pair, each bent a little from the one before."""
        indices: list[int] = []
        point = np.array(start, dtype=float)
        for length, radius in zip(lengths, radii):
            direction = np.array([np.sin(angle), np.cos(angle)])
            end = point + direction * length
            indices.append(self.bone(point, end, radius, hollow=0.5))
            if len(indices) > 1:
                self.joint(indices[-2], 1, indices[-1], 0)
            point = end + direction * gap
            angle += rng.normal(0.0, bend)
        return indices


def _humerus(rng: np.random.Generator, a: Anatomy, k: float) -> None:
    a.tissue.append(Capsule((0.0, -1.2), (0.0, 1.2), 0.42, density=1.0))
    head = a.bone((0.06, -0.8), (0.06, -0.78), 0.2 * k, hollow=0.3)
    shaft = a.bone((0.0, -0.62), (0.0, 0.6), 0.1 * k, hollow=0.6)
    condyles = a.bone((-0.13, 0.74), (0.13, 0.74), 0.075 * k, hollow=0.3)
    glenoid = a.bone((0.33, -0.98), (0.31, -0.72), 0.05 * k, hollow=0.0, density=0.8)
    ulna = a.bone((0.02, 0.92), (0.06, 1.4), 0.07 * k)
    a.joint(head, 0, shaft, 0)
    a.joint(shaft, 1, condyles, 0)
    a.joint(head, 1, glenoid, 1)
    a.joint(condyles, 1, ulna, 0)


def _forearm(rng: np.random.Generator, a: Anatomy, k: float) -> None:
    bow = rng.uniform(0.0, 0.05)
    a.tissue.append(Capsule((0.0, -1.2), (0.0, 1.2), 0.4, density=1.0))
    radius = a.bone((-0.17, -0.8), (-0.13 - bow, 0.78), 0.075 * k, hollow=0.6)
    ulna = a.bone((0.15, -0.85), (0.13, 0.8), 0.062 * k, hollow=0.6)
    styloid = a.bone((-0.2, 0.84), (-0.06, 0.86), 0.09 * k, hollow=0.3)
    carpal = a.bone((-0.12, 1.02), (0.1, 1.02), 0.07 * k, hollow=0.0, density=0.9)
    a.joint(radius, 1, styloid, 0)
    a.joint(styloid, 1, carpal, 0)
    a.joint(ulna, 1, carpal, 1)


def _elbow(rng: np.random.Generator, a: Anatomy, k: float) -> None:
    flex = rng.choice([0.0, rng.uniform(0.5, 1.2)])  # front view, or lateral and bent
    down = np.array([np.sin(flex), np.cos(flex)])
    across = np.array([down[1], -down[0]])
    a.tissue.append(Capsule((0.0, -1.2), (0.0, 0.0), 0.4))
    a.tissue.append(Capsule((0.0, 0.0), tuple(down * 1.2), 0.36))
    humerus = a.bone((0.0, -1.0), (0.0, -0.12), 0.11 * k, hollow=0.6)
    condyles = a.bone((-0.15, -0.02), (0.15, -0.02), 0.1 * k, hollow=0.35)
    olecranon = a.bone(down * 0.14 + across * 0.06, down * 0.16 + across * 0.06, 0.095 * k, 0.3)
    ulna = a.bone(down * 0.2 + across * 0.06, down * 1.1 + across * 0.09, 0.07 * k)
    head = a.bone(down * 0.15 - across * 0.11, down * 0.17 - across * 0.11, 0.075 * k, 0.3)
    radius = a.bone(down * 0.25 - across * 0.11, down * 1.1 - across * 0.15, 0.06 * k)
    a.joint(humerus, 1, condyles, 0)
    a.joint(condyles, 1, olecranon, 0)
    a.joint(condyles, 0, head, 0)
    a.joint(olecranon, 1, ulna, 0)
    a.joint(head, 1, radius, 0)


def _shoulder(rng: np.random.Generator, a: Anatomy, k: float) -> None:
    a.tissue.append(Capsule((-0.3, -0.2), (0.3, 1.2), 0.65, density=0.8))
    head = a.bone((0.08, -0.05), (0.1, 0.02), 0.22 * k, hollow=0.25)
    shaft = a.bone((0.16, 0.15), (0.24, 1.2), 0.11 * k, hollow=0.6)
    rim = [(-0.16 - 0.05 * abs(t), 0.2 * t) for t in (-1.0, -0.35, 0.35, 1.0)]
    glenoid = [a.bone(p, q, 0.045 * k, hollow=0.0, density=0.9) for p, q in zip(rim, rim[1:])]
    a.bone((-0.2, -0.15), (-0.7, 0.75), 0.06 * k, hollow=0.0, density=0.6)  # scapula
    a.bone((-0.25, -0.25), (-0.95, -0.1), 0.05 * k, hollow=0.0, density=0.6)
    a.bone((-0.25, -0.32), (0.2, -0.38), 0.055 * k, hollow=0.2, density=0.9)  # acromion
    a.bone((-1.1, -0.7), (0.1, -0.5), 0.06 * k, hollow=0.4)  # clavicle
    a.joint(head, 0, glenoid[1], 0)
    a.joint(head, 1, shaft, 0)


def _finger(rng: np.random.Generator, a: Anatomy, k: float) -> None:
    a.tissue.append(Capsule((0.0, -1.2), (0.0, 0.75), 0.24, density=0.9))
    metacarpal = a.bone((0.0, -1.3), (0.0, -0.82), 0.105 * k, hollow=0.5)
    radii = (0.09 * k, 0.08 * k, 0.07 * k)
    angle = rng.normal(0.0, 0.05)
    chain = a.chain(rng, (0.0, -0.75), angle, (0.62, 0.38, 0.24), radii, gap=0.06, bend=0.1)
    a.joint(metacarpal, 1, chain[0], 0)


def _hand(rng: np.random.Generator, a: Anatomy, k: float) -> None:
    a.tissue.append(Capsule((0.0, -1.0), (0.0, -0.1), 0.45, density=0.9))
    spread = rng.uniform(0.08, 0.16)
    for finger in range(4):
        u = -0.27 + 0.18 * finger
        angle = (finger - 1.5) * spread
        radii = (0.05 * k, 0.045 * k, 0.04 * k, 0.035 * k)
        bones = a.chain(rng, (u, -0.45), angle, (0.4, 0.26, 0.16, 0.11), radii, 0.03, bend=0.05)
        tip = a.bones[bones[-1]].p1
        a.tissue.append(Capsule(a.bones[bones[0]].p1, tip, 0.075, density=0.9))
    a.chain(rng, (-0.38, -0.5), -0.7, (0.25, 0.18, 0.12), (0.055 * k, 0.05 * k, 0.042 * k), 0.03)
    for row, v in enumerate((-0.72, -0.58)):
        for column in range(4):
            u = -0.24 + 0.16 * column + 0.04 * row
            a.bone((u, v), (u + 0.02, v + 0.02), 0.055 * k, hollow=0.0, density=0.9)


def _wrist(rng: np.random.Generator, a: Anatomy, k: float) -> None:
    a.tissue.append(Capsule((0.0, -1.2), (0.0, 1.2), 0.42, density=0.9))
    radius = a.bone((-0.13, -1.0), (-0.1, -0.2), 0.15 * k, hollow=0.55)
    ulna = a.bone((0.22, -1.0), (0.2, -0.22), 0.085 * k, hollow=0.55)
    carpals = []
    for row, v in enumerate((-0.02, 0.15)):
        for column in range(4):
            u = -0.24 + 0.15 * column + rng.normal(0.0, 0.01)
            size = rng.uniform(0.05, 0.07) * k
            carpals.append(a.bone((u, v), (u + 0.02, v + 0.025 * row), size, 0.0, 0.9))
    for column in range(5):
        u = -0.3 + 0.15 * column
        metacarpal = a.bone((u, 0.32), (u + 0.05 * (column - 2), 1.1), 0.05 * k, hollow=0.5)
        a.joint(carpals[4 + min(column, 3)], 1, metacarpal, 0)
    a.joint(radius, 1, carpals[1], 0)
    a.joint(ulna, 1, carpals[3], 0)


#: The layout of each body part (see the module docstring).
ANATOMY: dict[str, Callable[[np.random.Generator, Anatomy, float], None]] = {
    "XR_ELBOW": _elbow,
    "XR_FINGER": _finger,
    "XR_FOREARM": _forearm,
    "XR_HAND": _hand,
    "XR_HUMERUS": _humerus,
    "XR_SHOULDER": _shoulder,
    "XR_WRIST": _wrist,
}


def anatomy(body_part: str, rng: np.random.Generator) -> Anatomy:
    """The capsules of one view of ``body_part``, with this patient's bone thickness."""
    result = Anatomy()
    ANATOMY[body_part](rng, result, float(rng.uniform(0.85, 1.15)))
    return result
