"""Parsed specs kept in memory per definition version: restoring a spec costs more than a step."""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import NotFoundError
from engine.persistence.models import ProcessDefinition
from engine.persistence.serializer import load_specs


class SpecCache:
    def __init__(self, sessions: sessionmaker[Session], capacity: int = 256) -> None:
        self._sessions = sessions
        self._capacity = capacity
        self._specs: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, definition_id: str) -> tuple:
        with self._lock:
            if definition_id in self._specs:
                self._specs.move_to_end(definition_id)
                return self._specs[definition_id]
        with self._sessions() as session:
            spec_json = session.scalar(
                select(ProcessDefinition.spec_json).where(ProcessDefinition.id == definition_id))
        if spec_json is None:
            raise NotFoundError(f"process definition '{definition_id}' does not exist")
        specs = load_specs(spec_json)
        with self._lock:
            self._specs[definition_id] = specs
            if len(self._specs) > self._capacity:
                self._specs.popitem(last=False)
        return specs
