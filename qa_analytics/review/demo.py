"""A small made-up review data set: stereo WAV recordings, transcripts and provisional results,
so the review app can be tried (``qa-analytics serve --demo``) and tested without running ASR.

The recordings are tones, not speech: the agent channel (left) carries a tone while the agent
speaks and the customer channel (right) while the customer speaks, so seeking is audible.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from qa_analytics.records import (
    Call,
    CriterionScore,
    Evidence,
    ProvisionalScore,
    Transcript,
    Utterance,
)
from qa_analytics.store import repository

SAMPLE_RATE = 16000

# (id, weight, critical, section), after the default scorecard's criterion ids.
CRITERIA: tuple[tuple[str, float, bool, str], ...] = (
    ("greeting", 10, False, "opening"),
    ("agent_introduction", 5, False, "opening"),
    ("recording_disclosure", 15, True, "compliance"),
    ("identity_verification", 15, True, "compliance"),
    ("empathy", 10, False, "soft_skills"),
    ("apology", 5, False, "soft_skills"),
    ("take_action", 15, False, "resolution"),
    ("hold_etiquette", 5, False, "resolution"),
    ("prohibited_language", 10, True, "compliance"),
    ("closing", 10, False, "closing"),
)

LINES: tuple[tuple[str, str, float, float], ...] = (
    ("agent", "Thank you for calling Acme, my name is Sam.", 0.2, 2.4),
    ("agent", "This call is recorded for quality and training.", 2.6, 4.4),
    ("customer", "Hi, my parcel never arrived and I'm quite upset.", 4.8, 7.0),
    ("agent", "I'm so sorry about that, I understand how frustrating it is.", 7.3, 9.6),
    ("agent", "Can you confirm your postcode and date of birth?", 9.8, 11.6),
    ("customer", "Sure, it's AB1 2CD, fifth of May.", 11.9, 13.6),
    ("agent", "I'll send a replacement today and email you the tracking number.", 14.0, 16.6),
    ("agent", "Is there anything else I can help with? Have a great day.", 16.9, 19.2),
)
DURATION_S = 20.0


def write_recording(path: Path) -> Path:
    """A 20 s stereo 16 kHz WAV: left = agent turns (440 Hz), right = customer turns (660 Hz)."""
    import numpy as np
    import soundfile as sf

    t = np.arange(int(DURATION_S * SAMPLE_RATE)) / SAMPLE_RATE
    audio = np.zeros((t.size, 2), dtype=np.float32)
    for speaker, _text, start, end in LINES:
        ch, freq = (0, 440.0) if speaker == "agent" else (1, 660.0)
        mask = (t >= start) & (t < end)
        audio[mask, ch] = 0.2 * np.sin(2 * np.pi * freq * t[mask])
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio, SAMPLE_RATE, subtype="PCM_16")
    return path


def _evidence(criterion: str) -> tuple[Evidence, ...]:
    index = {"greeting": 0, "agent_introduction": 0, "recording_disclosure": 1,
             "empathy": 3, "apology": 3, "identity_verification": 4, "take_action": 6,
             "closing": 7}.get(criterion)
    if index is None:
        return ()
    speaker, text, start, end = LINES[index]
    return (Evidence(speaker, start, end, text),)


def make_result(call_id: str, source: str, verdicts: dict[str, str] | None = None,
                confidences: dict[str, float] | None = None) -> ProvisionalScore:
    """A provisional result with every criterion ``met`` (hold_etiquette ``na``) unless given;
    scored like the engine with the default scorecard (auto-fail -> score 0)."""
    from qa_analytics.review.final import recompute

    verdicts = verdicts or {}
    confidences = confidences or {}
    criteria = tuple(
        CriterionScore(
            id=cid, verdict=verdicts.get(cid, "na" if cid == "hold_etiquette" else "met"),
            confidence=confidences.get(cid, 0.95), weight=w, critical=crit, section=sec,
            explanation=f"demo check for {cid.replace('_', ' ')}", evidence=_evidence(cid))
        for cid, w, crit, sec in CRITERIA)
    final = recompute([{"id": c.id, "verdict": c.verdict, "weight": c.weight,
                        "critical": c.critical} for c in criteria], {})
    low = [f"low_confidence:{c.id}" for c in criteria if c.confidence < 0.6]
    failed = [f"critical_failure:{c.id}" for c in criteria if c.critical and c.verdict == "not_met"]
    reasons = failed + low
    return ProvisionalScore(
        call_id=call_id, score=final.score, auto_fail=final.auto_fail,
        needs_review=bool(reasons), review_reasons=tuple(reasons), criteria=criteria,
        metrics={"duration_s": DURATION_S}, versions={"engine": "demo"}, source=source)


def seed(engine: Engine, media_dir: Path, n_calls: int = 12) -> list[str]:
    """Store ``n_calls`` demo calls (c01, c02, ...) sharing one recording; returns their ids.

    c01 is an auto-fail (no recording disclosure), c02 has a low-confidence empathy verdict;
    the rest score well. Agents a1-a3 in teams north/south, queues billing/delivery.
    """
    wav = write_recording(Path(media_dir) / "demo_call.wav")
    transcript_utts = tuple(Utterance(s, text, start, end) for s, text, start, end in LINES)
    ids = []
    for i in range(1, n_calls + 1):
        cid = f"c{i:02d}"
        agent = f"a{(i - 1) % 3 + 1}"
        call = Call(call_id=cid, source=str(wav), channels="agent,customer", agent_id=agent,
                    team="north" if agent != "a3" else "south",
                    queue="billing" if i % 2 else "delivery",
                    started_at=f"2026-11-{(i - 1) % 5 + 16:02d}T09:{i:02d}:00")
        verdicts = {"recording_disclosure": "not_met"} if i == 1 else {}
        confidences = {"empathy": 0.41} if i == 2 else {}
        repository.save_transcript(engine, call, Transcript(
            call_id=cid, utterances=transcript_utts, agent_id=agent, source=str(wav),
            duration_s=DURATION_S), settings_hash="demo")
        repository.save_result(engine, make_result(cid, str(wav), verdicts, confidences),
                               call=call)
        ids.append(cid)
    return ids
