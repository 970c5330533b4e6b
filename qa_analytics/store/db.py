"""Opening the database: a SQLite path or any SQLAlchemy URL, migrated on open."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from qa_analytics.errors import StoreError


def database_url(target: str | Path) -> str:
    """Turn a file path into a SQLite URL; pass URLs (``scheme://...``) through."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    # WAL: readers (the web app) never block the single writer; a crash loses no committed call.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def open_database(target: str | Path, *, migrate: bool = True) -> Engine:
    url = database_url(target)
    try:
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        if migrate:
            from qa_analytics.store.migrations import migrate as run_migrations

            run_migrations(engine)
    except StoreError:
        raise
    except Exception as exc:  # SQLAlchemy and driver errors: say which database
        raise StoreError(f"cannot open database {url}: {exc}") from exc
    return engine
