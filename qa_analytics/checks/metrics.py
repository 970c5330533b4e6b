"""Call metrics from utterance timings, holds, and the checks built on them.

Metrics (None when the transcript has no timings):
  duration_s, agent_talk_ratio, customer_talk_ratio (share of speaking time),
  max_silence_s (longest gap where nobody speaks), overtalk_s (both speak at once),
  agent_speech_rate_wpm, hold_count, hold_total_s.
A hold is a silence of at least ``hold_min_gap_s`` next to an agent turn: usually the agent
asks, the customer says "sure", and the line goes quiet until the agent comes back, so the
silence follows the customer's turn and ends at the agent's. In a transcript without timings,
an agent turn that announces a hold ("let me put you on hold") or thanks for one stands in.
"""

from __future__ import annotations

from typing import Any

from qa_analytics.checks.base import BuildContext, CallView, Outcome, Params
from qa_analytics.config.schema import METRIC_NAMES
from qa_analytics.records import Transcript


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _total(intervals: list[tuple[float, float]]) -> float:
    return sum(e - s for s, e in intervals)


def _intersection(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    i = j = 0
    total = 0.0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def compute_metrics(
    transcript: Transcript, hold_min_gap_s: float = 20.0
) -> tuple[dict[str, float | None], tuple[tuple[int, int, float], ...]]:
    """Metrics and timed holds ``(index before, index after, gap_s)`` of one transcript."""
    metrics: dict[str, float | None] = dict.fromkeys(METRIC_NAMES)
    utts = transcript.utterances
    metrics["duration_s"] = transcript.duration_s
    if not transcript.timed:
        return metrics, ()
    spans: dict[str, list[tuple[float, float]]] = {"agent": [], "customer": []}
    agent_words = 0
    for u in utts:
        start = float(u.start_s)  # type: ignore[arg-type]
        end = float(u.end_s) if u.end_s is not None else start
        spans.setdefault(u.speaker, []).append((start, max(start, end)))
        if u.speaker == "agent":
            agent_words += len(u.text.split())
    agent, customer = _merge(spans["agent"]), _merge(spans["customer"])
    everyone = _merge(agent + customer)
    talk_a, talk_c = _total(agent), _total(customer)
    talk = talk_a + talk_c
    if transcript.duration_s is None and everyone:
        metrics["duration_s"] = everyone[-1][1] - min(0.0, everyone[0][0])
    metrics["agent_talk_ratio"] = talk_a / talk if talk else None
    metrics["customer_talk_ratio"] = talk_c / talk if talk else None
    metrics["max_silence_s"] = max(
        (b[0] - a[1] for a, b in zip(everyone, everyone[1:], strict=False)), default=0.0)
    metrics["overtalk_s"] = _intersection(agent, customer)
    metrics["agent_speech_rate_wpm"] = agent_words / (talk_a / 60.0) if talk_a else None
    # Timed holds: a long silence after or before an agent turn (the agent went away, then
    # came back). A silence between two customer turns is the customer's, not a hold.
    holds = []
    order = sorted(range(len(utts)), key=lambda k: utts[k].start_s)  # type: ignore[arg-type,return-value]
    latest_end = float("-inf")
    for pos, k in enumerate(order[:-1]):
        u = utts[k]
        latest_end = max(latest_end, u.end_s if u.end_s is not None else u.start_s)  # type: ignore[type-var]
        nxt = order[pos + 1]
        gap = float(utts[nxt].start_s) - latest_end  # type: ignore[arg-type]
        if gap >= hold_min_gap_s and "agent" in (u.speaker, utts[nxt].speaker):
            holds.append((k, nxt, gap))
    metrics["hold_count"] = float(len(holds))
    metrics["hold_total_s"] = sum(h[2] for h in holds)
    return metrics, tuple(holds)


class MetricParams(Params):
    metric: str
    min: float | None = None
    max: float | None = None
    describe: str = ""


class MetricCheck:
    """metric.v1: met when a call metric is within [min, max]; na without timings."""

    Params = MetricParams

    def __init__(self, params: MetricParams, context: BuildContext) -> None:
        from qa_analytics.errors import ConfigError

        if params.metric not in METRIC_NAMES:
            raise ConfigError(f"metric: must be one of {', '.join(METRIC_NAMES)}, "
                              f"got {params.metric!r}")
        self.params = params

    def judge(self, view: CallView) -> Outcome:
        p = self.params
        value = view.metrics.get(p.metric)
        if value is None:
            return Outcome("na", 1.0, f"{p.metric} unavailable (transcript has no timings)")
        low = p.min is not None and value < p.min
        high = p.max is not None and value > p.max
        bounds = f"[{'' if p.min is None else p.min:g}, {'' if p.max is None else p.max:g}]" \
            if p.min is not None and p.max is not None else \
            (f">= {p.min:g}" if p.min is not None else f"<= {p.max:g}")
        if low or high:
            return Outcome("not_met", 0.95, f"{p.metric} = {value:.2f}, expected {bounds}")
        return Outcome("met", 0.95, f"{p.metric} = {value:.2f}, within {bounds}")


class HoldParams(Params):
    announce: list[str]  # the agent asks/tells before a hold ("can I put you on hold")
    thank: list[str]  # the agent thanks afterwards ("thank you for holding")
    # spaCy Matcher token patterns for wording with words in between ("thanks so much for
    # holding", "put you on a quick hold"), as in phrase.v1
    announce_patterns: list[list[dict[str, Any]]] = []
    thank_patterns: list[list[dict[str, Any]]] = []
    within_turns: int = 2  # agent turns before/after the hold to look in
    describe: str = ""


class HoldEtiquetteCheck:
    """hold_etiquette.v1: each hold is announced before AND the customer thanked after."""

    Params = HoldParams

    def __init__(self, params: HoldParams, context: BuildContext) -> None:
        from qa_analytics.checks.phrase import PhraseCheck, PhraseParams

        self.params = params
        self.announce = PhraseCheck(PhraseParams(phrases=params.announce,
                                                 patterns=params.announce_patterns), context)
        self.thank = PhraseCheck(PhraseParams(phrases=params.thank,
                                              patterns=params.thank_patterns), context)

    def _agent_turns(self, view: CallView) -> list[int]:
        return [i for i, u in enumerate(view.utterances) if u.speaker == "agent"]

    def judge(self, view: CallView) -> Outcome:
        agent = self._agent_turns(view)
        pos = {idx: n for n, idx in enumerate(agent)}
        k = self.params.within_turns
        announced = [i for i in agent if self.announce.utterance_hit(view, i) is not None]
        thanked = [i for i in agent if self.thank.utterance_hit(view, i) is not None]
        # Each hold as (agent position of the last turn before, first agent position after).
        holds: list[tuple[int, int, str]] = []
        for before, after, gap in view.holds:
            # The agent's last turn at or before the silence (the customer's "sure" often
            # comes in between) and the agent's first turn after it.
            b = max((pos[i] for i in agent if i <= before), default=-1)
            a = next((pos[i] for i in agent if i >= after), len(agent))
            holds.append((b, a, f"a {gap:.0f} s silence after agent turn {b + 1}"))
        if not view.transcript.timed:
            # Without timings the words are all there is. With timings a hold is a silence:
            # an offer the customer declines or "bear with me" while typing is no hold.
            for i in announced:
                p = pos[i]
                if not any(b - k < p <= b for b, _, _ in holds):
                    holds.append((p, p + 1, f"hold announced in agent turn {p + 1}"))
            for i in thanked:  # "thanks for holding" with no announcement is a hold too
                p = pos[i]
                if not any(a <= p < a + k for _, a, _ in holds):
                    holds.append((p - 1, p, f"thanks for holding in agent turn {p + 1}"))
        if not holds:
            return Outcome("na", 0.9, "no hold detected (no long silence or hold wording)")
        problems, evidence = [], []
        for b, a, what in sorted(holds):
            asked = [i for i in announced if b - k < pos[i] <= b]
            thanks = [i for i in thanked if a <= pos[i] < a + k]
            evidence += asked[:1] + thanks[:1]
            missing = [name for name, found in (("not announced beforehand", asked),
                                                ("customer not thanked afterwards", thanks))
                       if not found]
            if missing:
                problems.append(f"{what}: {' and '.join(missing)}")
        if problems:
            return Outcome("not_met", 0.8, "; ".join(problems), tuple(sorted(set(evidence))))
        return Outcome("met", 0.85, f"{len(holds)} hold(s) announced and thanked",
                       tuple(sorted(set(evidence))))
