"""Error types whose message is meant for the user (in Spanish).

Every error raised for bad input or bad usage carries a complete Spanish
message; the CLI prints it without a traceback and exits non-zero.
"""

from __future__ import annotations


class MirbookError(Exception):
    """Base class: ``str(error)`` is a complete Spanish message for the user."""

    exit_code = 1


class UsageError(MirbookError):
    """Bad command-line arguments (year, period, paths)."""

    exit_code = 2


class ParamsError(MirbookError):
    """The files in ``params/`` are missing keys or carry invalid values."""


class DataError(MirbookError):
    """An input file does not follow the data contract.

    ``problems`` holds one Spanish line per problem found; the message joins them.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
