"""Exceptions the engine raises to its callers (portal, REST API, CLI).

Each carries a message a process designer or an office user can act on; the
web layers map the classes onto HTTP status codes.
"""
from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class of every error the engine reports on purpose."""


class NotFoundError(EngineError):
    pass


class PermissionDeniedError(EngineError):
    pass


class ConflictError(EngineError):
    """Someone else changed the instance or task first (optimistic locking)."""


class InvalidStateError(EngineError):
    """The operation does not fit the object's state (task already completed, instance ended...)."""


class SuspendedEntityError(InvalidStateError):
    """The instance or definition is suspended: nothing of it moves until it is activated."""


class InvalidArgumentError(EngineError):
    """A value given to the engine is out of its allowed range or of the wrong kind."""


class DatabaseNotMigratedError(EngineError):
    pass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deployed file, located as precisely as we can."""

    file: str
    message: str
    element_id: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f", line {self.line}"
        if self.element_id:
            where += f", element '{self.element_id}'"
        return f"{where}: {self.message}"


class DeploymentError(EngineError):
    """A deployment was refused; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))
