"""Names that contain names: the delimiter of an embedded model name, and splitting at depth 0.

An ensemble's name embeds its member's model name verbatim, once, in parentheses after
the token's key: ``parts_m(cnn_in.256.256.3_cl.6.1_f.32_..._ld.0.25)_c.avg__wc_aug``.
Parentheses are the delimiter: they pair (so the tokenizer knows where an embedded name
starts and ends), and they are allowed in folder names on Linux, macOS and Windows,
unlike ``/ \\ : * ? " < > |``; ``{``, ``}`` and ``,`` stay free for sweep patterns and
``[`` for glob patterns. In a shell, quote such names (``'parts_m(...)_c.avg'``).

Every split of a name (tokens on ``_``, the run suffix on ``__``) happens at depth 0
only, so an embedded name is one token of its ensemble's name, whatever it contains.
Names nest at most :data:`~registry.limits.MAX_NAME_DEPTH` deep, checked (with the
pairing) before anything recurses into an embedded name.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import InvalidNameError
from registry.limits import MAX_NAME_DEPTH

OPEN, CLOSE = "(", ")"


@dataclass(frozen=True)
class NestedName:
    """Marks a ``str`` spec field as a token holding a whole model name::

        member: Annotated[str, NestedName(), Token("m", "member model name")]

    The value is parsed by the registry (any registered family), written as
    ``m(<canonical name>)`` and stored in its canonical form.
    """


def check_balance(name: str) -> None:
    """Refuse unpaired parentheses, pointing at the position of the first one, and names
    nested deeper than :data:`~registry.limits.MAX_NAME_DEPTH`."""
    depth = 0
    opened: list[int] = []
    for position, character in enumerate(name):
        if character == OPEN:
            depth += 1
            opened.append(position)
            if depth > MAX_NAME_DEPTH:
                raise InvalidNameError(
                    name,
                    f"'(' at position {position} nests names more than {MAX_NAME_DEPTH} deep",
                    token=OPEN,
                    expected=f"embedded names nested at most {MAX_NAME_DEPTH} deep",
                )
        elif character == CLOSE:
            depth -= 1
            if depth < 0:
                raise InvalidNameError(
                    name,
                    f"')' at position {position} closes nothing",
                    token=CLOSE,
                    expected="an embedded name written key(<name>)",
                )
            opened.pop()
    if depth:
        raise InvalidNameError(
            name,
            f"'(' at position {opened[-1]} is never closed",
            token=OPEN,
            expected="an embedded name written key(<name>)",
        )


def split_top(text: str, separator: str) -> list[str]:
    """``text.split(separator)``, splitting only outside parentheses."""
    pieces: list[str] = []
    depth = start = index = 0
    while index < len(text):
        character = text[index]
        if character == OPEN:
            depth += 1
        elif character == CLOSE:
            depth -= 1
        elif depth == 0 and text.startswith(separator, index):
            pieces.append(text[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    pieces.append(text[start:])
    return pieces


def partition_top(text: str, separator: str) -> tuple[str, str, str]:
    """``text.partition(separator)`` at the first separator outside parentheses."""
    pieces = split_top(text, separator)
    if len(pieces) == 1:
        return text, "", ""
    return pieces[0], separator, separator.join(pieces[1:])


def token_key(token: str) -> tuple[str, str]:
    """Split a token into its key and the rest: ``in.1.2`` -> ``(in, 1.2)``;
    ``m(cnn_...)`` -> ``(m, (cnn_...))``."""
    dot, paren = token.find("."), token.find(OPEN)
    if paren != -1 and (dot == -1 or paren < dot):
        return token[:paren], token[paren:]
    key, _, text = token.partition(".")
    return key, text


def unwrap(text: str) -> str | None:
    """The name inside ``(...)``, or ``None`` when ``text`` is not one parenthesised name."""
    if len(text) < 2 or text[0] != OPEN:
        return None
    depth = 0
    for position, character in enumerate(text):
        depth += (character == OPEN) - (character == CLOSE)
        if depth == 0:
            return text[1:-1] if position == len(text) - 1 else None
    return None
