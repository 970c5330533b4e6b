"""name_echo.v1: the customer greeting the agent by a name the agent said."""

from __future__ import annotations

import pytest

from qa_analytics.records import Transcript
from qa_analytics.scorer import Scorer
from tests.conftest import call


def introduction(scorer: Scorer, transcript: Transcript) -> str:
    return {c.id: c for c in scorer.score(transcript).criteria}["agent_introduction"].verdict


@pytest.mark.parametrize(("agent", "customer", "expected"), [
    # a name the phrase patterns cannot see, confirmed by the customer's greeting
    ("Corner Drug pharmacy, Dana.", "Hi Dana, I'm calling about my prescription", "met"),
    ("smart meter support um its jack", "oh hiya jack my display's gone blank", "met"),
    ("thank you for calling grandview hotels this is maria calls are recorded",
     "hi maria yeah so I stayed last week", "met"),
    # the customer greets, but not with a word the agent said
    ("Corner Drug pharmacy.", "Hi there, I'm calling about my prescription", "not_met"),
    # lower case: nothing says the word is a name
    ("Corner Drug pharmacy.", "hi dana i'm calling about my prescription", "not_met"),
    # ASR heard the agent's name differently from the customer's greeting
    ("Hi, thanks for calling PCCS, NISTY brand and just a heads up", "Hey, Brandon, I need to "
     "cancel my membership", "met"),
    ("Skyline Mobile, how can I help?", "Hello, yes, my phone's broken", "not_met"),
])
def test_name_echo_confirms_the_agents_name(scorer: Scorer, agent: str, customer: str,
                                            expected: str) -> None:
    assert introduction(scorer, call(f"A: {agent}", f"C: {customer}", "A: Sure.")) == expected


def test_name_echo_a_name_only_the_customer_says_goes_to_review(scorer: Scorer) -> None:
    # the agent's channel lost the name, but the customer knows it: met, with low confidence
    t = call("A: Corner Drug pharmacy.", "C: Hi Dana, I'm calling about my prescription",
             "A: Sure.")
    result = {c.id: c for c in scorer.score(t).criteria}["agent_introduction"]
    assert result.verdict == "met"
    assert result.confidence < 0.7
    assert result.evidence[0].speaker == "customer"


def test_name_echo_needs_the_agent_to_have_spoken_first(scorer: Scorer) -> None:
    t = call("C: Hi Sam, it's about my flight", "A: Bookings line, how can I help?",
             "C: my flight", "A: Sure.")
    assert introduction(scorer, t) == "not_met"


def test_name_echo_evidence_is_the_agents_turn(scorer: Scorer) -> None:
    t = call("A: Corner Drug pharmacy, Dana.", "C: Hi Dana, quick question", "A: Go ahead.")
    result = {c.id: c for c in scorer.score(t).criteria}["agent_introduction"]
    assert result.evidence[0].speaker == "agent"
    assert "Dana" in result.evidence[0].text


@pytest.mark.parametrize("customer", [
    # a full stop ends the greeting: "Aye" is no name
    "Hello. Aye, it's Pauline Dodds, I'm ringing about me prescription",
    # no greeting at all: "so you see you have taken it twice"
    "so you see you have taken it twice can you refund it",
])
def test_name_echo_needs_a_greeting_right_before_the_name(scorer: Scorer, customer: str) -> None:
    t = call("A: Elmfield Surgery, just so you know calls are recorded.", f"C: {customer}",
             "A: Right.")
    assert introduction(scorer, t) == "not_met"
