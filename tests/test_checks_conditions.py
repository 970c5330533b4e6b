"""Conditions: speaker, time/turn windows (with fallback), negation."""

from __future__ import annotations

from qa_analytics.checks.conditions import Window, negated, select_indices
from qa_analytics.records import Transcript, Utterance

TIMED = Transcript("t", (
    Utterance("agent", "a0", 0.0, 5.0), Utterance("customer", "c1", 5.0, 20.0),
    Utterance("agent", "a2", 20.0, 50.0), Utterance("agent", "a3", 70.0, 80.0),
    Utterance("customer", "c4", 80.0, 100.0), Utterance("agent", "a5", 100.0, 110.0),
))
UNTIMED = Transcript("u", tuple(Utterance(u.speaker, u.text) for u in TIMED.utterances))


def test_conditions_speaker_and_turn_windows() -> None:
    assert select_indices(TIMED, "agent", None) == ([0, 2, 3, 5], "the agent's turns")
    assert select_indices(TIMED, "customer", Window(first_turns=1)) == (
        [1], "the customer's first 1 turns")
    assert select_indices(TIMED, "agent", Window(last_turns=2)) == (
        [3, 5], "the agent's last 2 turns")
    assert select_indices(TIMED, "any", None) == ([0, 1, 2, 3, 4, 5], "the whole call")


def test_conditions_time_windows_use_seconds_when_timed() -> None:
    indices, scope = select_indices(TIMED, "agent", Window(first_s=60, first_turns=1))
    assert indices == [0, 2] and scope == "the agent's turns in the first 60 s"
    indices, scope = select_indices(TIMED, "agent", Window(last_s=35))
    assert indices == [3, 5] and scope == "the agent's turns in the last 35 s"


def test_conditions_time_window_falls_back_to_turns_without_times() -> None:
    indices, scope = select_indices(UNTIMED, "agent", Window(first_s=60, first_turns=1))
    assert indices == [0] and scope == "the agent's first 1 turns"
    indices, scope = select_indices(UNTIMED, "agent", Window(first_s=60))
    assert indices == [0, 2, 3, 5] and "no timings" in scope


def test_conditions_negation_in_the_same_clause_only() -> None:
    lemmas = ("this", "call", "be", "not", "record")
    assert negated(lemmas, 4)  # "not" right before "record"
    assert not negated(("no", ".", "the", "call", "be", "record"), 5)  # new sentence
    assert not negated(("no", "problem", "the", "call", "be", "record"), 5, window=3)
    assert not negated(("i", "understand", "but", "call", "be", "record"), 5)


def test_conditions_no_as_interjection_is_not_negation() -> None:
    from qa_analytics.checks.conditions import negated
    from qa_analytics.nlp import normalise

    def neg(text: str, word: str) -> bool:
        lemmas = normalise(text).lemmas
        return negated(lemmas, lemmas.index(word))

    assert not neg("No problem, I've sent it", "i")
    assert not neg("no worries I will email it", "i")
    assert not neg("No, you're booked in", "you")
    assert neg("this call is not recorded", "record")
    assert neg("we have no record", "record")
