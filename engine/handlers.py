"""Service-task handlers by topic, and completion checks by name: `workflows/` registers them,
the engine calls them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    element_name: str | None = None
    # The instance whose call activity started this one (Camunda's super process instance).
    parent_instance_id: str | None = None
    # The engine's clock at the step, in the office's time zone: a handler that dates something
    # "today" agrees with the timers and due dates (and with a test's clock).
    now: datetime | None = None


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

# A property check says what is wrong with a camunda:property's value (None when it is right).
# The application registers one per property name it gives a meaning to; the deployment runs it
# on every element carrying that property, so a misspelt value is refused with the file, the
# element and the line before any instance meets it.
PropertyCheck = Callable[[str], "str | None"]


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._checks: dict[str, TaskCheck] = {}
        self._property_checks: dict[str, PropertyCheck] = {}

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

    def register_property_check(self, name: str, check: PropertyCheck) -> None:
        if name in self._property_checks:
            raise ValueError(f"a check of the property '{name}' is already registered")
        self._property_checks[name] = check

    def property_checks(self) -> dict[str, PropertyCheck]:
        return dict(self._property_checks)
