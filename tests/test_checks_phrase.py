"""phrase.v1 on the default scorecard: hard negatives, look-alikes, windows, misspellings."""

from __future__ import annotations

import pytest

from qa_analytics.records import Transcript, Utterance
from qa_analytics.scorer import Scorer
from tests.conftest import call


def verdict(scorer: Scorer, transcript: Transcript, cid: str) -> tuple[str, str]:
    result = {c.id: c for c in scorer.score(transcript).criteria}[cid]
    return result.verdict, result.explanation


COMPLAINT = "C: you've charged me twice for my order and nobody has fixed it"


@pytest.mark.parametrize(("lines", "expected"), [
    (("A: Hello, this call may be recorded for training purposes.",), "met"),
    (("A: Hi, calls are recorded and monitored.",), "met"),
    (("A: Thanks for colling, we record all calls for trainee purposes.",), "met"),
    (("A: Hello, this call isn't recorded.",), "not_met"),
    (("A: Hello, this call is not being recorded for training purposes.",), "not_met"),
    (("A: Hello", "C: hi", "A: how can I help", "C: my bill", "A: right",
      "A: oh and this call is recorded"), "not_met"),
    (("A: Hello", "C: is this call recorded?", "A: how can I help"), "not_met"),
])
def test_checks_phrase_recording_disclosure(scorer: Scorer, lines: tuple[str, ...],
                                            expected: str) -> None:
    assert verdict(scorer, call(*lines), "recording_disclosure")[0] == expected


def test_checks_phrase_not_met_says_where_it_looked(scorer: Scorer) -> None:
    v, why = verdict(scorer, call("A: Hello", "C: hi", "A: how can I help"), "recording_disclosure")
    assert v == "not_met"
    assert why == "no recording notice in the agent's first 3 turns"


@pytest.mark.parametrize(("agent", "expected"), [
    ("A: I'm so sorry about that, it shouldn't have happened.", "met"),
    ("A: My apologies, we got that wrong.", "met"),
    ("A: Sorry? What was that?", "not_met"),
    ("A: Sorry, could you repeat that?", "not_met"),
    ("A: Sorry to keep you waiting.", "not_met"),
    ("A: I am not sorry, those are the rules.", "not_met"),
])
def test_checks_phrase_apology_look_alikes(scorer: Scorer, agent: str, expected: str) -> None:
    assert verdict(scorer, call("A: Hello", COMPLAINT, agent), "apology")[0] == expected


def test_checks_phrase_customer_sorry_is_not_the_agents_apology(scorer: Scorer) -> None:
    t = call("A: Hello", "C: Sorry, you've overcharged me again and it's still not fixed",
             "A: Let me look at that.")
    assert verdict(scorer, t, "apology")[0] == "not_met"


def test_checks_phrase_apology_na_without_complaint(scorer: Scorer) -> None:
    t = call("A: Hello", "C: I'd like to change my address please", "A: Sorry, of course.")
    v, why = verdict(scorer, t, "apology")
    assert v == "na"
    assert why.startswith("not applicable")


def test_checks_phrase_greeting_window_and_disfluency(scorer: Scorer) -> None:
    assert verdict(scorer, call("A: um, uh, good good morning"), "greeting")[0] == "met"
    late = call("A: Account number?", "C: 1234", "A: ok", "C: hi", "A: hello there")
    v, why = verdict(scorer, late, "greeting")
    assert v == "not_met" and "first 2 turns" in why


@pytest.mark.parametrize(("agent", "expected"), [
    ("A: Good morning, my name is Sarah, how can I help?", "met"),
    ("A: Hello, this is Priya speaking.", "met"),
    ("A: Hi, you're speaking to Tom.", "met"),
    ("A: Hello, I'm Aisha", "met"),  # no final punctuation (ASR)
    ("A: hello my name's james how can I help", "met"),
    ("A: Hello, you're through to Acme Bank, how can I help?", "not_met"),
    ("A: Hello, this is Acme Bank.", "not_met"),
])
def test_checks_phrase_introduction_needs_own_name(scorer: Scorer, agent: str,
                                                   expected: str) -> None:
    assert verdict(scorer, call(agent), "agent_introduction")[0] == expected


def test_checks_phrase_identity_before_account_detail(scorer: Scorer) -> None:
    ok = call("A: Hello", "C: what's my balance", "A: can I take your date of birth",
              "C: 1 May 1980", "A: your balance is 40 pounds")
    assert verdict(scorer, ok, "identity_verification")[0] == "met"
    late = call("A: Hello", "C: what's my balance", "A: your balance is 40 pounds",
                "C: thanks", "A: can I take your date of birth")
    v, why = verdict(scorer, late, "identity_verification")
    assert v == "not_met"
    assert "after account detail" in why and "agent turn 2" in why
    general = call("A: Hello", "C: what time do you open on Sunday", "A: we open at ten")
    assert verdict(scorer, general, "identity_verification")[0] == "na"


@pytest.mark.parametrize(("ask", "expected"), [
    # one strong identifier, asked for
    ("A: can I take your date of birth please", "met"),
    ("A: and the last four digits of the card?", "met"),
    # two lookup details together, even as a bare request
    ("A: order number and the email you used", "met"),
    # one lookup detail is a lookup, not a check
    ("A: what's the account number there?", "not_met"),
    # a detail mentioned, not asked for
    ("A: the price depends on your date of birth", "not_met"),
])
def test_checks_phrase_identity_needs_a_real_request(scorer: Scorer, ask: str,
                                                     expected: str) -> None:
    t = call("A: Hello", "C: I want to check my balance", ask, "C: sure",
             "A: your balance is 40 pounds")
    assert verdict(scorer, t, "identity_verification")[0] == expected


def test_checks_phrase_identity_lookup_details_add_up_across_turns(scorer: Scorer) -> None:
    t = call("A: Hello", "C: I want to check my balance", "A: account number?", "C: 1234",
             "A: and the name on the account?", "C: Jo Bloggs", "A: your balance is 40 pounds")
    assert verdict(scorer, t, "identity_verification")[0] == "met"


@pytest.mark.parametrize(("agent", "expected"), [
    ("A: Calm down, that's not my problem.", "not_met"),
    ("A: You should have read the terms.", "not_met"),
    ("A: Whatever.", "not_met"),
    ("A: Whatever suits you best is fine.", "met"),
    ("A: Don't worry, it's not your fault at all.", "met"),
])
def test_checks_phrase_prohibited_language(scorer: Scorer, agent: str, expected: str) -> None:
    v, why = verdict(scorer, call("A: Hello", "C: this is ridiculous", agent),
                     "prohibited_language")
    assert v == expected
    if expected == "not_met":
        assert "agent turn 2" in why


def test_checks_phrase_closing_by_customer_does_not_count(scorer: Scorer) -> None:
    t = call("A: Hello", "C: thanks", "A: the refund is done", "C: have a good day, bye")
    assert verdict(scorer, t, "closing")[0] == "not_met"
    t2 = call("A: Hello", "C: thanks", "A: the refund is done",
              "A: Is there anything else I can help with?")
    assert verdict(scorer, t2, "closing")[0] == "met"


def test_checks_phrase_take_action_commitment(scorer: Scorer) -> None:
    t = call("A: Hello", COMPLAINT, "A: I'll refund the second payment today.")
    assert verdict(scorer, t, "take_action")[0] == "met"
    t2 = call("A: Hello", COMPLAINT, "A: I can't refund that, I won't be able to help.")
    assert verdict(scorer, t2, "take_action")[0] == "not_met"


def test_checks_phrase_evidence_points_at_the_utterance(scorer: Scorer) -> None:
    t = Transcript("t", (Utterance("agent", "Hello, calls are recorded.", 0.5, 3.0),))
    crit = {c.id: c for c in scorer.score(t).criteria}["recording_disclosure"]
    assert crit.verdict == "met"
    (ev,) = crit.evidence
    assert (ev.speaker, ev.start_s, ev.end_s, ev.text) == (
        "agent", 0.5, 3.0, "Hello, calls are recorded.")


def test_checks_phrase_pattern_subsets_match_as_the_whole_matcher() -> None:
    # A turn runs only the patterns its words can trigger (indexed by each pattern's rarest
    # required word); the spans must be those of one Matcher holding every pattern.
    from spacy.matcher import Matcher

    from qa_analytics.checks.phrase import PatternBank
    from qa_analytics.nlp import get_nlp, make_doc

    patterns = [
        [{"LOWER": "you"}, {"LOWER": "must"}, {"LOWER": "have"},
         {"LEMMA": {"IN": ["click", "press"]}}],
        [{"LOWER": "i"}, {"LEMMA": {"IN": ["book", "send"]}, "LOWER": {"REGEX": "ed$"}}],
        [{"LOWER": "whatever"}, {"IS_PUNCT": True}],
        [{"IS_TITLE": True}, {"LOWER": "speaking"}],
        [{"IS_TITLE": True}, {"LIKE_NUM": True}],  # no word to index: runs on every turn
        [{"LEMMA": "be"}, {"LOWER": "not"}, {"LOWER": "like"}, {"LOWER": {"IN": ["i", "we"]}}],
    ]
    bank = PatternBank()
    label = bank.add(patterns=patterns, speaker="agent")
    whole = Matcher(get_nlp().vocab)
    whole.add(label, patterns)
    texts = ["You must have clicked the link. Whatever.", "I booked it, Sam speaking.",
             "it's not like we can fly", "I will book it", "whatever price applies",
             "Tom speaking, you must have pressed it, I sent it", "nothing here",
             "It's Flat 12 on Mill Road"]
    for text in texts:
        norm, spans = bank.match(text)
        expected = sorted({(s, e) for _, s, e in whole(make_doc(norm))})
        assert sorted(spans.get(label, ())) == expected, text


def test_checks_phrase_pattern_prefilter_skips_only_impossible_turns() -> None:
    # The Matcher runs only on turns holding every required token of some pattern; a
    # lemma + surface-regex token ("I booked") needs a word with that lemma and ending.
    from qa_analytics.checks.phrase import _passes, _pattern_needs
    from qa_analytics.nlp import normalise

    pattern = [{"LOWER": "i"}, {"LOWER": "just", "OP": "?"},
               {"LEMMA": {"IN": ["book", "send"]}, "LOWER": {"REGEX": "ed$"}}]
    needs = _pattern_needs(pattern)
    assert _passes(needs, normalise("I just booked it"))
    assert not _passes(needs, normalise("I will book it"))  # no past form
    assert not _passes(needs, normalise("they booked it"))  # no "i"
    # a pattern with no required word cannot be prefiltered
    assert _pattern_needs([{"IS_TITLE": True}]) is None


@pytest.mark.parametrize(("agent", "expected"), [
    ("A: You should've renewed when we sent the reminders.", "not_met"),
    ("A: If you'd read the letter you'd know.", "not_met"),
    ("A: That's your bank's problem, not ours.", "not_met"),
    ("A: You should have received an email about it.", "met"),
    ("A: You should have been sent a new card last week.", "met"),
])
def test_checks_phrase_blame_in_other_words(scorer: Scorer, agent: str, expected: str) -> None:
    t = call("A: Hello", COMPLAINT, agent, "C: right")
    assert verdict(scorer, t, "prohibited_language")[0] == expected


@pytest.mark.parametrize(("agent", "expected"), [
    # no phrase or pattern knows this wording; the agent_commitment model does
    ("A: Consider it done, a new one goes out to you first thing tomorrow.", "met"),
    ("A: I'm looking at your account right now.", "not_met"),
])
def test_checks_phrase_take_action_backed_by_commitment_model(scorer: Scorer, agent: str,
                                                   expected: str) -> None:
    t = call("A: Hello", COMPLAINT, agent, "C: right")
    assert verdict(scorer, t, "take_action")[0] == expected


def test_checks_phrase_apology_for_a_failure_makes_apology_apply(scorer: Scorer) -> None:
    # the customer's problem is told in words no model knows, but the agent owns a failure
    t = call("A: Hello", "C: the thing you sent, the box was empty", "A: I'm so sorry about that.")
    assert verdict(scorer, t, "apology")[0] == "met"


def test_checks_phrase_apology_survives_asr_text_without_commas(scorer: Scorer) -> None:
    t = call("A: Hello", COMPLAINT,
             "A: three days is a long time to be without i'm sorry it's let you down like that")
    assert verdict(scorer, t, "apology")[0] == "met"


def test_checks_phrase_identity_applies_when_the_agent_reads_the_account(scorer: Scorer) -> None:
    # caller ID is no verification: reading out the record needs a check first
    t = call("A: Hello, vets.", "C: my dog ate chocolate",
             "A: I've got your number here. I can see Bruno's a Jack Russell, 8 kilos.")
    assert verdict(scorer, t, "identity_verification")[0] == "not_met"


def test_checks_phrase_identity_change_reported_before_the_check(scorer: Scorer) -> None:
    t = call("A: Hello", "C: I've moved, can you update my address",
             "A: so that's your address updated. Oh, can I take your date of birth?")
    assert verdict(scorer, t, "identity_verification")[0] == "not_met"


@pytest.mark.parametrize(("agent", "expected"), [
    # a status read out is not a step the agent owns
    ("A: The tracking says it's been delivered, it's marked as left with a neighbour.", "not_met"),
    ("A: We sent you three reminders about it.", "not_met"),
    # a change done for the customer is
    ("A: Right, that's your address updated.", "met"),
    ("A: i cancelled the order for you", "met"),
])
def test_checks_phrase_take_action_status_is_not_a_step(scorer: Scorer, agent: str,
                                                        expected: str) -> None:
    t = call("A: Hello", COMPLAINT, agent, "C: right")
    assert verdict(scorer, t, "take_action")[0] == expected


@pytest.mark.parametrize(("lines", "expected"), [
    (("A: good evening my name's gordon this call's recorded fur quality",), "met"),
    (("A: collections department", "C: hi", "A: yeah this call is bein recorded"), "met"),
])
def test_checks_phrase_recording_notice_in_dialect_spelling(scorer: Scorer,
                                                            lines: tuple[str, ...],
                                                            expected: str) -> None:
    assert verdict(scorer, call(*lines), "recording_disclosure")[0] == expected


@pytest.mark.parametrize(("last", "expected"), [
    ("pleasure sipho see you thursday and enjoy the puppy bye", "met"),
    ("Right, have a good one.", "met"),
    ("nae bother. is there onything else ah can dae fur ye the now", "met"),
    ("Have a blessed day, ma'am.", "met"),
    ("Mm-hm. Bye.", "not_met"),
    ("Have a look at the website for the form.", "not_met"),
])
def test_checks_phrase_closing_good_wishes(scorer: Scorer, last: str, expected: str) -> None:
    t = call("A: Hello, this is Ana.", "C: I need a new card", "A: I've ordered it.",
             "C: thanks", f"A: {last}")
    assert verdict(scorer, t, "closing")[0] == expected
