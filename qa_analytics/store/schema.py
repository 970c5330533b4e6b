"""Database tables of the engine (SQLAlchemy Core).

Tables are created by named migrations (``migrations.py``), never by ``metadata.create_all``,
so an existing database is upgraded in place.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("applied_at", String(40), nullable=False),
)

# One row per call. status: pending -> transcribed -> scored, or failed (with error).
calls = Table(
    "calls",
    metadata,
    Column("call_id", String(200), primary_key=True),
    Column("source", Text, nullable=False),
    Column("customer_source", Text),
    Column("channels", String(40), nullable=False),
    Column("audio_sha256", String(64), index=True),
    Column("settings_hash", String(64)),
    Column("status", String(20), nullable=False),
    Column("error", Text),
    Column("duration_s", Float),
    Column("agent_id", String(200)),
    Column("team", String(200)),
    Column("queue", String(200)),
    Column("started_at", String(40)),
    Column("speakers_inferred", Boolean, nullable=False, default=False),
    Column("duplicate_of", String(200)),
    Column("updated_at", String(40), nullable=False),
)

transcripts = Table(
    "transcripts",
    metadata,
    Column("call_id", String(200), primary_key=True),
    Column("audio_sha256", String(64)),
    Column("settings_hash", String(64)),
    Column("asr_model", String(200)),
    Column("transcript_json", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)
Index("ix_transcripts_audio", transcripts.c.audio_sha256, transcripts.c.settings_hash)

# The engine's provisional result per call (latest scoring run); human decisions live in review.
results = Table(
    "results",
    metadata,
    Column("call_id", String(200), primary_key=True),
    Column("score", Float),
    Column("auto_fail", Boolean, nullable=False, default=False),
    Column("needs_review", Boolean, nullable=False, default=False),
    Column("scorecard_sha256", String(64)),
    Column("result_json", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revision", Integer, nullable=False, default=1),
)
