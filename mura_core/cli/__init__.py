"""The ``mura`` command line.

Its commands are plugins: each is registered through the ``register_commands`` hook
(:mod:`mura_core.cli.commands` registers the built-in ones, a third-party package its
own) as a name and an ``add(subparsers)`` that adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit status. Command modules
import TensorFlow only inside the commands that need it, so ``mura --help``,
``mura models list`` and ``mura plugins`` start instantly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

USAGE_ERROR = 2
INTERNAL_ERROR = 1


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the ``mura`` argument parser with every registered command (only the
    command ``argv`` runs, when it is a built-in one).

    Raises:
        PluginError: in strict mode (``MURA_STRICT_PLUGINS=1``), a plugin's mistake.
        MuraError: no command is registered.
    """
    from mura_core.cli.flags import document_limits
    from mura_core.cli.registered import add_commands
    from registry import __version__

    parser = argparse.ArgumentParser(
        prog="mura",
        description="Named, reproducible models for abnormality detection on MURA bone X-rays.",
    )
    parser.add_argument("--version", action="version", version=f"mura {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = next(iter(argv), None) if argv else None
    add_commands(subparsers, wanted)
    document_limits(parser)  # every numeric flag's help states its range
    return parser


def one_line(error: BaseException | str, limit: int = 400) -> str:
    """An error's message as one line, shortened to ``limit`` characters.

    The package's own messages are one line by design: a line break or other control
    character in one comes from a value the user gave, and is shown escaped (``\\n``).
    Of any other error's message, the first line.
    """
    from mura_core.errors import MuraError
    from registry.errors import RegistryError

    if isinstance(error, (str, MuraError, RegistryError)):
        text = escape_controls(str(error).strip()) or type(error).__name__
    else:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        text = escape_controls(lines[0]) if lines else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def escape_controls(text: str) -> str:
    """``text`` with every control character written as its escape (``\\n``, ``\\x00``)."""
    return "".join(
        char if char.isprintable() or char == " " else repr(char)[1:-1] for char in text
    )


def print_error(error: BaseException | str) -> None:
    """Print ``mura: error: ...`` (one line) on standard error."""
    print(f"mura: error: {one_line(error)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status.

    User errors print one line on stderr and return 2; any other failure prints one line
    naming the exception and returns 1 (``MURA_DEBUG=1`` shows the traceback instead).
    """
    from mura_core.cli import quiet
    from mura_core.cli.flags import check_flags, check_text
    from mura_core.errors import MuraError
    from registry.errors import RegistryError

    quiet.install()  # TensorFlow's native start-up chatter stays off stderr
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(argv)
    except (MuraError, RegistryError) as error:
        print_error(error)
        return USAGE_ERROR
    args = parser.parse_args(argv)
    if not callable(getattr(args, "func", None)):
        print_error(f"command {args.command!r} sets no func to run (a plugin's mistake)")
        return INTERNAL_ERROR
    try:
        check_text(args)
        check_flags(args)
        return int(args.func(args) or 0)
    except (MuraError, RegistryError) as error:
        for problem in getattr(error, "problems", None) or [error]:  # InputProblems: each
            print_error(problem)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("mura: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as error:  # a file or folder the user named, or the disk
        print_error(error)
        return USAGE_ERROR
    except Exception as error:
        if os.environ.get("MURA_DEBUG"):
            raise
        print(
            f"mura: error: unexpected {type(error).__name__}: {one_line(error)} "
            "(set MURA_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
