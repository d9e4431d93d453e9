"""Which patients, studies, labels, findings and visible views a synthetic tree has."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mura_core.data.layout import BODY_PARTS, LABEL_NAMES, MURA_DIR
from mura_core.data.synth.difficulty import Difficulty
from mura_core.data.synth.findings import FINDING_KINDS, FINDING_MIX

__all__ = ["POSITIVE_RATE", "Study", "flip_labels", "plan_studies"]

# Share of MURA's training images per body part, and the share of positive studies
# (the report's inspection table).
_PART_WEIGHTS = {
    "XR_ELBOW": 4931, "XR_FINGER": 5106, "XR_FOREARM": 1825, "XR_HAND": 5543,
    "XR_HUMERUS": 1272, "XR_SHOULDER": 8379, "XR_WRIST": 9752,
}  # fmt: skip
#: Share of abnormal studies per body part, as in MURA.
POSITIVE_RATE = {
    "XR_ELBOW": 0.41, "XR_FINGER": 0.39, "XR_FOREARM": 0.36, "XR_HAND": 0.27,
    "XR_HUMERUS": 0.47, "XR_SHOULDER": 0.50, "XR_WRIST": 0.41,
}  # fmt: skip


@dataclass(frozen=True)
class Study:
    """One planned study.

    Attributes:
        label: the label written (folder suffix and CSV), after label noise.
        true_label: the label the images were drawn from.
        kind: the finding of a truly abnormal study (``None`` for a normal one).
        visible: for each image, whether it shows the finding.
    """

    split: str
    body_part: str
    patient: str
    number: int
    label: int
    true_label: int
    kind: str | None
    visible: tuple[bool, ...]
    rgb: bool
    seed: int

    @property
    def relpath(self) -> str:
        folder = f"study{self.number}_{LABEL_NAMES[self.label]}"
        return "/".join((MURA_DIR, self.split, self.body_part, self.patient, folder))


def _study(rng: np.random.Generator, d: Difficulty, rgb_fraction: float, **fields) -> Study:
    part = fields["body_part"]
    label = int(rng.random() < POSITIVE_RATE[part])
    images = int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25]))
    rgb = bool(rng.random() < rgb_fraction)
    seed = int(rng.integers(2**63))
    kind = FINDING_KINDS[int(rng.choice(len(FINDING_KINDS), p=FINDING_MIX[part]))]
    shown = rng.random(images) < d.visibility
    shown[int(rng.integers(images))] = True  # one view always shows it
    visible = tuple(bool(v) for v in shown) if label else (False,) * images
    return Study(
        **fields, label=label, true_label=label, kind=kind if label else None,
        visible=visible, rgb=rgb, seed=seed,
    )  # fmt: skip


def plan_studies(
    studies: int, valid_fraction: float, rgb_fraction: float, seed: int, d: Difficulty
) -> list[Study]:
    """Patients and studies: every body part in both splits once there are 14 studies."""
    rng = np.random.default_rng([seed, 0])
    parts = list(BODY_PARTS)
    weights = np.array([_PART_WEIGHTS[part] for part in parts], dtype=float)
    weights /= weights.sum()
    n_valid = max(1, round(studies * valid_fraction)) if studies > 1 else 0
    plan: list[Study] = []
    for split, budget in (("train", studies - n_valid), ("valid", n_valid)):
        first_patient = len({study.patient for study in plan}) + 1
        made, patient_index = 0, 0
        uncovered = list(parts)
        while made < budget:
            patient = f"patient{first_patient + patient_index:05d}"
            count = min(budget - made, int(rng.choice([1, 2, 3], p=[0.8, 0.15, 0.05])))
            numbers: dict[str, int] = {}
            for k in range(count):
                if uncovered:
                    part = uncovered.pop(0)  # every body part in every split first
                elif k == 0 or rng.random() < 0.1:
                    part = parts[int(rng.choice(len(parts), p=weights))]
                else:
                    part = plan[-1].body_part
                numbers[part] = numbers.get(part, 0) + 1
                plan.append(
                    _study(rng, d, rgb_fraction, split=split, body_part=part,
                           patient=patient, number=numbers[part])
                )  # fmt: skip
                made += 1
            patient_index += 1
    return plan


def flip_labels(plan: list[Study], noise: float, seed: int) -> list[Study]:
    """Flip the written label of exactly ``round(noise * n)`` of the n studies of each split."""
    rng = np.random.default_rng([seed, 1])
    flipped = list(plan)
    for split in dict.fromkeys(study.split for study in plan):
        indices = [i for i, study in enumerate(plan) if study.split == split]
        chosen = rng.choice(len(indices), size=round(noise * len(indices)), replace=False)
        for position in sorted(int(c) for c in chosen):
            study = plan[indices[position]]
            flipped[indices[position]] = replace(study, label=1 - study.true_label)
    return flipped
