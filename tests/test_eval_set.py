"""Integrity of the labelled sets in benchmarks/: the development sets (benchmarks/eval;
benchmarks/holdout, benchmarks/blind, benchmarks/blind2, benchmarks/blind3, benchmarks/blind4,
benchmarks/blind5, benchmarks/blind6, benchmarks/blind7, benchmarks/blind8 and benchmarks/blind9,
each blind until it was measured once and then tuned on) and the blind set benchmarks/blind10
(written without sight of the engine, never used for tuning). All are the project's own data."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from qa_analytics.records import VERDICTS, transcript_from_dict

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
CRITERIA = (
    "greeting", "agent_introduction", "recording_disclosure", "identity_verification", "empathy",
    "apology", "take_action", "hold_etiquette", "prohibited_language", "closing",
)
# criteria that the scorecard says are never `na`
NEVER_NA = ("greeting", "agent_introduction", "recording_disclosure", "prohibited_language",
            "closing")


@dataclass(frozen=True)
class LabelledSet:
    folder: str
    min_calls: int
    min_minority: int  # per verdict and criterion, so kappa means something
    min_noisy: int
    min_varieties: int
    max_hold_gap_s: float | None = None

    def calls(self) -> dict[str, dict]:
        return {p.stem: json.loads(p.read_text(encoding="utf-8"))
                for p in sorted((BENCHMARKS / self.folder / "calls").glob("*.json"))}

    def labels(self) -> list[dict[str, str]]:
        with open(BENCHMARKS / self.folder / "labels.csv", newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))


SETS = {
    "eval": LabelledSet("eval", min_calls=60, min_minority=12, min_noisy=12, min_varieties=6),
    "holdout": LabelledSet("holdout", min_calls=40, min_minority=6, min_noisy=8,
                           min_varieties=8, max_hold_gap_s=90),
    # the blind sets, each written under the same rules, share the same floors
    **{name: LabelledSet(name, min_calls=60, min_minority=12, min_noisy=12, min_varieties=8,
                         max_hold_gap_s=90)
       for name in ("blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7",
                     "blind8", "blind9", "blind10")},
}
CALLS = {name: s.calls() for name, s in SETS.items()}
LABELS = {name: s.labels() for name, s in SETS.items()}
EACH_CALL = [pytest.param(name, stem, id=f"{name}-{stem}")
             for name in SETS for stem in sorted(CALLS[name])]
each_set = pytest.mark.parametrize("name", list(SETS))


@each_set
def test_set_is_large_enough(name: str) -> None:
    assert len(CALLS[name]) >= SETS[name].min_calls


@pytest.mark.parametrize(("name", "stem"), EACH_CALL)
def test_call_is_valid_transcript(name: str, stem: str) -> None:
    data = CALLS[name][stem]
    t = transcript_from_dict(data, origin=stem)
    assert t.call_id == stem, "file name must be <call_id>.json"
    assert 8 <= len(t.utterances) <= 30
    assert {u.speaker for u in t.utterances} == {"agent", "customer"}
    assert all(u.text.strip() for u in t.utterances)
    meta = data["metadata"]
    assert set(meta) >= {"industry", "variety", "asr_noise"}
    assert isinstance(meta["asr_noise"], bool)


@pytest.mark.parametrize(("name", "stem"), EACH_CALL)
def test_call_times_are_monotonic(name: str, stem: str) -> None:
    t = transcript_from_dict(CALLS[name][stem], origin=stem)
    assert t.timed
    prev_end = 0.0
    for u in t.utterances:
        assert u.start_s is not None and u.end_s is not None
        assert u.start_s >= prev_end
        assert u.end_s > u.start_s
        prev_end = u.end_s


def test_call_ids_unique_across_sets() -> None:
    ids = [d["call_id"] for calls in CALLS.values() for d in calls.values()]
    assert len(ids) == len(set(ids))


@each_set
def test_labels_complete_and_valid(name: str) -> None:
    labels = LABELS[name]
    pairs = [(r["call_id"], r["criterion"]) for r in labels]
    assert len(pairs) == len(set(pairs)), "duplicate (call_id, criterion) label"
    assert {r["verdict"] for r in labels} <= set(VERDICTS)
    assert {r["criterion"] for r in labels} == set(CRITERIA)
    assert set(pairs) == {(c, k) for c in CALLS[name] for k in CRITERIA}


@each_set
def test_labels_respect_never_na(name: str) -> None:
    assert not [r for r in LABELS[name] if r["criterion"] in NEVER_NA and r["verdict"] == "na"]


@each_set
@pytest.mark.parametrize("criterion", CRITERIA)
def test_labels_minimum_class_counts(name: str, criterion: str) -> None:
    counts = Counter(r["verdict"] for r in LABELS[name] if r["criterion"] == criterion)
    least = SETS[name].min_minority
    assert counts["met"] >= least
    assert counts["not_met"] >= least
    if criterion not in NEVER_NA:
        assert counts["na"] >= least


@each_set
def test_hold_labels_match_gaps(name: str) -> None:
    """A hold is a gap of 20 s or more before an agent turn; `na` exactly when there is none."""
    for stem, data in CALLS[name].items():
        t = transcript_from_dict(data, origin=stem)
        gaps = [
            (b.start_s or 0.0) - (a.end_s or 0.0)
            for a, b in zip(t.utterances, t.utterances[1:], strict=False)
            if b.speaker == "agent"
        ]
        has_hold = any(g >= 20 for g in gaps)
        verdict = next(r["verdict"] for r in LABELS[name]
                       if r["call_id"] == stem and r["criterion"] == "hold_etiquette")
        assert has_hold == (verdict != "na"), stem
        limit = SETS[name].max_hold_gap_s
        if limit is not None:
            assert all(g <= limit for g in gaps), stem


@each_set
def test_set_has_asr_noise_and_varieties(name: str) -> None:
    calls = CALLS[name].values()
    assert sum(1 for d in calls if d["metadata"]["asr_noise"]) >= SETS[name].min_noisy
    assert len({d["metadata"]["variety"] for d in calls}) >= SETS[name].min_varieties
    assert len({d["metadata"]["industry"] for d in calls}) >= 8


def test_sets_share_no_utterance_with_classifier_training_data() -> None:
    """The labelled sets stay apart from models/training: no utterance of twelve words or more
    appears in both (short stock phrases such as closings may)."""
    from qa_analytics.nlp import lemma_text

    trained = set()
    for tsv in (BENCHMARKS.parent / "models" / "training").glob("*.tsv"):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                trained.add(lemma_text(line.partition("\t")[2]))
    shared = [(name, stem, u["text"]) for name in SETS for stem, data in CALLS[name].items()
              for u in data["utterances"]
              if len((t := lemma_text(u["text"])).split()) >= 12 and t in trained]
    assert not shared
