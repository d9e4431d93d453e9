"""Run options: the training suffix of a run name (``__wc_aug_XR_WRIST_seed.1``).

A run name is a model name followed by ``__`` and the run tokens: ``wc`` (class weights),
``aug`` (augmentation), a MURA body part (``XR_WRIST``) and the seed (``seed.1``; the
default seed 0 writes none), so runs of different seeds are different runs. The report
also wrote the suffix after a single underscore; both parse, ``__`` is canonical.
"""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.errors import InvalidNameError, closest

#: Channel counts of a model's input that the data pipeline provides (grayscale, RGB);
#: the ``in`` token of the built-in families accepts exactly these.
IMAGE_CHANNELS: tuple[int, ...] = (1, 3)

#: A MURA body part (study type), as its folders name it.
BodyPart = Literal[
    "XR_ELBOW", "XR_FINGER", "XR_FOREARM", "XR_HAND", "XR_HUMERUS", "XR_SHOULDER", "XR_WRIST"
]
BODY_PARTS: tuple[str, ...] = typing.get_args(BodyPart)

#: Token of each boolean run option, in canonical order.
RUN_FLAGS: dict[str, str] = {"weight_classes": "wc", "augment": "aug"}
BODY_PART_PREFIX = "XR"
RUN_SEPARATOR = "__"
#: Key of the seed run token (``seed.1``).
SEED_KEY = "seed"
MAX_SEED = 2**31 - 1


class RunOptions(BaseModel):
    """How a model is trained: class weights, augmentation and body-part filter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight_classes: bool = False
    augment: bool = False
    body_part: BodyPart | None = None
    seed: int = Field(0, ge=0, le=MAX_SEED)

    @property
    def suffix(self) -> str:
        """The canonical suffix tokens joined by ``_`` (empty when no option is set)."""
        tokens = [token for field, token in RUN_FLAGS.items() if getattr(self, field)]
        if self.body_part:
            tokens.append(self.body_part)
        if self.seed:
            tokens.append(f"{SEED_KEY}.{self.seed}")
        return "_".join(tokens)

    @property
    def is_default(self) -> bool:
        """True when no option is set (the run name equals the model name)."""
        return not self.suffix

    @classmethod
    def from_tokens(cls, tokens: list[str], name: str) -> RunOptions:
        """Parse run tokens (already split on ``_``) into options."""
        values: dict[str, object] = {}
        flags = {token: field for field, token in RUN_FLAGS.items()}
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token in flags:
                field = flags[token]
                if field in values:
                    raise InvalidNameError(name, f"duplicate run token {token!r}", token=token)
                values[field] = True
            elif token == BODY_PART_PREFIX:
                if index + 1 >= len(tokens):
                    raise InvalidNameError(
                        name,
                        "body part token 'XR' is incomplete",
                        token=token,
                        expected="one of " + ", ".join(BODY_PARTS),
                    )
                part = f"{BODY_PART_PREFIX}_{tokens[index + 1]}"
                if part not in BODY_PARTS:
                    raise InvalidNameError(
                        name,
                        f"unknown body part {part!r}",
                        token=part,
                        expected="one of " + ", ".join(BODY_PARTS),
                        suggestion=closest(part, BODY_PARTS),
                    )
                if "body_part" in values:
                    raise InvalidNameError(name, f"second body part {part!r}", token=part)
                values["body_part"] = part
                index += 1
            elif token.startswith(SEED_KEY + "."):
                if "seed" in values:
                    raise InvalidNameError(name, f"second seed token {token!r}", token=token)
                values["seed"] = _seed(token, name)
            else:
                known = [*flags, *BODY_PARTS]
                raise InvalidNameError(
                    name,
                    f"unknown run token {token!r}",
                    token=token,
                    expected="run tokens wc, aug, seed.N or a body part ("
                    + ", ".join(BODY_PARTS)
                    + ")",
                    suggestion=closest(token, known),
                )
            index += 1
        return cls(**values)


def _seed(token: str, name: str) -> int:
    text = token[len(SEED_KEY) + 1 :]
    if not text.isdigit() or len(text) > 10 or int(text) > MAX_SEED:
        raise InvalidNameError(
            name,
            f"run token {token!r}: the seed must be an integer in [0, {MAX_SEED}]",
            token=token,
            expected="seed.N (the default seed 0 is written as no token)",
        )
    return int(text)  # seed.0 is the default seed, written as no token


def is_run_token(token: str) -> bool:
    """True for a token that starts a run suffix (``wc``, ``aug``, ``XR`` or ``seed.N``)."""
    return (
        token in RUN_FLAGS.values() or token == BODY_PART_PREFIX or token.startswith(SEED_KEY + ".")
    )
