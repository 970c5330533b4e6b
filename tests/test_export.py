"""Export of final scores and decisions (CSV and JSONL) after real review decisions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qa_analytics.cli import main
from qa_analytics.reports.export import export
from qa_analytics.review import auth, demo, service


@pytest.fixture()
def reviewed(db, tmp_path: Path):  # type: ignore[no-untyped-def]
    demo.seed(db, tmp_path / "media", n_calls=3)
    lead = auth.add_user(db, "lead", "lead", "password123")
    service.decide(db, lead, "c02", 0, [service.Decision(
        "empathy", "not_met", 'customer was upset, agent said "ok", moved on')])
    service.confirm_remaining(db, lead, "c02", 1)
    service.decide(db, lead, "c03", 0, [service.Decision("greeting")])
    return db


def test_export_files(reviewed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "export"
    summary = export(reviewed, out)
    assert summary["rows"] == {"final_scores.csv": 3, "final_scores.jsonl": 3,
                               "decisions.csv": 11, "decisions.jsonl": 11}
    assert summary["reviewed"] == 1
    finals = {r["call_id"]: r for r in map(json.loads, (out / "final_scores.jsonl").open())}
    # c02: empathy (10 of 95 applicable weight) overridden to not_met -> 85/95
    assert finals["c02"]["review_status"] == "reviewed"
    assert finals["c02"]["final_score"] == pytest.approx(89.47)
    assert finals["c02"]["engine_score"] == 100.0 and finals["c02"]["reviewers"] == ["lead"]
    empathy = next(c for c in finals["c02"]["criteria"] if c["id"] == "empathy")
    assert empathy == {"id": "empathy", "suggested": "met", "final": "not_met", "decided": True}
    assert finals["c03"]["review_status"] == "in_review" and finals["c03"]["final_score"] is None
    assert finals["c01"]["engine_auto_fail"] is True and finals["c01"]["decided"] == 0

    with (out / "final_scores.csv").open(newline="") as fh:
        rows = {r["call_id"]: r for r in csv.DictReader(fh)}
    assert rows["c02"]["final_score"] == "89.47" and rows["c02"]["verdict:empathy"] == "not_met"
    assert rows["c03"]["final_score"] == "" and rows["c01"]["verdict:recording_disclosure"] == \
        "not_met"
    assert rows["c01"]["agent_id"] == "a1" and rows["c01"]["team"] == "north"

    with (out / "decisions.csv").open(newline="") as fh:
        decisions = list(csv.DictReader(fh))
    first = decisions[0]
    assert (first["call_id"], first["seq"], first["criterion_id"], first["action"]) == \
        ("c02", "1", "empathy", "override")
    assert first["reason"] == 'customer was upset, agent said "ok", moved on'  # quoting survives
    assert first["previous_verdict"] == "" and first["reviewer"] == "lead"
    jl = [json.loads(line) for line in (out / "decisions.jsonl").open()]
    assert jl[0]["previous_verdict"] is None and len(jl) == 11


def test_export_command(reviewed, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    db_path = str(reviewed.url).removeprefix("sqlite:///")
    code = main(["export", "--db", db_path, "--out", str(tmp_path / "x"), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["rows"]["decisions.jsonl"] == 11
    assert (tmp_path / "x" / "final_scores.csv").is_file()
