"""Pretrained weights: what a family declares, and one-line errors when they are missing.

A family that starts from pretrained weights declares them with :class:`Pretrained`;
its builder then receives ``weights=``: one of the declared sources (``"imagenet"``), the
path of a weights file, or ``None`` (random initialisation). The registry checks the
request before anything is built (:meth:`Pretrained.check`), and builders wrap the
Keras call that reads the weights in :func:`loading_weights`, so that a file that is
missing, cannot be downloaded or does not fit becomes a one-line
:class:`WeightsUnavailableError` naming the file and where to put it::

    with loading_weights("vgg16", weights, cache_file=VGG16_FILE, origin=VGG16_URL):
        base = keras.applications.VGG16(include_top=False, weights=weights, ...)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import BuildError
from registry.tokens import WORD_PATTERN

#: ``--pretrained`` value meaning "no pretrained weights"; never a source's name.
NO_WEIGHTS = "none"
#: ``weights`` value meaning "the family's declared default source"; never a source's name.
DEFAULT_WEIGHTS = "default"


class WeightsUnavailableError(BuildError):
    """Pretrained weights that are missing, cannot be downloaded, or do not fit the model."""


@dataclass(frozen=True)
class Pretrained:
    """The pretrained weights a family accepts.

    Args:
        sources: named sources the builder knows (``"imagenet"``); the path of a weights
            file is accepted too.
        default: the source used when none is asked for (``mura train``'s default);
            ``None`` starts from random weights.
        channels: input channels the named sources need (``None``: any); a weights file
            is checked by Keras when it loads.
    """

    sources: tuple[str, ...] = ("imagenet",)
    default: str | None = "imagenet"
    channels: int | None = 3

    def __post_init__(self) -> None:
        for source in self.sources:
            if not WORD_PATTERN.match(source) or source.lower() in (NO_WEIGHTS, DEFAULT_WEIGHTS):
                raise ValueError(f"invalid pretrained source name {source!r}")
        if self.default is not None and self.default not in self.sources:
            raise ValueError(f"default source {self.default!r} is not one of {self.sources}")
        if self.channels is not None and self.channels < 1:
            raise ValueError(f"channels must be positive, got {self.channels}")

    def check(self, family: str, weights: str | os.PathLike | None, channels: int) -> Any:
        """The ``weights`` value to hand the builder, or a one-line :class:`BuildError`.

        ``channels`` is the model's input channels, checked against a named source's.
        """
        if weights is None:
            return None
        text = os.fspath(weights)
        if text in self.sources:
            if self.channels is not None and channels != self.channels:
                raise WeightsUnavailableError(
                    f"{text} weights of {family} need {self.channels} input channels, the name "
                    f"asks for {channels}; write in.H.W.{self.channels} or start from random "
                    f"weights (--pretrained {NO_WEIGHTS}, weights=None)"
                )
            return text
        path = Path(text).expanduser()
        if not path.is_file():
            known = ", ".join(self.sources)
            raise WeightsUnavailableError(
                f"weights {text!r} for {family} are neither a file nor a known source ({known})"
            )
        return str(path)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {"sources": list(self.sources), "default": self.default, "channels": self.channels}


def keras_cache_dir() -> Path:
    """The folder where Keras keeps downloaded weights (``$KERAS_HOME/models``)."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    return home / "models"


@contextlib.contextmanager
def loading_weights(
    family: str,
    weights: str | os.PathLike | None,
    *,
    cache_file: str | None = None,
    origin: str | None = None,
) -> Iterator[None]:
    """Turn a failure while Keras reads pretrained weights into a one-line error.

    Args:
        family: the family being built, for the message.
        weights: what the builder was asked for (a source name, a file path or ``None``).
        cache_file: the file name Keras keeps a named source under in its cache.
        origin: where that file is downloaded from, for the message.

    Raises:
        WeightsUnavailableError: naming the file and where to put it.
    """
    try:
        yield
    except (KeyboardInterrupt, BuildError):
        raise
    except Exception as error:
        reason = _first_line(error)
        if weights is None:
            raise
        text = os.fspath(weights)
        if cache_file is None or Path(text).expanduser().is_file():
            raise WeightsUnavailableError(
                f"weights file {text} could not be loaded into {family}: {reason}"
            ) from None
        cached = keras_cache_dir() / cache_file
        if cached.is_file():
            raise WeightsUnavailableError(
                f"{text} weights for {family} at {cached} could not be loaded ({reason}); "
                "delete the file to download it again"
            ) from None
        where = f" (from {origin})" if origin else ""
        raise WeightsUnavailableError(
            f"{text} weights for {family} are not in the Keras cache and could not be "
            f"downloaded ({type(error).__name__}); put {cache_file}{where} at {cached}, "
            f"or start from random weights (--pretrained {NO_WEIGHTS}, weights=None)"
        ) from None


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
