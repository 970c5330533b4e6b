"""Frozen records that flow between stages, and their JSON form.

Times are seconds and named ``*_s``. Records are immutable; stages make new ones.
The JSON form of a transcript is the transcript contract in ARCHITECTURE.md; the JSON form
of a ProvisionalScore is the result record contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from qa_analytics.errors import TranscriptFormatError

Speaker = Literal["agent", "customer"]
Verdict = Literal["met", "not_met", "na"]
ChannelLayout = Literal["agent,customer", "customer,agent", "mono", "two_leg"]

SPEAKERS: tuple[str, ...] = ("agent", "customer")
VERDICTS: tuple[str, ...] = ("met", "not_met", "na")
CHANNEL_LAYOUTS: tuple[str, ...] = ("agent,customer", "customer,agent", "mono", "two_leg")


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float


@dataclass(frozen=True, slots=True)
class Utterance:
    """One speaker turn. ``start_s``/``end_s`` are None for untimed text transcripts."""

    speaker: str
    text: str
    start_s: float | None = None
    end_s: float | None = None
    words: tuple[Word, ...] = ()
    # exp(mean token log-probability) from the decoder, in [0, 1]; None for human transcripts
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    call_id: str
    utterances: tuple[Utterance, ...]
    agent_id: str | None = None
    source: str | None = None
    duration_s: float | None = None
    # True when agent/customer were inferred from a mono recording, not from channels
    speakers_inferred: bool = False
    asr_model: str | None = None
    audio_sha256: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def timed(self) -> bool:
        return bool(self.utterances) and all(u.start_s is not None for u in self.utterances)


@dataclass(frozen=True, slots=True)
class Call:
    """One recording (or a pair of legs) to process, as found by ingest."""

    call_id: str
    source: str  # the path as given (or agent leg path for two-leg calls)
    channels: str = "agent,customer"
    customer_source: str | None = None  # second leg for two-leg calls
    audio_sha256: str = ""
    agent_id: str | None = None
    team: str | None = None
    queue: str | None = None
    started_at: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    speaker: str
    start_s: float | None
    end_s: float | None
    text: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    criterion_id: str
    verdict: str
    confidence: float
    explanation: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """A CheckResult placed on the scorecard: with its weight, section and criticality."""

    id: str
    verdict: str
    confidence: float
    weight: float
    critical: bool
    section: str
    explanation: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class ProvisionalScore:
    call_id: str
    score: float | None
    auto_fail: bool
    needs_review: bool
    review_reasons: tuple[str, ...]
    criteria: tuple[CriterionScore, ...]
    metrics: Mapping[str, float | None]
    versions: Mapping[str, str | None]
    section_scores: Mapping[str, float | None] = field(default_factory=dict)
    source: str | None = None
    status: str = "scored"
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    call_id: str
    criterion_id: str
    reviewer: str
    suggested_verdict: str | None
    previous_verdict: str | None
    new_verdict: str
    reason: str | None
    decided_at: str


# ---------------------------------------------------------------- JSON form


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def utterance_to_dict(u: Utterance) -> dict[str, Any]:
    d: dict[str, Any] = {
        "speaker": u.speaker,
        "text": u.text,
        "start_s": _round(u.start_s),
        "end_s": _round(u.end_s),
    }
    if u.confidence is not None:
        d["confidence"] = _round(u.confidence, 4)
    if u.words:
        d["words"] = [
            {
                "text": w.text,
                "start_s": _round(w.start_s),
                "end_s": _round(w.end_s),
                "probability": _round(w.probability, 4),
            }
            for w in u.words
        ]
    return d


def transcript_to_dict(t: Transcript) -> dict[str, Any]:
    return {
        "call_id": t.call_id,
        "agent_id": t.agent_id,
        "source": t.source,
        "duration_s": _round(t.duration_s),
        "speakers_inferred": t.speakers_inferred,
        "asr_model": t.asr_model,
        "audio_sha256": t.audio_sha256,
        "metadata": dict(t.metadata),
        "utterances": [utterance_to_dict(u) for u in t.utterances],
    }


def _float_or_none(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TranscriptFormatError(f"{where}: must be a number of seconds, got {value!r}")
    return float(value)


def transcript_from_dict(data: Any, origin: str = "<transcript>") -> Transcript:
    """Build a Transcript from the contract's JSON form; errors name ``origin`` and the key."""
    if not isinstance(data, dict):
        raise TranscriptFormatError(f"{origin}: expected a JSON object, got {type(data).__name__}")
    call_id = data.get("call_id")
    if not isinstance(call_id, str) or not call_id:
        raise TranscriptFormatError(f"{origin}: call_id: must be a non-empty string")
    raw_utts = data.get("utterances")
    if not isinstance(raw_utts, list):
        raise TranscriptFormatError(f"{origin}: utterances: must be a list")
    utterances = []
    for i, raw in enumerate(raw_utts):
        where = f"{origin}: utterances -> {i}"
        if not isinstance(raw, dict):
            raise TranscriptFormatError(f"{where}: must be an object")
        speaker = raw.get("speaker")
        if speaker not in SPEAKERS:
            raise TranscriptFormatError(
                f"{where} -> speaker: must be 'agent' or 'customer', got {speaker!r}"
            )
        text = raw.get("text")
        if not isinstance(text, str):
            raise TranscriptFormatError(f"{where} -> text: must be a string")
        words = tuple(
            Word(
                text=str(w.get("text", "")),
                start_s=float(w.get("start_s", 0.0)),
                end_s=float(w.get("end_s", 0.0)),
                probability=float(w.get("probability", 1.0)),
            )
            for w in raw.get("words") or ()
        )
        utterances.append(
            Utterance(
                speaker=speaker,
                text=text,
                start_s=_float_or_none(raw.get("start_s"), f"{where} -> start_s"),
                end_s=_float_or_none(raw.get("end_s"), f"{where} -> end_s"),
                words=words,
                confidence=_float_or_none(raw.get("confidence"), f"{where} -> confidence"),
            )
        )
    return Transcript(
        call_id=call_id,
        utterances=tuple(utterances),
        agent_id=data.get("agent_id"),
        source=data.get("source"),
        duration_s=_float_or_none(data.get("duration_s"), f"{origin}: duration_s"),
        speakers_inferred=bool(data.get("speakers_inferred", False)),
        asr_model=data.get("asr_model"),
        audio_sha256=data.get("audio_sha256"),
        metadata=dict(data.get("metadata") or {}),
    )


def evidence_to_dict(e: Evidence) -> dict[str, Any]:
    return {"speaker": e.speaker, "start_s": _round(e.start_s), "end_s": _round(e.end_s),
            "text": e.text}


def score_to_dict(s: ProvisionalScore) -> dict[str, Any]:
    """The result record contract (one line of results.jsonl)."""
    return {
        "call_id": s.call_id,
        "source": s.source,
        "status": s.status,
        "error": s.error,
        "score": _round(s.score, 2),
        "auto_fail": s.auto_fail,
        "needs_review": s.needs_review,
        "review_reasons": list(s.review_reasons),
        "criteria": [
            {
                "id": c.id,
                "verdict": c.verdict,
                "confidence": _round(c.confidence, 3),
                "weight": c.weight,
                "critical": c.critical,
                "section": c.section,
                "explanation": c.explanation,
                "evidence": [evidence_to_dict(e) for e in c.evidence],
            }
            for c in s.criteria
        ],
        "section_scores": {k: _round(v, 2) for k, v in s.section_scores.items()},
        "metrics": {k: _round(v, 3) if isinstance(v, float) else v for k, v in s.metrics.items()},
        "versions": dict(s.versions),
    }


def score_from_dict(d: Mapping[str, Any]) -> ProvisionalScore:
    return ProvisionalScore(
        call_id=d["call_id"],
        score=d.get("score"),
        auto_fail=bool(d.get("auto_fail", False)),
        needs_review=bool(d.get("needs_review", False)),
        review_reasons=tuple(d.get("review_reasons") or ()),
        criteria=tuple(
            CriterionScore(
                id=c["id"],
                verdict=c["verdict"],
                confidence=float(c.get("confidence", 0.0)),
                weight=float(c.get("weight", 0.0)),
                critical=bool(c.get("critical", False)),
                section=c.get("section", ""),
                explanation=c.get("explanation", ""),
                evidence=tuple(
                    Evidence(e.get("speaker", ""), e.get("start_s"), e.get("end_s"),
                             e.get("text", ""))
                    for e in c.get("evidence") or ()
                ),
            )
            for c in d.get("criteria") or ()
        ),
        metrics=dict(d.get("metrics") or {}),
        versions=dict(d.get("versions") or {}),
        section_scores=dict(d.get("section_scores") or {}),
        source=d.get("source"),
        status=d.get("status", "scored"),
        error=d.get("error"),
    )
