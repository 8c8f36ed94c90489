"""Persistence: the tables, the database connection, schema migrations, the instance store,
the workflow serializer, the spec cache and the prepared raw SQL of the hot path."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "Base": "models",
    "make_engine": "db",
    "ENGINE_MIGRATIONS": "schema",
    "SchemaMigrations": "schema",
    "SpecCache": "spec_cache",
    "PreparedStatement": "raw_sql",
})
