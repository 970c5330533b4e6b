from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from qa_analytics.records import Call, Transcript, Utterance
from qa_analytics.store import database_url, open_database, repository, schema
from qa_analytics.store.migrations import applied, migrate

CALL = Call(call_id="c1", source="c1.wav", audio_sha256="a" * 64)
TRANSCRIPT = Transcript(call_id="c1", utterances=(Utterance("agent", "hello", 0.0, 1.0),),
                        duration_s=1.0, asr_model="tiny.en@x")


def test_migrations_apply_once(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "q.db")
    names = applied(engine)
    assert "0001_core" in names
    assert migrate(engine) == []  # nothing left to apply
    assert applied(open_database(tmp_path / "q.db")) == names


def test_database_url() -> None:
    assert database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert database_url("x.db").startswith("sqlite:////")


def test_transcript_roundtrip_and_done_state(db) -> None:  # type: ignore[no-untyped-def]
    repository.mark_pending(db, CALL, "s1")
    assert not repository.is_done(db, CALL, "s1")
    repository.save_transcript(db, CALL, TRANSCRIPT, "s1")
    assert repository.is_done(db, CALL, "s1")
    assert not repository.is_done(db, CALL, "other-settings")
    assert repository.load_transcript(db, "c1") == TRANSCRIPT
    found = repository.find_transcript_by_audio(db, "a" * 64, "s1")
    assert found and found[0] == "c1"
    repository.save_transcript(db, CALL, TRANSCRIPT, "s1")  # idempotent: still one row
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.transcripts)).scalar() == 1
    repository.mark_pending(db, CALL, "s1")  # pending after done does not undo the work
    assert repository.get_call(db, "c1")["status"] == "transcribed"


def test_failed_call_keeps_its_error(db) -> None:  # type: ignore[no-untyped-def]
    repository.mark_failed(db, CALL, "c1.wav: cannot decode audio")
    row = repository.get_call(db, "c1")
    assert row["status"] == "failed" and "cannot decode" in row["error"]
