"""Persistence: SQLite by default, any SQLAlchemy URL (PostgreSQL) by --db."""

from qa_analytics.store.db import database_url, open_database

__all__ = ["database_url", "open_database"]
