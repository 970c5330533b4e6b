"""Reading and writing calls, transcripts and results. One transaction per call, so a crash
loses at most the calls in flight and a re-run finds everything committed before it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from qa_analytics.records import (
    Call,
    ProvisionalScore,
    Transcript,
    score_to_dict,
    transcript_from_dict,
    transcript_to_dict,
)
from qa_analytics.store import schema


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _upsert(conn, table, key: str, values: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    # Portable upsert (SQLite and PostgreSQL): update, and insert when nothing was there.
    updated = conn.execute(
        table.update().where(table.c[key] == values[key]).values(**values)
    ).rowcount
    if not updated:
        conn.execute(table.insert().values(**values))


def _call_values(call: Call, **extra: Any) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "source": call.source,
        "customer_source": call.customer_source,
        "channels": call.channels,
        "audio_sha256": call.audio_sha256 or None,
        "agent_id": call.agent_id,
        "team": call.team,
        "queue": call.queue,
        "started_at": call.started_at,
        "updated_at": now_iso(),
        **extra,
    }


def get_call(engine: Engine, call_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(schema.calls).where(schema.calls.c.call_id == call_id)).first()
    return dict(row._mapping) if row else None


def list_calls(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.calls).order_by(schema.calls.c.call_id)).all()
    return [dict(r._mapping) for r in rows]


def mark_pending(engine: Engine, call: Call, settings_hash: str) -> None:
    """Record a call as pending unless it is already done with the same audio and settings."""
    with engine.begin() as conn:
        row = conn.execute(
            select(schema.calls.c.status, schema.calls.c.audio_sha256,
                   schema.calls.c.settings_hash).where(schema.calls.c.call_id == call.call_id)
        ).first()
        if row and row.status in ("transcribed", "scored") and (
            row.audio_sha256 == call.audio_sha256 and row.settings_hash == settings_hash
        ):
            return
        _upsert(conn, schema.calls, "call_id",
                _call_values(call, status="pending", error=None, settings_hash=settings_hash))


def mark_failed(engine: Engine, call: Call, error: str, settings_hash: str | None = None) -> None:
    with engine.begin() as conn:
        _upsert(conn, schema.calls, "call_id",
                _call_values(call, status="failed", error=error, settings_hash=settings_hash))


def is_done(engine: Engine, call: Call, settings_hash: str) -> bool:
    row = get_call(engine, call.call_id)
    return bool(
        row
        and row["status"] in ("transcribed", "scored")
        and row["audio_sha256"] == (call.audio_sha256 or None)
        and row["settings_hash"] == settings_hash
    )


def find_transcript_by_audio(
    engine: Engine, audio_sha256: str, settings_hash: str
) -> tuple[str, Transcript] | None:
    """A transcript already made from the same audio with the same settings, if any."""
    with engine.connect() as conn:
        row = conn.execute(
            select(schema.transcripts.c.call_id, schema.transcripts.c.transcript_json)
            .where(schema.transcripts.c.audio_sha256 == audio_sha256)
            .where(schema.transcripts.c.settings_hash == settings_hash)
            .limit(1)
        ).first()
    if not row:
        return None
    return row.call_id, transcript_from_dict(json.loads(row.transcript_json), "database")


def save_transcript(
    engine: Engine,
    call: Call,
    transcript: Transcript,
    settings_hash: str,
    duplicate_of: str | None = None,
) -> None:
    """Store the transcript and mark the call transcribed, in one transaction."""
    with engine.begin() as conn:
        _upsert(conn, schema.transcripts, "call_id", {
            "call_id": call.call_id,
            "audio_sha256": call.audio_sha256 or None,
            "settings_hash": settings_hash,
            "asr_model": transcript.asr_model,
            "transcript_json": json.dumps(transcript_to_dict(transcript)),
            "created_at": now_iso(),
        })
        _upsert(conn, schema.calls, "call_id", _call_values(
            call,
            status="transcribed",
            error=None,
            settings_hash=settings_hash,
            duration_s=transcript.duration_s,
            speakers_inferred=transcript.speakers_inferred,
            duplicate_of=duplicate_of,
        ))


def load_transcript(engine: Engine, call_id: str) -> Transcript | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(schema.transcripts.c.transcript_json)
            .where(schema.transcripts.c.call_id == call_id)
        ).first()
    return transcript_from_dict(json.loads(row[0]), "database") if row else None


def save_result(engine: Engine, result: ProvisionalScore, *, call: Call | None = None) -> None:
    """Store a provisional result and mark the call scored (or failed), in one transaction."""
    record = score_to_dict(result)
    with engine.begin() as conn:
        existing = conn.execute(
            select(schema.results.c.revision).where(schema.results.c.call_id == result.call_id)
        ).first()
        _upsert(conn, schema.results, "call_id", {
            "call_id": result.call_id,
            "score": result.score,
            "auto_fail": result.auto_fail,
            "needs_review": result.needs_review,
            "scorecard_sha256": result.versions.get("scorecard_sha256"),
            "result_json": json.dumps(record),
            "created_at": now_iso(),
            "revision": (existing.revision + 1) if existing else 1,
        })
        status = "scored" if result.status == "scored" else "failed"
        row = conn.execute(
            select(schema.calls.c.call_id).where(schema.calls.c.call_id == result.call_id)
        ).first()
        if row:
            conn.execute(schema.calls.update().where(schema.calls.c.call_id == result.call_id)
                         .values(status=status, error=result.error, updated_at=now_iso()))
        else:
            base = call or Call(call_id=result.call_id, source=result.source or "",
                                channels="mono")
            conn.execute(schema.calls.insert().values(
                **_call_values(base, status=status, error=result.error)))


def load_result(engine: Engine, call_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(schema.results.c.result_json).where(schema.results.c.call_id == call_id)
        ).first()
    return json.loads(row[0]) if row else None


def iter_results(engine: Engine) -> Iterator[dict[str, Any]]:
    with engine.connect() as conn:
        for row in conn.execute(
            select(schema.results.c.result_json).order_by(schema.results.c.call_id)
        ):
            yield json.loads(row[0])
