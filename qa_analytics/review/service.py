"""The review service: what a reviewer sees of a call, confirm / override with reason, the
append-only audit trail, and the final score recomputed from human verdicts.

Concurrency is optimistic. A call's *version* is the number of decisions recorded for it; the
client sends the version it loaded, and a save against an older version is refused with
ConflictError (HTTP 409) instead of silently replacing someone else's decision. The unique
``(call_id, seq)`` constraint makes the check hold even when two saves race.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from qa_analytics.errors import ConflictError, PermissionDenied, ReviewError
from qa_analytics.records import VERDICTS, transcript_to_dict
from qa_analytics.review.auth import User
from qa_analytics.review.final import policy_of, recompute
from qa_analytics.review.schema import calibration_members, review_decisions, review_queue
from qa_analytics.store import repository, schema


@dataclass(frozen=True, slots=True)
class Decision:
    """One requested change: ``verdict`` None means confirm the suggested verdict."""

    criterion_id: str
    verdict: str | None = None
    reason: str | None = None


def _history(conn: Connection, call_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(review_decisions).where(review_decisions.c.call_id == call_id)
                        .order_by(review_decisions.c.seq)).all()
    return [{k: v for k, v in r._mapping.items() if k != "id"} for r in rows]


def _histories(conn: Connection, call_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Decisions of many calls in a few queries (a queue page lists hundreds of calls)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for i in range(0, len(call_ids), 500):  # stay under the drivers' bound-parameter limits
        rows = conn.execute(select(review_decisions)
                            .where(review_decisions.c.call_id.in_(call_ids[i:i + 500]))
                            .order_by(review_decisions.c.call_id, review_decisions.c.seq))
        for r in rows:
            out.setdefault(r.call_id, []).append(
                {k: v for k, v in r._mapping.items() if k != "id"})
    return out


def _result(conn: Connection, call_id: str) -> dict[str, Any]:
    row = conn.execute(select(schema.results.c.result_json)
                       .where(schema.results.c.call_id == call_id)).first()
    if not row:
        raise ReviewError(f"no scored result for call {call_id!r}")
    return json.loads(row[0])


def _revision(conn: Connection, call_id: str) -> int:
    """How many times the engine has (re)scored the call; suggestions change with it."""
    return int(conn.execute(select(schema.results.c.revision)
                            .where(schema.results.c.call_id == call_id)).scalar() or 0)


def _in_queue(conn: Connection, call_id: str) -> bool:
    return conn.execute(select(review_queue.c.id).where(review_queue.c.call_id == call_id)
                        ).first() is not None


def check_access(engine: Engine, user: User, call_id: str, *,
                 calibration: bool = False) -> None:
    """Reviewers see calls in the review queue; leads and admins see every result.

    ``calibration``: also allow a reviewer who rates the call in a calibration session (for
    the recording and transcript only, never the engine's suggestions).
    """
    if not calibration:
        from qa_analytics.review.calibration import blind_sessions

        if open_ := blind_sessions(engine, user.username, call_id):
            raise PermissionDenied(
                f"call {call_id!r} is in your open calibration session {open_[0]}; its review "
                "page opens when the session closes, so that your rating stays blind")
    if user.can("lead"):
        return
    with engine.connect() as conn:
        if _in_queue(conn, call_id):
            return
        if calibration and conn.execute(
            select(calibration_members.c.session_id)
            .where(calibration_members.c.kind == "call")
            .where(calibration_members.c.value == call_id)
            .where(calibration_members.c.session_id.in_(
                select(calibration_members.c.session_id)
                .where(calibration_members.c.kind == "reviewer")
                .where(calibration_members.c.value == user.username)))
        ).first():
            return
    raise PermissionDenied(f"call {call_id!r} is not in the review queue; "
                           "only leads can open calls outside it")


def recording(engine: Engine, user: User, call_id: str, leg: str = "agent") -> str | None:
    """The recording path of a call's leg (``customer`` is the second leg of two-leg calls)."""
    check_access(engine, user, call_id, calibration=True)
    call = repository.get_call(engine, call_id)
    if call is None:
        raise ReviewError(f"no call {call_id!r}")
    return call["customer_source"] if leg == "customer" else call["source"]


def current_verdicts(history: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Latest human verdict per criterion (the trail is in ``seq`` order)."""
    return {d["criterion_id"]: d["new_verdict"] for d in history}


def summarise(result: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Final score and review status of one call from its result record and decisions."""
    human = current_verdicts(history)
    criteria = result.get("criteria") or []
    final = recompute(criteria, human, policy_of(result))
    decided = sum(1 for c in criteria if c["id"] in human)
    status = ("reviewed" if criteria and decided == len(criteria)
              else "in_review" if decided else "unreviewed")
    return {
        "status": status,
        "decided": decided,
        "criteria_total": len(criteria),
        "version": len(history),
        # Only a fully reviewed call has a final score; before that it is a preview.
        "final_score": final.score if status == "reviewed" else None,
        "final_auto_fail": final.auto_fail if status == "reviewed" else None,
        "preview_score": final.score,
        "preview_auto_fail": final.auto_fail,
        "reviewers": sorted({d["reviewer"] for d in history}),
    }


def call_view(engine: Engine, user: User, call_id: str) -> dict[str, Any]:
    """Everything the call page and ``review show`` need, in one read."""
    check_access(engine, user, call_id)
    with engine.connect() as conn:
        result = _result(conn, call_id)
        revision = _revision(conn, call_id)
        history = _history(conn, call_id)
        queued = conn.execute(select(review_queue.c.reason)
                              .where(review_queue.c.call_id == call_id)).scalar()
    call = repository.get_call(engine, call_id) or {}
    transcript = repository.load_transcript(engine, call_id)
    human = current_verdicts(history)
    criteria = [
        {**c, "suggested_verdict": c["verdict"],
         "current_verdict": human.get(c["id"], c["verdict"]), "decided": c["id"] in human}
        for c in result.get("criteria") or []
    ]
    return {
        "call_id": call_id,
        "call": {k: call.get(k) for k in ("source", "customer_source", "channels", "agent_id",
                                          "team", "queue", "started_at", "duration_s")},
        "queue_reason": queued,
        "engine": {k: result.get(k) for k in ("score", "auto_fail", "needs_review",
                                              "review_reasons", "versions", "metrics")},
        "criteria": criteria,
        "transcript": transcript_to_dict(transcript) if transcript else None,
        "history": history,
        "result_revision": revision,
        **summarise(result, history),
    }


def decide(engine: Engine, user: User, call_id: str, version: int,
           decisions: Sequence[Decision], *, result_revision: int | None = None
           ) -> dict[str, Any]:
    """Record confirm/override decisions atomically against ``version``; returns the summary.

    ``result_revision`` (from ``call_view``), when given, must also be current: if the engine
    re-scored the call since the page was loaded, the suggestions shown are no longer the
    ones being confirmed.
    """
    check_access(engine, user, call_id)
    if not decisions:
        raise ReviewError("nothing to save: give at least one criterion to confirm or override")
    now = repository.now_iso()
    try:
        with engine.begin() as conn:
            result = _result(conn, call_id)
            history = _history(conn, call_id)
            _check_version(call_id, version, history)
            now_revision = _revision(conn, call_id)
            if result_revision is not None and result_revision != now_revision:
                raise ConflictError(
                    f"the engine re-scored call {call_id} since you loaded it (result revision "
                    f"{result_revision}, now {now_revision}); reload to see the new suggestions")
            by_id = {c["id"]: c for c in result.get("criteria") or []}
            human = current_verdicts(history)
            rows = []
            for i, d in enumerate(decisions, start=1):
                rows.append(_row(call_id, by_id, human, d, user, version + i, now))
                human[d.criterion_id] = rows[-1]["new_verdict"]
            conn.execute(review_decisions.insert(), rows)
            history = history + rows
    except IntegrityError as exc:  # another save took the same seq between our read and write
        raise ConflictError(
            f"call {call_id} was changed by someone else while saving; reload and try again"
        ) from exc
    return summarise(result, history)


def _check_version(call_id: str, version: int, history: Sequence[Mapping[str, Any]]) -> None:
    if version == len(history):
        return
    newer = history[version:] if 0 <= version < len(history) else []
    who = ", ".join(sorted({f"{d['reviewer']} ({d['criterion_id']}: {d['new_verdict']})"
                            for d in newer}))
    raise ConflictError(
        f"call {call_id} changed since you loaded it (your version {version}, now "
        f"{len(history)}{'; by ' + who if who else ''}); reload to see the latest decisions, "
        "then save again")


def _row(call_id: str, by_id: Mapping[str, Mapping[str, Any]], human: Mapping[str, str],
         d: Decision, user: User, seq: int, now: str) -> dict[str, Any]:
    criterion = by_id.get(d.criterion_id)
    if criterion is None:
        raise ReviewError(f"call {call_id} has no criterion {d.criterion_id!r}; "
                          f"expected one of {', '.join(by_id)}")
    suggested = criterion["verdict"]
    reason = (d.reason or "").strip() or None
    if d.verdict is None or d.verdict == suggested:
        action, new = "confirm", suggested
    else:
        if d.verdict not in VERDICTS:
            raise ReviewError(f"verdict must be one of {', '.join(VERDICTS)}, got {d.verdict!r}")
        if not reason:
            raise ReviewError(f"overriding {d.criterion_id} from {suggested} to {d.verdict} "
                              "needs a reason")
        action, new = "override", d.verdict
    return {"call_id": call_id, "seq": seq, "criterion_id": d.criterion_id,
            "reviewer": user.username, "action": action, "suggested_verdict": suggested,
            "previous_verdict": human.get(d.criterion_id), "new_verdict": new,
            "reason": reason, "decided_at": now}


def confirm_remaining(engine: Engine, user: User, call_id: str, version: int, *,
                      result_revision: int | None = None) -> dict[str, Any]:
    """Confirm the suggested verdict of every criterion nobody has decided yet."""
    check_access(engine, user, call_id)
    with engine.connect() as conn:
        result = _result(conn, call_id)
        human = current_verdicts(_history(conn, call_id))
    remaining = [Decision(c["id"]) for c in result.get("criteria") or [] if c["id"] not in human]
    if not remaining:
        raise ReviewError(f"every criterion of call {call_id} is already decided")
    return decide(engine, user, call_id, version, remaining, result_revision=result_revision)


def history(engine: Engine, user: User, call_id: str) -> list[dict[str, Any]]:
    check_access(engine, user, call_id)
    with engine.connect() as conn:
        return _history(conn, call_id)


def list_calls(engine: Engine, user: User, *, queued_only: bool = True, status: str = "pending",
               date_from: str | None = None, date_to: str | None = None,
               agent: str | None = None, team: str | None = None, queue: str | None = None,
               reason: str | None = None) -> list[dict[str, Any]]:
    """Queue (or, for leads, all results) with filters; ``status``: pending | reviewed | all.

    Dates compare against ``calls.started_at`` (ISO text), ``date_to`` inclusive of that day.
    """
    if not queued_only and not user.can("lead"):
        raise PermissionDenied(f"seeing all results needs the lead role; {user.username} "
                               f"is a {user.role}")
    if status not in ("pending", "reviewed", "all"):
        raise ReviewError(f"status must be pending, reviewed or all, got {status!r}")
    c, r, q = schema.calls, schema.results, review_queue
    stmt = (select(c.c.call_id, c.c.agent_id, c.c.team, c.c.queue, c.c.started_at,
                   r.c.score, r.c.auto_fail, r.c.result_json, q.c.reason)
            .join(r, r.c.call_id == c.c.call_id)
            .join(q, q.c.call_id == c.c.call_id, isouter=not queued_only)
            .order_by(c.c.started_at, c.c.call_id))
    for column, value in ((c.c.agent_id, agent), (c.c.team, team), (c.c.queue, queue),
                          (q.c.reason, reason)):
        if value:
            stmt = stmt.where(column == value)
    if date_from:
        stmt = stmt.where(c.c.started_at >= date_from)
    if date_to:
        stmt = stmt.where(c.c.started_at < date_to + "\uffff")
    out = []
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
        histories = _histories(conn, [row.call_id for row in rows])
        for row in rows:
            hist = histories.get(row.call_id, [])
            summary = summarise(json.loads(row.result_json), hist)
            if status == "pending" and summary["status"] == "reviewed":
                continue
            if status == "reviewed" and summary["status"] != "reviewed":
                continue
            out.append({"call_id": row.call_id, "agent_id": row.agent_id, "team": row.team,
                        "queue": row.queue, "started_at": row.started_at,
                        "engine_score": row.score, "engine_auto_fail": bool(row.auto_fail),
                        "queue_reason": row.reason, **summary})
    return out
