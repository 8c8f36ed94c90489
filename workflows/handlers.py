"""Service-task handlers of the campaign processes, registered with the engine by topic."""
from __future__ import annotations

from engine import HandlerRegistry


def register_handlers(registry: HandlerRegistry) -> HandlerRegistry:
    """The composition point web/ and the CLI call; the campaign's topics are added here."""
    return registry
