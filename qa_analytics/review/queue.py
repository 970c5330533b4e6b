"""Building review queues: every auto-fail and low-confidence call, plus a random or stratified
sample of the other scored calls, sized by ``sampling.sample_size`` for a stated confidence
level and margin of error.

The sample size is computed over the population the sample stands for: scored calls in the
date range that are neither auto-fail nor low-confidence (those are reviewed in full) and not
already queued. Draws are reproducible with ``seed``.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from qa_analytics.errors import ReviewError
from qa_analytics.review.auth import User, require
from qa_analytics.review.sampling import draw, sample_size
from qa_analytics.review.schema import review_queue
from qa_analytics.store import repository, schema

STRATA = ("agent", "team", "queue")


@dataclass(frozen=True, slots=True)
class SamplePlan:
    confidence: float = 0.95
    margin: float = 0.05
    method: str = "random"  # random | stratified
    stratify_by: str = "agent"  # agent | team | queue (stratified only)
    low_confidence: float = 0.6  # a criterion below this confidence puts the call in review
    date_from: str | None = None
    date_to: str | None = None
    seed: int | None = None


def _risk(result: dict[str, Any], threshold: float) -> str | None:
    if result.get("auto_fail"):
        return "auto_fail"
    if any(str(r).startswith("low_confidence") for r in result.get("review_reasons") or ()):
        return "low_confidence"
    if any(float(c.get("confidence", 1.0)) < threshold and c.get("verdict") != "na"
           for c in result.get("criteria") or ()):
        return "low_confidence"
    return None


def build_queue(engine: Engine, user: User, plan: SamplePlan) -> dict[str, Any]:
    """Add calls to the review queue by ``plan``; returns counts and the sample size used."""
    require(user, "lead", "building review queues")
    if plan.method not in ("random", "stratified"):
        raise ReviewError(f"method must be random or stratified, got {plan.method!r}")
    if plan.stratify_by not in STRATA:
        raise ReviewError(
            f"stratify by must be one of {', '.join(STRATA)}, got {plan.stratify_by!r}")
    c, r = schema.calls, schema.results
    stmt = (select(c.c.call_id, c.c.agent_id, c.c.team, c.c.queue, r.c.result_json)
            .join(r, r.c.call_id == c.c.call_id).where(c.c.status == "scored")
            .order_by(c.c.call_id))
    if plan.date_from:
        stmt = stmt.where(c.c.started_at >= plan.date_from)
    if plan.date_to:
        stmt = stmt.where(c.c.started_at < plan.date_to + "\uffff")
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
        queued = set(conn.execute(select(review_queue.c.call_id)).scalars())
    risky: list[tuple[str, str]] = []
    rest = []
    for row in rows:
        reason = _risk(json.loads(row.result_json), plan.low_confidence)
        if row.call_id in queued:
            continue
        if reason:
            risky.append((row.call_id, reason))
        else:
            rest.append(row)
    n = sample_size(len(rest), plan.confidence, plan.margin)
    rng = random.Random(plan.seed)
    column = {"agent": "agent_id", "team": "team", "queue": "queue"}[plan.stratify_by]
    stratum = (lambda row: str(getattr(row, column) or "-")) if plan.method == "stratified" \
        else None
    picked = draw(rest, n, rng=rng, stratum=stratum)
    label = "random" if stratum is None else f"stratified:{plan.stratify_by}"
    sample_id = secrets.token_hex(4)
    now = repository.now_iso()
    entries = [(cid, reason) for cid, reason in risky] + [(p.call_id, label) for p in picked]
    with engine.begin() as conn:
        if entries:
            conn.execute(review_queue.insert(), [
                {"call_id": cid, "reason": reason, "sample_id": sample_id,
                 "created_by": user.username, "created_at": now} for cid, reason in entries])
    return {
        "sample_id": sample_id,
        "auto_fail": sum(1 for _, x in risky if x == "auto_fail"),
        "low_confidence": sum(1 for _, x in risky if x == "low_confidence"),
        "population": len(rest),
        "sample_size": n,
        "sampled": len(picked),
        "added": len(entries),
        "method": label,
        "confidence": plan.confidence,
        "margin": plan.margin,
    }
