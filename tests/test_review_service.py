"""Review service rules below the web layer: the final-score rule, the race-proof version
check, and that importing the package does not pull in the web stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa_analytics.errors import ConflictError, PermissionDenied, ReviewError
from qa_analytics.review import auth, demo, service
from qa_analytics.review.final import policy_of, recompute
from qa_analytics.review.queue import SamplePlan, build_queue
from qa_analytics.review.schema import review_decisions

C = [
    {"id": "greeting", "verdict": "met", "weight": 10, "critical": False},
    {"id": "disclosure", "verdict": "met", "weight": 30, "critical": True},
    {"id": "empathy", "verdict": "na", "weight": 20, "critical": False},
    {"id": "closing", "verdict": "not_met", "weight": 10, "critical": False},
]


@pytest.mark.parametrize(("human", "policy", "score", "auto_fail"), [
    ({}, "zero", 80.0, False),                                # 40 / 50 (empathy na left out)
    ({"empathy": "met"}, "zero", 85.71, False),               # 60 / 70
    ({"closing": "met"}, "zero", 100.0, False),
    ({"disclosure": "not_met"}, "keep", 20.0, True),          # 10 / 50, critical failed
    ({"disclosure": "not_met"}, "zero", 0.0, True),           # the default scorecard policy
    ({"greeting": "na", "disclosure": "na", "closing": "na"}, "zero", None, False),  # none apply
])
def test_recompute_follows_engine_rule(human: dict[str, str], policy: str, score: float | None,
                                       auto_fail: bool) -> None:
    got = recompute(C, human, policy)  # type: ignore[arg-type]
    assert got.score == (pytest.approx(score) if score is not None else None)
    assert got.auto_fail is auto_fail


def test_policy_inferred_from_engine_result() -> None:
    failed = [{**C[1], "verdict": "not_met"}] + [C[0]]
    assert policy_of({"auto_fail": True, "score": 0.0, "criteria": failed}) == "zero"
    assert policy_of({"auto_fail": True, "score": 25.0, "criteria": failed}) == "keep"
    assert policy_of({"auto_fail": False, "score": 80.0, "criteria": C}) == "zero"  # default


def test_recompute_matches_engine_scoring() -> None:
    # Same numbers through the scoring engineer's pure function, when it is importable.
    scoring = pytest.importorskip("qa_analytics.scoring")
    from qa_analytics.records import CriterionScore

    for human in ({}, {"empathy": "met"}, {"disclosure": "not_met"}):
        cs = [CriterionScore(c["id"], human.get(c["id"], c["verdict"]), 1.0, c["weight"],
                             c["critical"], "s", "") for c in C]
        assert scoring._weighted(cs) == pytest.approx(recompute(C, human, "keep").weighted,
                                                      abs=0.005)


@pytest.fixture()
def seeded(db, tmp_path: Path):  # type: ignore[no-untyped-def]
    demo.seed(db, tmp_path / "media", n_calls=4)
    lead = auth.add_user(db, "lead", "lead", "password1")
    rev = auth.add_user(db, "rev", "reviewer", "password1")
    return db, lead, rev


def test_race_on_same_version_is_a_conflict(seeded) -> None:  # type: ignore[no-untyped-def]
    db, lead, _rev = seeded
    # Simulate the other writer winning between our read and our insert: a row with seq 1
    # appears after the version check has passed. The unique (call_id, seq) turns it into a
    # conflict rather than two decisions claiming the same version.
    with db.begin() as conn:
        conn.execute(review_decisions.insert().values(
            call_id="c01", seq=1, criterion_id="greeting", reviewer="x", action="confirm",
            suggested_verdict="met", previous_verdict=None, new_verdict="met", reason=None,
            decided_at="2026-11-23T10:00:00+00:00"))
    original = service._check_version
    service._check_version = lambda *a: None  # type: ignore[assignment]
    try:
        with pytest.raises(ConflictError, match="changed by someone else"):
            service.decide(db, lead, "c01", 0, [service.Decision("greeting")])
    finally:
        service._check_version = original  # type: ignore[assignment]
    with pytest.raises(ConflictError, match="your version 0, now 1"):
        service.decide(db, lead, "c01", 0, [service.Decision("greeting")])


def test_reviewer_scope_and_queue(seeded) -> None:  # type: ignore[no-untyped-def]
    db, lead, rev = seeded
    with pytest.raises(PermissionDenied):
        service.call_view(db, rev, "c01")
    with pytest.raises(PermissionDenied):
        build_queue(db, rev, SamplePlan())
    summary = build_queue(db, lead, SamplePlan(margin=0.5, seed=0))
    assert summary["auto_fail"] == 1 and summary["low_confidence"] == 1
    assert service.call_view(db, rev, "c01")["queue_reason"] == "auto_fail"
    assert service.confirm_remaining(db, rev, "c01", 0)["status"] == "reviewed"
    with pytest.raises(ReviewError, match="already decided"):
        service.confirm_remaining(db, rev, "c01", 10)


def test_override_to_unknown_verdict_refused(seeded) -> None:  # type: ignore[no-untyped-def]
    db, lead, _ = seeded
    with pytest.raises(ReviewError, match="verdict must be one of"):
        service.decide(db, lead, "c02", 0, [service.Decision("greeting", "maybe", "why")])


def test_import_stays_light() -> None:
    code = ("import sys, qa_analytics, qa_analytics.review.service, qa_analytics.cli; "
            "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'jinja2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
