"""Turn per-channel words into a speaker-attributed transcript, merged in time order."""

from __future__ import annotations

import math
from collections.abc import Sequence

from qa_analytics.records import Call, Transcript, Utterance, Word


def words_to_utterances_spans(words: Sequence[Word], gap_s: float) -> list[list[Word]]:
    """Split a channel's words into utterances at pauses longer than gap_s."""
    groups: list[list[Word]] = []
    for word in words:
        if groups and word.start_s - groups[-1][-1].end_s <= gap_s:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def confidence_of(words: Sequence[Word]) -> float:
    """Geometric mean of the decoder's word probabilities: exp(mean log p)."""
    if not words:
        return 0.0
    logs = [math.log(max(w.probability, 1e-6)) for w in words]
    return math.exp(sum(logs) / len(logs))


def _utterance(speaker: str, words: Sequence[Word]) -> Utterance:
    return Utterance(
        speaker=speaker,
        text="".join(w.text for w in words).strip(),
        start_s=words[0].start_s,
        end_s=max(w.end_s for w in words),
        words=tuple(Word(w.text.strip(), w.start_s, w.end_s, round(w.probability, 4))
                    for w in words),
        confidence=round(confidence_of(words), 4),
    )


def channel_utterances(speaker: str, words: Sequence[Word], gap_s: float) -> list[Utterance]:
    return [_utterance(speaker, group) for group in words_to_utterances_spans(words, gap_s)]


def labelled_utterances(words: Sequence[Word], speakers: Sequence[str], gap_s: float
                        ) -> list[Utterance]:
    """Utterances from one stream whose words carry inferred speakers: a new utterance at each
    change of speaker or pause longer than gap_s."""
    out: list[Utterance] = []
    group: list[Word] = []
    current = None
    for word, speaker in zip(words, speakers, strict=True):
        if group and (speaker != current or word.start_s - group[-1].end_s > gap_s):
            out.append(_utterance(current or "agent", group))
            group = []
        group.append(word)
        current = speaker
    if group:
        out.append(_utterance(current or "agent", group))
    return out


def merge_in_time(*streams: Sequence[Utterance]) -> tuple[Utterance, ...]:
    merged = [u for stream in streams for u in stream]
    # Agent first on exact ties: a stable, documented order keeps results reproducible.
    merged.sort(key=lambda u: (u.start_s or 0.0, 0 if u.speaker == "agent" else 1))
    return tuple(merged)


def build_transcript(call: Call, utterances: tuple[Utterance, ...], *, duration_s: float,
                     model_id: str, speakers_inferred: bool) -> Transcript:
    return Transcript(
        call_id=call.call_id,
        utterances=utterances,
        agent_id=call.agent_id,
        source=call.source,
        duration_s=round(duration_s, 3),
        speakers_inferred=speakers_inferred,
        asr_model=model_id,
        audio_sha256=call.audio_sha256 or None,
        metadata={k: v for k, v in {
            "team": call.team, "queue": call.queue, "started_at": call.started_at,
            "channels": call.channels, "customer_source": call.customer_source,
        }.items() if v is not None},
    )
