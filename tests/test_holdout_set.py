"""Integrity of the blind held-out set in benchmarks/holdout (never used for tuning)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from qa_analytics.records import VERDICTS, transcript_from_dict

HOLDOUT = Path(__file__).resolve().parents[1] / "benchmarks" / "holdout"
CRITERIA = (
    "greeting", "agent_introduction", "recording_disclosure", "identity_verification", "empathy",
    "apology", "take_action", "hold_etiquette", "prohibited_language", "closing",
)
# criteria that the scorecard says are never `na`
NEVER_NA = ("greeting", "agent_introduction", "recording_disclosure", "prohibited_language",
            "closing")
MIN_MINORITY = 6


def _calls() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted((HOLDOUT / "calls").glob("*.json")):
        out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _labels() -> list[dict[str, str]]:
    with open(HOLDOUT / "labels.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


CALLS = _calls()
LABELS = _labels()


def test_holdout_set_has_at_least_40_calls() -> None:
    assert len(CALLS) >= 40


@pytest.mark.parametrize("stem", sorted(CALLS))
def test_holdout_call_is_valid_transcript(stem: str) -> None:
    data = CALLS[stem]
    t = transcript_from_dict(data, origin=stem)
    assert t.call_id == stem, "file name must be <call_id>.json"
    assert 8 <= len(t.utterances) <= 30
    assert {u.speaker for u in t.utterances} == {"agent", "customer"}
    assert all(u.text.strip() for u in t.utterances)
    meta = data["metadata"]
    assert set(meta) >= {"industry", "variety", "asr_noise"}
    assert isinstance(meta["asr_noise"], bool)


@pytest.mark.parametrize("stem", sorted(CALLS))
def test_holdout_call_times_are_monotonic(stem: str) -> None:
    t = transcript_from_dict(CALLS[stem], origin=stem)
    assert t.timed
    prev_end = 0.0
    for u in t.utterances:
        assert u.start_s is not None and u.end_s is not None
        assert u.start_s >= prev_end
        assert u.end_s > u.start_s
        prev_end = u.end_s


def test_holdout_call_ids_unique() -> None:
    ids = [d["call_id"] for d in CALLS.values()]
    assert len(ids) == len(set(ids))


def test_holdout_labels_complete_and_valid() -> None:
    pairs = [(r["call_id"], r["criterion"]) for r in LABELS]
    assert len(pairs) == len(set(pairs)), "duplicate (call_id, criterion) label"
    assert {r["verdict"] for r in LABELS} <= set(VERDICTS)
    assert {r["criterion"] for r in LABELS} == set(CRITERIA)
    assert set(pairs) == {(c, k) for c in CALLS for k in CRITERIA}


def test_holdout_labels_respect_never_na() -> None:
    bad = [r for r in LABELS if r["criterion"] in NEVER_NA and r["verdict"] == "na"]
    assert not bad


@pytest.mark.parametrize("criterion", CRITERIA)
def test_holdout_labels_minimum_class_counts(criterion: str) -> None:
    counts = Counter(r["verdict"] for r in LABELS if r["criterion"] == criterion)
    assert counts["met"] >= MIN_MINORITY
    assert counts["not_met"] >= MIN_MINORITY
    if criterion not in NEVER_NA:
        assert counts["na"] >= MIN_MINORITY


def test_holdout_hold_labels_match_gaps() -> None:
    """A hold is a 20-90 s gap before an agent turn; `na` exactly when the call has none."""
    for stem, data in CALLS.items():
        t = transcript_from_dict(data, origin=stem)
        gaps = [
            (b.start_s or 0.0) - (a.end_s or 0.0)
            for a, b in zip(t.utterances, t.utterances[1:], strict=False)
            if b.speaker == "agent"
        ]
        assert all(g <= 90 for g in gaps), stem
        has_hold = any(g >= 20 for g in gaps)
        verdict = next(r["verdict"] for r in LABELS
                       if r["call_id"] == stem and r["criterion"] == "hold_etiquette")
        assert has_hold == (verdict != "na"), stem


def test_holdout_set_has_asr_noise_and_varieties() -> None:
    noisy = sum(1 for d in CALLS.values() if d["metadata"]["asr_noise"])
    assert noisy >= 8
    assert len({d["metadata"]["variety"] for d in CALLS.values()}) >= 8
    assert len({d["metadata"]["industry"] for d in CALLS.values()}) >= 8
