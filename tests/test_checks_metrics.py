"""Call metrics from timings, hold detection and hold etiquette, metric.v1."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qa_analytics.checks.metrics import compute_metrics
from qa_analytics.records import Transcript, Utterance
from qa_analytics.scorer import Scorer, load_scorer


def timed(*rows: tuple[str, float, float, str]) -> Transcript:
    return Transcript("m", tuple(Utterance(s, text, a, b) for s, a, b, text in rows))


def test_checks_metrics_from_timings() -> None:
    t = timed(("agent", 0.0, 10.0, "one two three four five six seven eight nine ten"),
              ("customer", 9.0, 14.0, "hi"),
              ("agent", 50.0, 60.0, "a b c d e"))
    m, holds = compute_metrics(t, hold_min_gap_s=20)
    assert m["agent_talk_ratio"] == pytest.approx(20 / 25)
    assert m["customer_talk_ratio"] == pytest.approx(5 / 25)
    assert m["overtalk_s"] == pytest.approx(1.0)
    assert m["max_silence_s"] == pytest.approx(36.0)
    assert m["agent_speech_rate_wpm"] == pytest.approx(15 / (20 / 60))
    assert m["duration_s"] == pytest.approx(60.0)
    # the 36 s gap ends at the agent's next turn: the agent went away after the customer's
    # "hi" and came back, which is a hold
    assert holds == ((1, 2, pytest.approx(36.0)),) and m["hold_count"] == 1


def test_checks_metrics_gap_between_customer_turns_is_not_a_hold() -> None:
    t = timed(("agent", 0.0, 2.0, "go ahead"), ("customer", 3.0, 5.0, "let me find it"),
              ("customer", 40.0, 42.0, "found it"))
    assert compute_metrics(t, hold_min_gap_s=20)[1] == ()


def test_checks_metrics_hold_after_agent_turn() -> None:
    t = timed(("agent", 0.0, 5.0, "let me check"), ("agent", 40.0, 45.0, "back"))
    m, holds = compute_metrics(t, hold_min_gap_s=20)
    assert holds == ((0, 1, pytest.approx(35.0)),)
    assert m["hold_count"] == 1 and m["hold_total_s"] == pytest.approx(35.0)


def test_checks_metrics_untimed_are_none() -> None:
    t = Transcript("u", (Utterance("agent", "hello"), Utterance("customer", "hi")))
    m, holds = compute_metrics(t)
    assert holds == ()
    assert all(m[k] is None for k in ("agent_talk_ratio", "max_silence_s", "overtalk_s"))


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return load_scorer().build()


def hold_verdict(scorer: Scorer, t: Transcript) -> tuple[str, str]:
    c = {c.id: c for c in scorer.score(t).criteria}["hold_etiquette"]
    return c.verdict, c.explanation


def test_checks_metrics_hold_etiquette_met(scorer: Scorer) -> None:
    t = timed(("agent", 0.0, 4.0, "Hello"), ("customer", 5.0, 8.0, "my bill is wrong"),
              ("agent", 9.0, 12.0, "Can I put you on hold for a moment?"),
              ("customer", 12.5, 13.0, "sure"),
              ("agent", 60.0, 63.0, "Thank you for holding, I've fixed it."))
    assert hold_verdict(scorer, t)[0] == "met"


@pytest.mark.parametrize("thanks", [
    "Appreciate you hangin' on. So the loyalty rate is ready.",
    "thanks fur hangin on fiona the truck is coming",
    "Thank ye for waitin'. The driver skipped your road.",
])
def test_checks_metrics_hold_thanks_in_dialect_spelling(scorer: Scorer, thanks: str) -> None:
    t = timed(("agent", 0.0, 4.0, "Hello"), ("customer", 5.0, 8.0, "my bill is wrong"),
              ("agent", 9.0, 12.0, "Can I put you on hold for a moment?"),
              ("customer", 12.5, 13.0, "go ahead"),
              ("agent", 60.0, 63.0, thanks))
    assert hold_verdict(scorer, t) == ("met", "1 hold(s) announced and thanked")


def test_checks_metrics_silent_hold_not_announced(scorer: Scorer) -> None:
    t = timed(("agent", 0.0, 4.0, "Hello"), ("customer", 5.0, 8.0, "my bill is wrong"),
              ("agent", 9.0, 12.0, "Okay."),
              ("agent", 60.0, 63.0, "Thanks for waiting."))
    v, why = hold_verdict(scorer, t)
    assert v == "not_met"
    assert "48 s silence" in why and "not announced beforehand" in why


def test_checks_metrics_untimed_hold_without_thanks(scorer: Scorer) -> None:
    t = Transcript("u", (Utterance("agent", "Hello"), Utterance("customer", "I need help"),
                         Utterance("agent", "Let me put you on hold."),
                         Utterance("agent", "Right, the refund is done.")))
    v, why = hold_verdict(scorer, t)
    assert v == "not_met" and "customer not thanked afterwards" in why


def test_checks_metrics_hold_after_customer_consent_is_met(scorer: Scorer) -> None:
    # The usual shape: the agent asks, the customer agrees, then 30 s of silence.
    t = timed(("agent", 0.0, 3.0, "Hi there"), ("customer", 3.5, 6.0, "my parcel is late"),
              ("agent", 6.5, 9.0, "Let me put you on a really quick hold while I look."),
              ("customer", 9.2, 9.8, "okay"),
              ("agent", 40.0, 44.0, "Thanks so much for holding, it's out for delivery."))
    v, why = hold_verdict(scorer, t)
    assert v == "met", why


def test_checks_metrics_silence_after_customer_unannounced(scorer: Scorer) -> None:
    t = timed(("agent", 0.0, 3.0, "Hi there"), ("customer", 3.5, 6.0, "my parcel is late"),
              ("agent", 6.5, 9.0, "What's the reference?"),
              ("customer", 9.2, 11.0, "it's AB12"),
              ("agent", 45.0, 48.0, "Right, it's out for delivery."))
    v, why = hold_verdict(scorer, t)
    assert v == "not_met" and "not announced beforehand" in why


def test_checks_metrics_declined_hold_offer_is_na_when_timed(scorer: Scorer) -> None:
    # With timings a hold is a silence: an offer the customer turns down is no hold.
    t = timed(("agent", 0.0, 3.0, "Hi there"), ("customer", 3.5, 6.0, "my parcel is late"),
              ("agent", 6.5, 9.0, "Can I pop you on hold to check?"),
              ("customer", 9.2, 11.0, "rather not, just tell me what you see"),
              ("agent", 11.5, 14.0, "Sure, it left the depot today."))
    assert hold_verdict(scorer, t)[0] == "na"


def test_checks_metrics_no_hold_is_na(scorer: Scorer) -> None:
    t = Transcript("u", (Utterance("agent", "Hello"), Utterance("customer", "hi")))
    assert hold_verdict(scorer, t)[0] == "na"


def test_checks_metrics_metric_check_in_a_custom_scorecard(tmp_path: Path) -> None:
    data = {
        "id": "m", "version": "1", "name": "M", "sections": {"calls": {"name": "Calls"}},
        "criteria": {"no_long_silence": {
            "name": "No long silence", "section": "calls", "description": "d",
            "standard": "KPI", "weight": 1,
            "check": {"type": "metric.v1", "metric": "max_silence_s", "max": 30}}},
    }
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data))
    scorer = load_scorer(path)
    long_gap = timed(("agent", 0.0, 2.0, "hi"), ("customer", 40.0, 41.0, "hello"))
    (c,) = scorer.score(long_gap).criteria
    assert (c.verdict, c.explanation) == ("not_met", "max_silence_s = 38.00, expected <= 30")
    short = timed(("agent", 0.0, 2.0, "hi"), ("customer", 3.0, 4.0, "hello"))
    assert scorer.score(short).criteria[0].verdict == "met"
    untimed = Transcript("u", (Utterance("agent", "hi"),))
    assert scorer.score(untimed).criteria[0].verdict == "na"


def test_checks_metrics_misheard_hold_wording_still_counts(scorer: Scorer) -> None:
    # tiny.en hears "pop you on hold" as "pop you on phone" and drops a leading "thank you"
    t = timed(("agent", 0.0, 3.0, "Hi there"), ("customer", 3.5, 6.0, "my parcel is late"),
              ("agent", 6.5, 9.0, "Can I pop you on phone for a minute while I look?"),
              ("customer", 9.2, 9.8, "okay"),
              ("agent", 40.0, 44.0, "For holding, Sam. It's out for delivery."))
    v, why = hold_verdict(scorer, t)
    assert v == "met", why
