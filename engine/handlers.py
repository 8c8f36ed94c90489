"""Service-task handlers by topic: `workflows/` registers them, the engine calls them."""
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


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

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
