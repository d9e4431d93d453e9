"""Pretrained weights: what a family declares, and one-line errors when they are missing.

A family that starts from pretrained weights declares them with :class:`Pretrained`;
its builder then receives ``weights=``: one of the declared sources (``"imagenet"``), the
path of a weights file, or ``None`` (random initialisation). The registry checks the
request before anything is built (:meth:`Pretrained.check`: which names the sources
fit, and what a name starts from by default, are declared on :class:`Pretrained`), and
builders wrap the Keras call that reads the weights in :func:`loading_weights`, so that
a file that is missing, cannot be downloaded or does not fit becomes a one-line
:class:`WeightsUnavailableError` naming the file and where to put it::

    with loading_weights("vgg16", weights, cache_file=VGG16_FILE, origin=VGG16_URL):
        base = keras.applications.VGG16(include_top=False, weights=weights, ...)
"""

from __future__ import annotations

import contextlib
import os
import typing
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from registry.errors import BuildError
from registry.tokens import WORD_PATTERN, format_value

#: ``--pretrained`` value meaning "no pretrained weights"; never a source's name.
NO_WEIGHTS = "none"
#: ``weights`` value meaning "the family's declared default source"; never a source's name.
DEFAULT_WEIGHTS = "default"
#: What a family's default weights become for a name its sources do not fit.
Otherwise = Literal["refuse", "none"]
OTHERWISE: tuple[str, ...] = typing.get_args(Otherwise)


class WeightsUnavailableError(BuildError):
    """Pretrained weights that are missing, cannot be downloaded, or do not fit the model."""


@dataclass(frozen=True)
class Pretrained:
    """The pretrained weights a family accepts, and the models they fit.

    Args:
        sources: named sources the builder knows (``"imagenet"``); the path of a weights
            file is accepted too.
        default: the source used when none is asked for (``mura train``'s default);
            ``None`` starts from random weights.
        channels: input channels the named sources need (``None``: any); a weights file
            is checked by Keras when it loads.
        requires: the values of other spec fields the named sources have weights for,
            by field name (``{"width": (0.25, 0.5, 0.75, 1.0)}``); a name with another
            value is refused for those sources (checked before anything is built).
        otherwise: what the default becomes for a name the named sources do not fit
            (its channels or a ``requires`` field): ``"refuse"`` (the user must ask for
            ``--pretrained none``) or ``"none"`` (start from random weights). So
            ``Pretrained(default="imagenet", channels=3, otherwise="none")`` reads
            "ImageNet for 3 channels, none otherwise".
    """

    sources: tuple[str, ...] = ("imagenet",)
    default: str | None = "imagenet"
    channels: int | None = 3
    requires: Mapping[str, Collection[Any]] = field(default_factory=dict)
    otherwise: Otherwise = "refuse"

    def __post_init__(self) -> None:
        for source in self.sources:
            if not WORD_PATTERN.match(source) or source.lower() in (NO_WEIGHTS, DEFAULT_WEIGHTS):
                raise ValueError(f"invalid pretrained source name {source!r}")
        if self.default is not None and self.default not in self.sources:
            raise ValueError(f"default source {self.default!r} is not one of {self.sources}")
        if self.channels is not None and self.channels < 1:
            raise ValueError(f"channels must be positive, got {self.channels}")
        if self.otherwise not in OTHERWISE:
            raise ValueError(
                f"otherwise must be one of {', '.join(OTHERWISE)}, got {self.otherwise!r}"
            )
        if not isinstance(self.requires, Mapping):
            raise TypeError("requires must map spec field names to the values the sources fit")
        requires = {}
        for name, values in self.requires.items():
            if isinstance(values, str) or not isinstance(values, Collection) or not values:
                raise ValueError(f"requires[{name!r}] must be a non-empty collection of values")
            requires[name] = tuple(values)
        object.__setattr__(self, "requires", requires)

    def unfit(self, spec: Any, channels: int, input_field: str | None = None) -> str | None:
        """Why the named sources have no weights for ``spec`` (``None``: they fit), as
        ``"need ...; write ..."``, naming the spec's own tokens.

        ``channels`` is the model's input channels; ``input_field`` the spec field
        holding the input shape, when the family declares one.
        """
        fields = {tf.field: tf for tf in type(spec).token_fields()}
        if self.channels is not None and channels != self.channels:
            shape = fields.get(input_field or "")
            fix = f"write {shape.key}.H.W.{self.channels}" if shape else f"ask for {self.channels}"
            return f"need {self.channels} input channels, the name asks for {channels}; {fix}"
        for name, allowed in self.requires.items():
            value = getattr(spec, name, None)
            if value not in allowed:
                shown = ", ".join(_as_token(fields.get(name), name, item) for item in allowed)
                asked = _as_token(fields.get(name), name, value)
                return f"need {shown}, the name asks for {asked}; write one of them"
        return None

    def default_for(self, spec: Any, channels: int, input_field: str | None = None) -> str | None:
        """The default source for ``spec``: ``default``, or ``None`` when it does not fit
        and ``otherwise`` is ``"none"``."""
        if self.default is None or self.otherwise == "refuse":
            return self.default
        return self.default if self.unfit(spec, channels, input_field) is None else None

    def check(
        self,
        family: str,
        weights: str | os.PathLike | None,
        spec: Any,
        channels: int,
        input_field: str | None = None,
    ) -> Any:
        """The ``weights`` value to hand the builder, or a one-line :class:`BuildError`.

        A named source is checked against ``spec`` (it must have weights for the
        spec's input); a file must exist.
        """
        if weights is None:
            return None
        text = os.fspath(weights)
        if text in self.sources:
            reason = self.unfit(spec, channels, input_field)
            if reason is not None:
                raise WeightsUnavailableError(
                    f"{text} weights of {family} {reason} or start from random weights "
                    f"(--pretrained {NO_WEIGHTS}, weights=None)"
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
        return {
            "sources": list(self.sources),
            "default": self.default,
            "channels": self.channels,
            "requires": {name: [_json(item) for item in values]
                         for name, values in self.requires.items()},
            "otherwise": self.otherwise,
        }  # fmt: skip


def _as_token(tf: Any, name: str, value: Any) -> str:
    """``value`` of spec field ``name`` as a name writes it (``w.0.25``)."""
    return f"{tf.key}.{format_value(tf, value)}" if tf is not None else f"{name}={value!r}"


def _json(value: Any) -> Any:
    return [_json(item) for item in value] if isinstance(value, tuple) else value


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
        cache_file: the file name Keras keeps a named source under in its cache
            (``$KERAS_HOME/models``); it may depend on the spec
            (``f"mobilenet_{width}_{size}_tf_no_top.h5"``). Without it, messages name
            the cache folder only.
        origin: where that file is downloaded from, for the message.

    Raises:
        WeightsUnavailableError: naming the file and where to put it; a ``ValueError``
            Keras raises for a named source (it has no such weights for this model)
            keeps Keras' reason.
    """
    try:
        yield
    except (KeyboardInterrupt, BuildError):
        raise
    except Exception as error:
        if weights is None:
            raise
        raise WeightsUnavailableError(
            _unavailable(family, os.fspath(weights), error, cache_file, origin)
        ) from None


def _unavailable(
    family: str, text: str, error: Exception, cache_file: str | None, origin: str | None
) -> str:
    """The one line of :func:`loading_weights` for ``error``."""
    reason = _first_line(error)
    if Path(text).expanduser().is_file():
        return f"weights file {text} could not be loaded into {family}: {reason}"
    cached = keras_cache_dir() / cache_file if cache_file else None
    if cached is not None and cached.is_file():
        return (
            f"{text} weights for {family} at {cached} could not be loaded ({reason}); "
            "delete the file to download it again"
        )
    random = f"start from random weights (--pretrained {NO_WEIGHTS}, weights=None)"
    if isinstance(error, ValueError):  # Keras has no such weights for this model
        return f"{family} cannot start from {text} weights: {reason}; {random}"
    where = f" (from {origin})" if origin else ""
    put = f"put {cache_file}{where} at {cached}" if cached else f"put it in {keras_cache_dir()}"
    return (
        f"{text} weights for {family} are not in the Keras cache and could not be "
        f"downloaded ({type(error).__name__}: {reason}); {put}, or {random}"
    )


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
