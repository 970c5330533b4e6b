"""Named, transactional schema migrations, applied in order, each once.

To change the schema, append a new ``(name, function)`` pair; never edit an applied one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select

from qa_analytics.store import schema

Migration = tuple[str, Callable[[Connection], None]]


def _m0001_core(conn: Connection) -> None:
    for table in (schema.calls, schema.transcripts, schema.results):
        table.create(conn)


MIGRATIONS: list[Migration] = [
    ("0001_core", _m0001_core),
]


def register(name: str, function: Callable[[Connection], None]) -> None:
    """Add a migration from another module (e.g. the review app); names must be unique."""
    if any(existing == name for existing, _ in MIGRATIONS):
        return
    MIGRATIONS.append((name, function))


def applied(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        if not inspect(conn).has_table("schema_migrations"):
            return []
        return [r[0] for r in conn.execute(select(schema.schema_migrations.c.name))]


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations; return the names applied now."""
    _load_plugin_migrations()
    done = set(applied(engine))
    newly: list[str] = []
    with engine.begin() as conn:
        if not inspect(conn).has_table("schema_migrations"):
            schema.schema_migrations.create(conn)
    for name, function in sorted(MIGRATIONS):
        if name in done:
            continue
        with engine.begin() as conn:
            function(conn)
            conn.execute(
                schema.schema_migrations.insert().values(
                    name=name, applied_at=datetime.now(UTC).isoformat(timespec="seconds")
                )
            )
        newly.append(name)
    return newly


def _load_plugin_migrations() -> None:
    # Modules that own tables register their migrations on import.
    import importlib

    for module in ("qa_analytics.review.schema",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
