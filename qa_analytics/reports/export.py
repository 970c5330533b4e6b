"""Export final (human) scores and the review decisions as CSV and JSONL.

``final_scores``: one row per scored call with the engine's score, the review status and the
final score recomputed from human verdicts (empty until every criterion is decided), and each
criterion's final verdict (the human one where decided, else the suggestion). ``decisions``:
the audit trail, one row per decision, in order.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from qa_analytics.review.schema import review_decisions
from qa_analytics.review.service import current_verdicts, summarise
from qa_analytics.store import repository

FINAL_FIELDS = ("call_id", "agent_id", "team", "queue", "started_at", "review_status",
                "engine_score", "engine_auto_fail", "final_score", "final_auto_fail", "decided",
                "criteria_total", "reviewers")
DECISION_FIELDS = ("call_id", "seq", "criterion_id", "reviewer", "action", "suggested_verdict",
                   "previous_verdict", "new_verdict", "reason", "decided_at")


def decision_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(review_decisions).order_by(
            review_decisions.c.call_id, review_decisions.c.seq)).all()
    return [{k: r._mapping[k] for k in DECISION_FIELDS} for r in rows]


def final_rows(engine: Engine) -> list[dict[str, Any]]:
    by_call: dict[str, list[dict[str, Any]]] = {}
    for d in decision_rows(engine):
        by_call.setdefault(d["call_id"], []).append(d)
    calls = {c["call_id"]: c for c in repository.list_calls(engine)}
    out = []
    for result in repository.iter_results(engine):
        if result.get("status", "scored") != "scored":
            continue
        history = by_call.get(result["call_id"], [])
        summary = summarise(result, history)
        human = current_verdicts(history)
        call = calls.get(result["call_id"], {})
        out.append({
            "call_id": result["call_id"],
            **{k: call.get(k) for k in ("agent_id", "team", "queue", "started_at")},
            "review_status": summary["status"],
            "engine_score": result.get("score"),
            "engine_auto_fail": bool(result.get("auto_fail")),
            "final_score": summary["final_score"],
            "final_auto_fail": summary["final_auto_fail"],
            "decided": summary["decided"],
            "criteria_total": summary["criteria_total"],
            "reviewers": summary["reviewers"],
            "criteria": [{"id": c["id"], "suggested": c["verdict"],
                          "final": human.get(c["id"], c["verdict"]), "decided": c["id"] in human}
                         for c in result.get("criteria") or []],
        })
    return out


def write_jsonl(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if value is None:
        return ""
    return value


def write_csv(rows: Sequence[Mapping[str, Any]], path: Path, fields: Sequence[str]) -> int:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in fields})
    return len(rows)


def export(engine: Engine, out_dir: Path) -> dict[str, Any]:
    """Write final_scores.csv/.jsonl and decisions.csv/.jsonl into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    finals = final_rows(engine)
    # CSV gets one "verdict:<criterion>" column per criterion seen, for spreadsheets.
    criterion_ids = list(dict.fromkeys(c["id"] for r in finals for c in r["criteria"]))
    flat = [{**r, **{f"verdict:{c['id']}": c["final"] for c in r["criteria"]}} for r in finals]
    decisions = decision_rows(engine)
    files = {
        "final_scores.csv": write_csv(flat, out_dir / "final_scores.csv",
                                      [*FINAL_FIELDS, *(f"verdict:{c}" for c in criterion_ids)]),
        "final_scores.jsonl": write_jsonl(finals, out_dir / "final_scores.jsonl"),
        "decisions.csv": write_csv(decisions, out_dir / "decisions.csv", DECISION_FIELDS),
        "decisions.jsonl": write_jsonl(decisions, out_dir / "decisions.jsonl"),
    }
    return {"out": str(out_dir), "rows": files,
            "reviewed": sum(1 for r in finals if r["review_status"] == "reviewed")}
