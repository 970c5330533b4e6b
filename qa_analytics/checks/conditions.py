"""Conditions a check applies before judging: speaker, window, negation.

Windows count a speaker's turns ("the agent's first 3 turns") or seconds from the call's
start/end; a window in seconds falls back to its turn count when the transcript has no times.
Order ("before any account detail") and applicability are criterion-level conditions; the
scorer applies them with the ``before`` and ``applies_when`` specs.
"""

from __future__ import annotations

from typing import Literal

from qa_analytics.checks.base import CallView, Params
from qa_analytics.records import Transcript

SpeakerChoice = Literal["agent", "customer", "any"]

NEGATION_CUES = frozenset({"not", "no", "never", "nobody", "nothing", "neither", "nor",
                           "without", "none"})
_CLAUSE_BREAK = frozenset({".", "?", "!", "but"})


class Window(Params):
    first_turns: int | None = None
    last_turns: int | None = None
    first_s: float | None = None
    last_s: float | None = None


def _speaker_words(speaker: str) -> str:
    return {"agent": "the agent's", "customer": "the customer's"}.get(speaker, "all")


def select(view: CallView, speaker: str, window: Window | None) -> tuple[list[int], str]:
    """Utterance indices a check looks at, and that scope in words (cached per call)."""
    return view.cached(("select", speaker, window),  # type: ignore[no-any-return]
                       lambda: select_indices(view.transcript, speaker, window))


def select_indices(transcript: Transcript, speaker: str,
                   window: Window | None) -> tuple[list[int], str]:
    utts = transcript.utterances
    idx = [i for i, u in enumerate(utts) if speaker == "any" or u.speaker == speaker]
    who = _speaker_words(speaker)
    if window is None:
        return idx, f"{who} turns" if speaker != "any" else "the whole call"
    timed = (window.first_s is not None or window.last_s is not None) and transcript.timed
    if timed and window.first_s is not None:
        t0 = min(u.start_s for u in utts)  # type: ignore[type-var]
        idx = [i for i in idx if utts[i].start_s - t0 < window.first_s]  # type: ignore[operator]
        return idx, f"{who} turns in the first {window.first_s:g} s"
    if timed and window.last_s is not None:
        t1 = max(u.end_s if u.end_s is not None else u.start_s for u in utts)  # type: ignore[type-var]
        idx = [i for i in idx if (utts[i].end_s or utts[i].start_s) > t1 - window.last_s]  # type: ignore[operator]
        return idx, f"{who} turns in the last {window.last_s:g} s"
    if window.first_turns is not None:
        return idx[: window.first_turns], f"{who} first {window.first_turns} turns"
    if window.last_turns is not None:
        return idx[-window.last_turns:], f"{who} last {window.last_turns} turns"
    return idx, f"{who} turns (no timings for the time window)"


# "No problem, I've sent it" and a turn-opening "No, you're booked in" are interjections, not
# negations (commas are gone after normalisation, so the clause break must be inferred).
_NO_INTERJECTION = frozenset({"problem", "worry", "bother", "trouble", "rush", "hurry"})


def negated(lemmas: tuple[str, ...], start: int, window: int = 3) -> bool:
    """A negation cue shortly before a match, in the same clause ("this call is not recorded")."""
    for j in range(start - 1, max(-1, start - 1 - window), -1):
        tok = lemmas[j]
        if tok in _CLAUSE_BREAK:
            return False
        if tok == "no" and (j == 0 or lemmas[j - 1] in _CLAUSE_BREAK
                            or (j + 1 < len(lemmas) and lemmas[j + 1] in _NO_INTERJECTION)):
            return False
        if tok == "without" and j < start - 1:
            continue  # it negates its own object: "a week without internet, what a nightmare"
        if tok in NEGATION_CUES:
            return True
    return False


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
