"""The error type of :mod:`mura_core`: a user-facing problem with one clear message."""


class MuraError(Exception):
    """A problem with the user's input (a path, a flag, a data tree, a run folder).

    The CLI prints its message as one line on stderr and exits with status 2.
    """


class InputProblems(MuraError):
    """Several problems found before any work started, one line each in ``problems``
    (the CLI prints each on its own line and exits with status 2)."""

    def __init__(self, problems: list[str], what: str = "problem") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} {what}{'s' * (count != 1)}: {self.problems[0]}")

    @staticmethod
    def line(name: str, error: BaseException) -> str:
        """``error``'s first line, prefixed by ``name`` unless it names it already."""
        text = str(error).strip()
        first = text.splitlines()[0] if text else repr(error)
        return first if name in first else f"{name}: {first}"
