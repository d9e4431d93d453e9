"""The error type of :mod:`mura_core`: a user-facing problem with one clear message."""


class MuraError(Exception):
    """A problem with the user's input (a path, a flag, a data tree, a run folder).

    The CLI prints its message as one line on stderr and exits with status 2.
    """
