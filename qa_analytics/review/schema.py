"""Tables of the review app (SQLAlchemy Core), created by migration ``0002_review``.

``review_decisions`` is append-only: the service only inserts, and (on SQLite and PostgreSQL)
triggers refuse UPDATE and DELETE so that the audit trail cannot be rewritten by accident. The
unique ``(call_id, seq)`` pair is the optimistic-concurrency guard: two reviewers saving against the
same loaded version both try to insert the same ``seq`` and the later one fails.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from qa_analytics.store import migrations
from qa_analytics.store.schema import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
)

# Server-side sessions: the cookie holds a random token; only its SHA-256 is stored, so a
# leaked database does not leak live sessions. Each session has its own CSRF token.
sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("client", String(100), nullable=False),
    Column("success", Boolean, nullable=False),
    Column("attempted_at", String(40), nullable=False),
)
Index("ix_login_attempts_user", login_attempts.c.username, login_attempts.c.attempted_at)

review_decisions = Table(
    "review_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(200), nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2, ... per call; the call's version after it
    Column("criterion_id", String(200), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("action", String(20), nullable=False),  # confirm | override
    Column("suggested_verdict", String(20)),
    Column("previous_verdict", String(20)),
    Column("new_verdict", String(20), nullable=False),
    Column("reason", Text),
    Column("decided_at", String(40), nullable=False),
    UniqueConstraint("call_id", "seq", name="uq_review_decisions_call_seq"),
)

review_queue = Table(
    "review_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(200), nullable=False, unique=True),
    Column("reason", String(100), nullable=False),  # auto_fail | low_confidence | random | ...
    Column("sample_id", String(40), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", String(40), nullable=False),
)

calibration_sessions = Table(
    "calibration_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
)

calibration_members = Table(
    "calibration_members",
    metadata,
    Column("session_id", Integer, ForeignKey("calibration_sessions.id"), primary_key=True),
    Column("kind", String(10), primary_key=True),  # call | reviewer
    Column("value", String(200), primary_key=True),  # call_id or username
)

calibration_ratings = Table(
    "calibration_ratings",
    metadata,
    Column("session_id", Integer, ForeignKey("calibration_sessions.id"), primary_key=True),
    Column("call_id", String(200), primary_key=True),
    Column("criterion_id", String(200), primary_key=True),
    Column("reviewer", String(100), primary_key=True),
    Column("verdict", String(20), nullable=False),
    Column("rated_at", String(40), nullable=False),
)

TABLES = (users, sessions, login_attempts, review_decisions, review_queue,
          calibration_sessions, calibration_members, calibration_ratings)



def _m0002_review(conn: Connection) -> None:
    for table in TABLES:
        table.create(conn)
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(text(
                f"CREATE TRIGGER review_decisions_no_{op.lower()} BEFORE {op} ON review_decisions "
                "BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END"
            ))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(
            "CREATE FUNCTION review_decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'review_decisions is append-only'; END $$"))
        conn.execute(text(
            "CREATE TRIGGER review_decisions_no_change BEFORE UPDATE OR DELETE ON "
            "review_decisions FOR EACH ROW EXECUTE FUNCTION review_decisions_append_only()"))


migrations.register("0002_review", _m0002_review)
