"""Calibration: leads run sessions where several reviewers score the same calls blind (no engine
suggestion, no one else's ratings, no review history: while a session is open its members
cannot open its calls' review page, and nobody sees the ratings), then compare; and
engine-vs-human agreement over all reviewed calls.

Per criterion a session reports percent agreement, pairwise Cohen's kappa, Krippendorff's alpha
(nominal, missing ratings allowed) and the calls where reviewers differed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, select

from qa_analytics.errors import PermissionDenied, ReviewError
from qa_analytics.records import VERDICTS
from qa_analytics.review import agreement
from qa_analytics.review.auth import User, require
from qa_analytics.review.schema import (
    calibration_members,
    calibration_ratings,
    calibration_sessions,
    review_decisions,
    users,
)
from qa_analytics.store import repository, schema


def create_session(engine: Engine, user: User, name: str, call_ids: Sequence[str],
                   reviewers: Sequence[str]) -> int:
    require(user, "lead", "creating calibration sessions")
    call_ids = [c.strip() for c in call_ids if c.strip()]
    reviewers = sorted({r.strip() for r in reviewers if r.strip()})
    if not name.strip() or not call_ids or len(reviewers) < 2:
        raise ReviewError("a calibration session needs a name, at least one call and at least "
                          f"two reviewers; got {len(call_ids)} call(s), "
                          f"{len(reviewers)} reviewer(s)")
    with engine.begin() as conn:
        known = set(conn.execute(select(schema.results.c.call_id)
                                 .where(schema.results.c.call_id.in_(call_ids))).scalars())
        if missing := [c for c in call_ids if c not in known]:
            raise ReviewError(f"no scored result for call(s): {', '.join(missing)}")
        people = set(conn.execute(select(users.c.username).where(users.c.username.in_(reviewers))
                                  .where(users.c.active.is_(True))).scalars())
        if missing := [r for r in reviewers if r not in people]:
            raise ReviewError(f"no active user(s): {', '.join(missing)}")
        sid = int(conn.execute(calibration_sessions.insert().values(
            name=name.strip(), created_by=user.username, created_at=repository.now_iso(),
            closed=False)).inserted_primary_key[0])
        members = [("call", c) for c in dict.fromkeys(call_ids)] + [
            ("reviewer", r) for r in reviewers]
        conn.execute(calibration_members.insert(),
                     [{"session_id": sid, "kind": k, "value": v} for k, v in members])
    return sid


def _session(engine: Engine, sid: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(calibration_sessions).where(calibration_sessions.c.id == sid)
                           ).first()
        if not row:
            raise ReviewError(f"no calibration session {sid}")
        members = conn.execute(select(calibration_members.c.kind, calibration_members.c.value)
                               .where(calibration_members.c.session_id == sid)).all()
    return {**row._mapping, "calls": [v for k, v in members if k == "call"],
            "reviewers": [v for k, v in members if k == "reviewer"]}


def list_sessions(engine: Engine, user: User) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        ids = conn.execute(select(calibration_sessions.c.id)
                           .order_by(calibration_sessions.c.id.desc())).scalars().all()
    sessions = [_session(engine, i) for i in ids]
    return [s for s in sessions if user.can("lead") or user.username in s["reviewers"]]


def rating_view(engine: Engine, user: User, sid: int) -> dict[str, Any]:
    """What a member rates: calls and criterion ids, no suggestions, only their own ratings."""
    s = _session(engine, sid)
    if user.username not in s["reviewers"]:
        raise PermissionDenied(f"{user.username} is not a reviewer in calibration session {sid}")
    with engine.connect() as conn:
        t = calibration_ratings.c
        mine = conn.execute(select(t.call_id, t.criterion_id, t.verdict)
                            .where(t.session_id == sid)
                            .where(t.reviewer == user.username)).all()
    own = {(c, k): v for c, k, v in mine}
    calls = []
    for call_id in s["calls"]:
        result = repository.load_result(engine, call_id) or {}
        transcript = repository.load_transcript(engine, call_id)
        calls.append({"call_id": call_id, "utterances": [
            {"speaker": u.speaker, "text": u.text, "start_s": u.start_s}
            for u in (transcript.utterances if transcript else ())], "criteria": [
            {"id": c["id"], "section": c.get("section"), "verdict": own.get((call_id, c["id"]))}
            for c in result.get("criteria") or []]})
    return {"id": sid, "name": s["name"], "closed": s["closed"], "calls": calls}


def rate(engine: Engine, user: User, sid: int, call_id: str, ratings: Mapping[str, str]) -> None:
    s = _session(engine, sid)
    if user.username not in s["reviewers"]:
        raise PermissionDenied(f"{user.username} is not a reviewer in calibration session {sid}")
    if s["closed"]:
        raise ReviewError(f"calibration session {sid} is closed")
    if call_id not in s["calls"]:
        raise ReviewError(f"call {call_id!r} is not in calibration session {sid}")
    known = {c["id"] for c in (repository.load_result(engine, call_id) or {}).get("criteria", [])}
    for criterion, verdict in ratings.items():
        if criterion not in known:
            raise ReviewError(f"call {call_id} has no criterion {criterion!r}")
        if verdict not in VERDICTS:
            raise ReviewError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    t = calibration_ratings.c
    with engine.begin() as conn:
        for criterion, verdict in ratings.items():
            key = ((t.session_id == sid) & (t.call_id == call_id) & (t.criterion_id == criterion)
                   & (t.reviewer == user.username))
            conn.execute(calibration_ratings.delete().where(key))
            conn.execute(calibration_ratings.insert().values(
                session_id=sid, call_id=call_id, criterion_id=criterion, reviewer=user.username,
                verdict=verdict, rated_at=repository.now_iso()))


def close_session(engine: Engine, user: User, sid: int) -> None:
    require(user, "lead", "closing calibration sessions")
    _session(engine, sid)
    with engine.begin() as conn:
        conn.execute(calibration_sessions.update().where(calibration_sessions.c.id == sid)
                     .values(closed=True))


def session_report(engine: Engine, user: User, sid: int) -> dict[str, Any]:
    require(user, "lead", "seeing calibration results")
    s = _session(engine, sid)
    with engine.connect() as conn:
        rows = conn.execute(select(calibration_ratings)
                            .where(calibration_ratings.c.session_id == sid)).all()
    progress = {r: sum(1 for x in rows if x.reviewer == r) for r in s["reviewers"]}
    if not s["closed"]:
        # Ratings stay hidden until the session closes, so that a lead who also rates (or
        # tells reviewers) cannot be swayed by the others: the session stays blind.
        return {"id": sid, "name": s["name"], "closed": False, "calls": s["calls"],
                "reviewers": s["reviewers"], "progress": progress, "criteria": []}
    units: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        units[r.criterion_id][r.call_id][r.reviewer] = r.verdict
    criteria = []
    for criterion in sorted(units):
        by_call = units[criterion]
        unit_list = list(by_call.values())
        criteria.append({
            "criterion_id": criterion,
            "units": len(unit_list),
            "percent_agreement": agreement.percent_agreement(unit_list),
            "krippendorff_alpha": agreement.krippendorff_alpha_nominal(unit_list),
            "pairwise_kappa": [{"a": a, "b": b, "kappa": k} for (a, b), k
                               in agreement.pairwise_kappa(unit_list).items()],
            "disagreements": [{"call_id": cid, "ratings": dict(sorted(v.items()))}
                              for cid, v in sorted(by_call.items()) if len(set(v.values())) > 1],
        })
    return {"id": sid, "name": s["name"], "closed": s["closed"], "calls": s["calls"],
            "reviewers": s["reviewers"], "progress": progress, "criteria": criteria}


def blind_sessions(engine: Engine, username: str, call_id: str) -> list[int]:
    """Open sessions in which ``username`` rates ``call_id`` (the call page stays shut to them)."""
    m = calibration_members.c
    with engine.connect() as conn:
        return list(conn.execute(
            select(calibration_sessions.c.id)
            .where(calibration_sessions.c.closed.is_(False))
            .where(calibration_sessions.c.id.in_(
                select(m.session_id).where(m.kind == "call").where(m.value == call_id)))
            .where(calibration_sessions.c.id.in_(
                select(m.session_id).where(m.kind == "reviewer").where(m.value == username)))
        ).scalars())


def engine_vs_human(engine: Engine, user: User | None = None) -> list[dict[str, Any]]:
    """Per criterion: engine suggestion vs the latest human verdict, over all decided criteria.

    The confusion matrix has the engine's verdict as rows and the human's as columns, in the
    order met, not_met, na. ``user`` None means a trusted caller (the CLI).
    """
    if user is not None:
        require(user, "lead", "seeing engine-vs-human agreement")
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    with engine.connect() as conn:
        for d in conn.execute(select(review_decisions).order_by(review_decisions.c.call_id,
                                                                review_decisions.c.seq)):
            latest[(d.call_id, d.criterion_id)] = (d.suggested_verdict or "na", d.new_verdict)
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (_call, criterion), pair in latest.items():
        pairs[criterion].append(pair)
    out = []
    for criterion in sorted(pairs):
        ps = pairs[criterion]
        out.append({
            "criterion_id": criterion,
            "n": len(ps),
            "percent_agreement": sum(a == b for a, b in ps) / len(ps),
            "kappa": agreement.cohen_kappa([a for a, _ in ps], [b for _, b in ps]),
            "labels": list(VERDICTS),
            "confusion": agreement.confusion_matrix(ps, VERDICTS),
        })
    return out


def dumps(report: Any) -> str:
    return json.dumps(report, indent=2, sort_keys=True)
