"""The review rules on PostgreSQL (the store's cluster option). Runs only when
QA_ANALYTICS_TEST_POSTGRES names an empty scratch database, e.g.
``postgresql+psycopg://qa@127.0.0.1:55432/qa_review``; every table is dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from qa_analytics.errors import ConflictError
from qa_analytics.review import auth, calibration, demo, service
from qa_analytics.review.queue import SamplePlan, build_queue

URL = os.environ.get("QA_ANALYTICS_TEST_POSTGRES")
pytestmark = pytest.mark.skipif(not URL, reason="set QA_ANALYTICS_TEST_POSTGRES to a scratch db")


@pytest.fixture()
def pg(tmp_path: Path) -> Iterator[Engine]:
    pytest.importorskip("psycopg")
    from qa_analytics.store import open_database
    from qa_analytics.store.schema import metadata

    engine = open_database(URL)  # type: ignore[arg-type]
    demo.seed(engine, tmp_path / "media", n_calls=6)
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS review_decisions_no_change ON review_decisions"))
        conn.execute(text("DROP FUNCTION IF EXISTS review_decisions_append_only()"))
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS schema_migrations"))
    engine.dispose()


def test_review_flow_on_postgres(pg: Engine, tmp_path: Path) -> None:
    lead = auth.add_user(pg, "lead", "lead", "password123")
    rev = auth.add_user(pg, "rev", "reviewer", "password123")
    assert auth.login(pg, "rev", "password123", "127.0.0.1").user.username == "rev"
    s = build_queue(pg, lead, SamplePlan(margin=0.01, seed=1))
    assert (s["auto_fail"], s["low_confidence"], s["added"]) == (1, 1, 6)
    rows = service.list_calls(pg, rev, date_from="2026-11-16", date_to="2026-11-16")
    assert [r["call_id"] for r in rows] == ["c01", "c06"]
    service.decide(pg, rev, "c03", 0, [service.Decision("greeting", "not_met", "no greeting")])
    with pytest.raises(ConflictError):
        service.decide(pg, lead, "c03", 0, [service.Decision("greeting")])
    summary = service.confirm_remaining(pg, rev, "c03", 1)
    assert summary["final_score"] == pytest.approx(89.47)
    for sql in ("UPDATE review_decisions SET new_verdict = 'na'", "DELETE FROM review_decisions"):
        with pytest.raises(Exception, match="append-only"), pg.begin() as conn:
            conn.execute(text(sql))
    sid = calibration.create_session(pg, lead, "pg", ["c04"], ["rev", "lead"])
    calibration.rate(pg, rev, sid, "c04", {"greeting": "met"})
    calibration.rate(pg, lead, sid, "c04", {"greeting": "not_met"})
    calibration.close_session(pg, lead, sid)
    (g,) = calibration.session_report(pg, lead, sid)["criteria"]
    assert g["percent_agreement"] == 0.0
    from qa_analytics.reports.export import export

    assert export(pg, tmp_path / "x")["rows"]["decisions.csv"] == 10
