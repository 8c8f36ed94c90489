"""Service-task handlers by topic, and completion checks by name: `workflows/` registers them,
the engine calls them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

# A handler receives a read-only view of the process variables and returns the variables to set.
Handler = Callable[["ServiceTaskContext"], Mapping[str, Any] | None]


@dataclass(frozen=True)
class ServiceTaskContext:
    instance_id: str
    business_key: str | None
    definition_key: str
    element_id: str
    topic: str
    variables: Mapping[str, Any]
    properties: Mapping[str, str]


@dataclass(frozen=True)
class TaskCheckContext:
    """What a completion check sees: the task's data before the submission, and the submitted
    values already coerced by the task's form."""
    instance_id: str
    business_key: str | None
    definition_key: str
    element_id: str
    variables: Mapping[str, Any]
    values: Mapping[str, Any]
    properties: Mapping[str, str]


# A check raises engine.forms.FormValidationError to refuse a submission; nothing is written then.
# A user task names its checks in the camunda:property `check` (comma-separated), so rules that
# relate a submission to the process's own data (a date after another, a reason when returning)
# are refused as plain form errors are, whatever client completes the task.
TaskCheck = Callable[[TaskCheckContext], None]
CHECK_PROPERTY = "check"


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._checks: dict[str, TaskCheck] = {}

    def register(self, topic: str, handler: Handler) -> None:
        if topic in self._handlers:
            raise ValueError(f"a handler for topic '{topic}' is already registered")
        self._handlers[topic] = handler

    def handler(self, topic: str) -> Callable[[Handler], Handler]:
        """Decorator form of register()."""
        def decorate(func: Handler) -> Handler:
            self.register(topic, func)
            return func
        return decorate

    def get(self, topic: str) -> Handler | None:
        return self._handlers.get(topic)

    def topics(self) -> list[str]:
        return sorted(self._handlers)

    def register_check(self, name: str, check: TaskCheck) -> None:
        if name in self._checks:
            raise ValueError(f"a completion check named '{name}' is already registered")
        self._checks[name] = check

    def get_check(self, name: str) -> TaskCheck | None:
        return self._checks.get(name)
