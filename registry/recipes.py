"""Training recipes: the settings a preset carries beside its name.

A :class:`Recipe` is data, validated by pydantic and free of TensorFlow, so a plugin
ships one with each :class:`~registry.Preset` it registers. Every field is optional:
an absent field is the package's default, and any flag given to ``mura train`` wins
over the recipe. Augmentation is the package's (horizontal flips, rotations in +-30
degrees); whether it and class weighting are on is the run suffix of the preset's name
(``__wc_aug``) when it has one, and the image size and channels are the name's ``in``
token, so the recipe holds neither.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MONITORS", "Recipe"]

#: Metrics early stopping may watch (the compiled model's, on the validation set).
MONITORS: tuple[str, ...] = ("val_loss", "val_auc", "val_accuracy", "val_kappa")


class Recipe(BaseModel):
    """Training settings of a preset; ``None`` (absent) is the package's default.

    The field names are those of the training settings (``mura train``'s flags with
    ``_`` for ``-``): ``learning_rate`` (Adam's), ``lr_factor`` / ``lr_patience`` /
    ``lr_min`` (ReduceLROnPlateau on ``val_loss``: the factor multiplying the rate, the
    epochs without improvement before it acts, the floor), ``batch_size``, ``epochs``,
    ``patience`` and ``monitor`` (early stopping), ``class_weights`` (``balanced`` or
    ``body_part``), ``augment`` (only for a preset without a run suffix) and
    ``pretrained`` (starting weights: a source such as ``imagenet``, or ``none``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    learning_rate: float | None = Field(default=None, gt=0, le=10)
    lr_factor: float | None = Field(default=None, gt=0, lt=1)
    lr_patience: int | None = Field(default=None, ge=0, le=10_000)
    lr_min: float | None = Field(default=None, ge=0, le=10)
    batch_size: int | None = Field(default=None, ge=1, le=4096)
    epochs: int | None = Field(default=None, ge=1, le=10_000)
    patience: int | None = Field(default=None, ge=0, le=10_000)
    monitor: Literal["val_loss", "val_auc", "val_accuracy", "val_kappa"] | None = None
    class_weights: Literal["balanced", "body_part"] | None = None
    augment: bool | None = None
    pretrained: str | None = Field(default=None, min_length=1)

    def settings(self) -> dict[str, Any]:
        """The fields the recipe sets (absent ones left out)."""
        return self.model_dump(exclude_none=True)

    def __bool__(self) -> bool:
        return bool(self.settings())
