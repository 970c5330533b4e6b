"""The default scorecard's rules on short calls written for these tests (DEFAULT_SCORECARD.md).

Each case is one failure mode seen in error analysis, in this file's own wording: lower-case
ASR names, "G'day", bare requests for identifying details, disclosure before verification in
the same turn, commitments phrased as "I'm crediting" or "Done.", enquiries that need no
action, patronising remarks, a bare "bye" as the only close.
"""

from __future__ import annotations

import pytest

from qa_analytics.records import Transcript, Utterance
from qa_analytics.scorer import Scorer, load_scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return load_scorer().build()


def call(*turns: str) -> Transcript:
    """Alternating agent/customer turns, agent first, without timings."""
    utts = []
    for n, text in enumerate(turns):
        speaker = "agent" if n % 2 == 0 else "customer"
        utts.append(Utterance(speaker, text))
    return Transcript("t", tuple(utts))


def timed_call(*turns: tuple[str, float, float]) -> Transcript:
    """Alternating agent/customer turns, agent first, with (text, start_s, end_s)."""
    return Transcript("t", tuple(
        Utterance("agent" if n % 2 == 0 else "customer", text, start, end)
        for n, (text, start, end) in enumerate(turns)))


def verdict(scorer: Scorer, t: Transcript, criterion: str) -> str:
    return {c.id: c.verdict for c in scorer.score(t).criteria}[criterion]


@pytest.mark.parametrize("opening", [
    "hello you're through to northgate water it's fiona speaking",
    "morning helpdesk kwame speaking how can i help",
    "hi thanks for calling you're talking with ollie calls may be recorded",
    "hello thanks for calling pine bank you're speaking to maeve",
    "Good afternoon, Riverside Dental, it's Priti.",
])
def test_rules_lower_case_and_short_names_are_introductions(scorer: Scorer,
                                                            opening: str) -> None:
    assert verdict(scorer, call(opening, "hi"), "agent_introduction") == "met"


@pytest.mark.parametrize("opening", [
    "hello you're through to green valley broadband how can i help",
    "Good morning, it's fine to call back later.",
    "hello billing team speaking",
])
def test_rules_company_or_department_is_not_an_introduction(scorer: Scorer,
                                                           opening: str) -> None:
    assert verdict(scorer, call(opening, "hi"), "agent_introduction") == "not_met"


def test_rules_gday_is_a_greeting(scorer: Scorer) -> None:
    assert verdict(scorer, call("G'day, Bluegum Energy.", "hi"), "greeting") == "met"


def test_rules_bare_requests_for_details_verify_identity(scorer: Scorer) -> None:
    t = call("Hello, Acme Telecom.", "my bill is wrong",
             "Policy number?", "PN 4471",
             "Surname and postcode for security.", "Patel, AB1 2CD",
             "Thanks. I can see the charge on your account, I'll remove it.", "great")
    assert verdict(scorer, t, "identity_verification") == "met"


def test_rules_disclosure_before_request_in_one_turn_is_not_met(scorer: Scorer) -> None:
    t = call("Hello, Acme Telecom.", "my bill is wrong",
             "I can see nine hundred pounds of charges there. What's your date of birth?",
             "first of May")
    assert verdict(scorer, t, "identity_verification") == "not_met"


def test_rules_change_before_verification_is_not_met(scorer: Scorer) -> None:
    t = call("Hello, Acme Telecom.", "please move my plan to the bigger one",
             "Sure, I'm switching it over now.", "thanks",
             "Oh, can I take your account number and date of birth?", "AC 991, 2 June")
    assert verdict(scorer, t, "identity_verification") == "not_met"


def test_rules_caller_id_lookup_is_not_verification(scorer: Scorer) -> None:
    t = call("Hello, Acme Insurance.", "where is my claim",
             "I've found your claim by your phone number, it's still pending.", "oh")
    assert verdict(scorer, t, "identity_verification") == "not_met"


@pytest.mark.parametrize("commitment", [
    "I'm crediting the twenty pounds back to your card now.",
    "Done. The engineer comes on Friday morning.",
    "I've gone ahead and rebooked you onto the later train.",
    "i'm gonna post you a new router today",
    "We'll cover the cost of the taxi and I'll text you the claim form.",
    "I'm going to put a stop on the card right away.",
])
def test_rules_owned_next_steps_take_action(scorer: Scorer, commitment: str) -> None:
    t = call("Hello, Acme.", "my router keeps dropping the connection, it's not working",
             commitment, "thanks")
    assert verdict(scorer, t, "take_action") == "met"


def test_rules_enquiry_answered_in_full_needs_no_action(scorer: Scorer) -> None:
    t = call("Hello, Acme Leisure, how can I help?",
             "what time does the pool open on Saturdays?",
             "The pool opens at seven on Saturdays.", "and is there parking?",
             "Yes, free parking behind the building.", "lovely, that's all I wanted to know",
             "Anything else? Have a good day.")
    assert verdict(scorer, t, "take_action") == "na"


def test_rules_sending_the_customer_away_is_not_met(scorer: Scorer) -> None:
    t = call("Hello, Acme Retail.", "the toaster you sent me is broken",
             "You'd have to take it back to the store.", "can't you send another?",
             "No.")
    assert verdict(scorer, t, "take_action") == "not_met"


@pytest.mark.parametrize("remark", [
    "Honestly, it's not rocket science to plug in a cable.",
    "You should have checked the dates before you paid.",
    "Like I said before, most people know that.",
    "Well that's not our fault, is it.",
])
def test_rules_patronising_or_blaming_is_prohibited(scorer: Scorer, remark: str) -> None:
    t = call("Hello, Acme.", "my order never came", remark, "okay")
    assert verdict(scorer, t, "prohibited_language") == "not_met"


def test_rules_informative_should_have_is_not_blaming(scorer: Scorer) -> None:
    t = call("Hello, Acme.", "where is my code", "You should have received a text by now.",
             "okay")
    assert verdict(scorer, t, "prohibited_language") == "met"


def test_rules_bare_bye_is_not_a_proper_close(scorer: Scorer) -> None:
    t = call("Hello, Acme.", "my order never came", "Sorted now.", "okay then, bye",
             "Yeah, bye.")
    assert verdict(scorer, t, "closing") == "not_met"


def test_rules_asking_for_a_reference_is_not_disclosure(scorer: Scorer) -> None:
    # "your booking reference" asks for a detail; "may I have" is no change made
    t = call("Hello, Acme Travel.", "my hotel has been cancelled",
             "Oh no. May I have your booking reference and surname?", "ZX9, Okafor",
             "Thanks. I can see the cancellation, I'll rebook it now.", "thanks")
    assert verdict(scorer, t, "identity_verification") == "met"


def test_rules_recording_for_security_is_not_verification(scorer: Scorer) -> None:
    t = call("Hello, Acme Bank, calls are recorded for security.", "what's my balance",
             "Your balance is two hundred pounds.", "thanks")
    assert verdict(scorer, t, "identity_verification") == "not_met"


def test_rules_area_wide_information_needs_no_verification(scorer: Scorer) -> None:
    t = call("Hello, Acme Council.", "are the bins late on our road",
             "I can see Elm Road was missed because of the snow, the crew comes back today.",
             "thanks")
    assert verdict(scorer, t, "identity_verification") == "na"


def test_rules_agent_naming_a_known_fault_makes_apology_apply(scorer: Scorer) -> None:
    # The customer only states facts; the agent says the product has a known fault.
    t = call("Hello, Acme Energy.", "I'm calling about the smart meter screen that went blank",
             "I've checked it and that's a known issue with that model. I'm sending a "
             "replacement now.", "okay")
    assert verdict(scorer, t, "apology") == "not_met"


@pytest.mark.parametrize("owning", [
    "that's a mistake on our side",
    "that's a lapse on our side, it shouldn't have happened",
    "this is our warehouse mistake",
    "we dropped the ball on that",
    "I really regret that",
    "we should have rung you back, and that one is on us",
])
def test_rules_owning_the_fault_is_an_apology(scorer: Scorer, owning: str) -> None:
    # DEFAULT_SCORECARD.md: "that shouldn't have happened, we got that wrong" apologises
    t = call("Hello, Acme Energy.", "I'm calling about the bill that came on Tuesday",
             f"I've checked it and the reading was never applied, {owning}. I'm reissuing "
             "it now.", "okay")
    assert verdict(scorer, t, "apology") == "met"


def test_rules_denying_the_fault_is_no_apology(scorer: Scorer) -> None:
    t = call("Hello, Acme Energy.", "my bill is wrong, you charged me twice",
             "I've checked it and that's not our fault, the bank sent it twice.", "okay")
    assert verdict(scorer, t, "apology") == "not_met"


@pytest.mark.parametrize("trouble", [
    "I got my PIN wrong three times and the machine blocked my card",
    "someone stole my car from the drive last night",
])
def test_rules_own_mistakes_and_thefts_need_no_apology(scorer: Scorer, trouble: str) -> None:
    t = call("Hello, Acme Bank.", trouble, "Right, let me help with that.", "thanks")
    assert verdict(scorer, t, "apology") == "na"


def test_rules_failure_told_as_an_event_is_a_complaint(scorer: Scorer) -> None:
    t = call("Hello, Acme Air.", "my connecting flight has been cancelled",
             "Right, I've moved you onto the next one.", "thanks")
    assert verdict(scorer, t, "apology") == "not_met"


@pytest.mark.parametrize("commitment", [
    "I booked that in for Friday, you'll get a text.",  # ASR lost "'ve"
    "I am unblocking the card while we speak.",
    "I texted you the link a moment ago.",
])
def test_rules_commitments_through_asr_and_lookup_gaps(scorer: Scorer,
                                                       commitment: str) -> None:
    t = call("Hello, Acme.", "my card isn't working at the shops", commitment, "thanks")
    assert verdict(scorer, t, "take_action") == "met"


@pytest.mark.parametrize("answer", [
    "It's called the saver plan, five pounds a month.",
    "Once you've moved in, you apply online.",
    "It's all done already, it went out on Monday.",
])
def test_rules_information_is_not_a_commitment(scorer: Scorer, answer: str) -> None:
    t = call("Hello, Acme.", "what is the cheapest plan you have?", answer,
             "great, that's all I needed to know")
    assert verdict(scorer, t, "take_action") == "na"


def test_rules_misheard_recording_notice(scorer: Scorer) -> None:
    t = call("Hello, Acme, call our recorded for training.", "hi")
    assert verdict(scorer, t, "recording_disclosure") == "met"


def test_rules_customer_introduction_is_no_problem(scorer: Scorer) -> None:
    t = call("Hello, Acme Bank.", "hi, this is Wendy Marsh",
             "Hi Wendy, what can I do for you?", "what's the rate on the easy saver?",
             "It's three percent.", "lovely, thanks")
    assert verdict(scorer, t, "empathy") == "na"


def test_rules_policy_refusal_is_not_empathy(scorer: Scorer) -> None:
    t = call("Hello, Acme Retail.", "the kettle you sold me stopped working, I'm fed up",
             "That's outside the returns period now.", "really?", "Yes.")
    assert verdict(scorer, t, "empathy") == "not_met"


def test_rules_contracted_patronising_remark(scorer: Scorer) -> None:
    # "it's" must meet the phrase "it be really simple"
    t = call("Hello, Acme.", "the app won't log me in", "It's really simple, honestly.",
             "okay")
    assert verdict(scorer, t, "prohibited_language") == "not_met"


@pytest.mark.parametrize("opening", [
    "Hello, Acme Energy, you're speaking to me, Miss Carla.",  # a misheard name
    "morning acme energy your speaking with tolerance calls are recorded",
])
def test_rules_speaking_with_someone_through_asr(scorer: Scorer, opening: str) -> None:
    assert verdict(scorer, call(opening, "hi"), "agent_introduction") == "met"


def test_rules_speaking_with_a_team_is_not_a_name(scorer: Scorer) -> None:
    t = call("Hello, you're speaking with customer services.", "hi")
    assert verdict(scorer, t, "agent_introduction") == "not_met"


def test_rules_asking_to_hold_is_not_a_commitment(scorer: Scorer) -> None:
    t = call("Hello, Acme Mobile.", "when does my contract end?",
             "Do you mind if I put you on hold while I look?", "fine",
             "It ends in June.", "that's all I needed to know, thanks")
    assert verdict(scorer, t, "take_action") == "na"


def test_rules_plain_acknowledgement_of_annoyance_is_empathy(scorer: Scorer) -> None:
    t = call("Hello, Acme Hire.", "you've charged me for fuel but I brought it back full",
             "That's annoying when you filled it up. Let me look.", "thanks")
    assert verdict(scorer, t, "empathy") == "met"


def test_rules_cancelled_service_is_a_complaint_but_asking_to_cancel_is_not(
        scorer: Scorer) -> None:
    failed = call("Hello, Acme Rail.", "my train on Friday was cancelled",
                  "I've refunded the ticket.", "thanks")
    asked = call("Hello, Acme Gym.", "I'd like my membership to be cancelled please",
                 "I've cancelled it.", "thanks")
    assert verdict(scorer, failed, "apology") == "not_met"
    assert verdict(scorer, asked, "apology") == "na"


def test_rules_misheard_date_of_birth_is_still_a_verification_request(
        scorer: Scorer) -> None:
    t = call("Hello, Acme Bank.", "I want to check my balance",
             "Can I take your name and make a birth please?", "Ann Lee, 2 May",
             "Thanks. Your balance is forty pounds.", "thanks")
    assert verdict(scorer, t, "identity_verification") == "met"
    t2 = call("Hello, Acme Council.", "I need a copy of a birth certificate",
              "You can order one online.", "thanks")
    assert verdict(scorer, t2, "identity_verification") == "na"


def test_rules_condolence_is_not_an_apology(scorer: Scorer) -> None:
    # the customer also complains, so apology applies; condolences alone do not meet it
    t = call("Hello, Acme Life.", "my mum died and your letters keep coming addressed to her, "
             "it's not good enough",
             "I'm so sorry for your loss. I'll stop the letters today.", "thank you")
    assert verdict(scorer, t, "apology") == "not_met"


@pytest.mark.parametrize("remark", [
    "What do you want me to do about it?",
    "I haven't got all day, get to the point.",
    "You're not listening, I just told you.",
    "Look, I don't know what to tell you, the van has gone.",
    "It's only a few pounds difference, not a big deal for a complaint.",
    "it's christmas week everybody waiting not only you all",
    "Half the calls I get are people who can't find the on switch.",
    "Well, I'm sure the dent just appeared by itself overnight.",
    "You are supposed to check the parcel before you sign for it.",
    "If you hadn't been messing with the router it would have reset.",
    "Honestly, you really should have had it serviced every year.",
    "Refunds are not my department, email finance.",
])
def test_rules_dismissive_remarks_are_prohibited(scorer: Scorer, remark: str) -> None:
    t = call("Hello, Acme.", "my order never came", remark, "okay")
    assert verdict(scorer, t, "prohibited_language") == "not_met"


@pytest.mark.parametrize("commitment", [
    "Let me reset that for you now.",
    "I'll get someone from the repairs team to ring you this afternoon.",
    "You'll receive a refund within five working days.",
])
def test_rules_more_commitment_wordings(scorer: Scorer, commitment: str) -> None:
    t = call("Hello, Acme.", "my router keeps dropping the connection, it's not working",
             commitment, "thanks")
    assert verdict(scorer, t, "take_action") == "met"


def test_rules_let_me_ask_is_not_a_commitment(scorer: Scorer) -> None:
    t = call("Hello, Acme.", "my router keeps dropping the connection, it's not working",
             "Let me ask you a few questions first.", "sure")
    assert verdict(scorer, t, "take_action") == "not_met"


@pytest.mark.parametrize("request_", [
    "Can you confirm the address we have on file and your date of birth?",
    "And your mother's maiden name?",
    "Could you read me the verification code we sent you?",
])
def test_rules_more_verification_requests(scorer: Scorer, request_: str) -> None:
    t = call("Hello, Acme Bank.", "I need to check my balance", request_, "sure",
             "Thanks. Your balance is forty pounds.", "thanks")
    assert verdict(scorer, t, "identity_verification") == "met"


@pytest.mark.parametrize("opening", [
    "Hello, Acme Bank, it's Sam calling from the fraud team.",
    "good afternoon harbour clinic it's tameka on the line",
    "Good afternoon, Crescent Motor, Hina this side. How may I help?",
])
def test_rules_more_ways_to_give_a_name(scorer: Scorer, opening: str) -> None:
    assert verdict(scorer, call(opening, "hi"), "agent_introduction") == "met"


@pytest.mark.parametrize("opening", [
    "Hello, Acme Bank, it's just calling to check in.",
    "hello harbour clinic someone on the line will help",
    "Hello, Acme, on this side of the office we do claims.",
])
def test_rules_name_slots_need_a_name(scorer: Scorer, opening: str) -> None:
    assert verdict(scorer, call(opening, "hi"), "agent_introduction") == "not_met"


def test_rules_looking_up_the_booking_is_not_disclosure(scorer: Scorer) -> None:
    # "let me pull up your booking" announces a lookup; the details are asked before anything
    # is read out
    t = call("Hello, Acme Removals.", "I need to move my booking to next week",
             "Let me pull up your booking, can I get the booking number and the postcode?",
             "RM22, AB1 2CD", "Thanks, I can see it for Tuesday, I've moved it to the 9th.", "ok")
    assert verdict(scorer, t, "identity_verification") == "met"


@pytest.mark.parametrize("disclosure", [
    "okay i see your plan here the gold one with sixty dollar copay",
    "so i see you bought the watch on march second",
    "yep i see it, you were in room twelve for three nights",
    "So that bill's two hundred and twelve pounds, from a reading on the third.",
])
def test_rules_reading_the_account_before_the_check_fails_it(scorer: Scorer,
                                                             disclosure: str) -> None:
    t = call("Hello, Acme.", "my bill is wrong and I'm fed up", "What's your surname?", "Khan",
             disclosure, "right", "Can I take your date of birth for security?", "1 May 1980")
    assert verdict(scorer, t, "identity_verification") == "not_met"


def test_rules_asking_for_lookup_details_makes_verification_apply(scorer: Scorer) -> None:
    # the customer never says "my account", but the agent needs the account to help
    t = call("Hello, Sunny Solar.", "the panels you fitted show an error light",
             "Can I get your customer number and the install address?", "SC31, 9 Oak Court",
             "Thanks, I'll book a technician.", "ok")
    assert verdict(scorer, t, "identity_verification") == "met"


def test_rules_agent_confirming_the_check_passed_counts(scorer: Scorer) -> None:
    # ASR garbled the security question; "that's you verified" shows it was asked
    t = call("hiya skylark broadband", "my dongle keeps dropping out",
             "can i take your account number and then the answer to your secure tea quest",
             "sk4412 and partick", "brilliant thank you that's you verified, i can see the "
             "router on your account", "ok")
    assert verdict(scorer, t, "identity_verification") == "met"


def test_rules_documents_to_bring_are_not_verification(scorer: Scorer) -> None:
    t = call("Hello, Acme Tax.", "what do I bring to my appointment",
             "Your photo ID, and Social Security cards for everyone you claim.", "ok")
    assert verdict(scorer, t, "identity_verification") != "met"


@pytest.mark.parametrize(("lines", "expected"), [
    (("Claims, Dinuka.", "hi, my claim"), "met"),
    (("HomeShield claims, Marisol.", "hi, yeah, my fridge"), "met"),
    (("RailCZ passenger information, Tereza.", "hello"), "met"),
    # ASR split the company name "Fitnot" into a negation
    (("hiya fit not craig here", "hiya craig"), "met"),
    # thanking the customer by name, a later turn, or a title and name is not the agent's
    (("Claims department.", "it's Maria Lopez", "Thanks, Maria."), "not_met"),
    (("Good morning, Mr Daniel.", "hi"), "not_met"),
])
def test_rules_department_then_own_name_in_first_turn(scorer: Scorer, lines: tuple[str, ...],
                                                      expected: str) -> None:
    assert verdict(scorer, call(*lines), "agent_introduction") == expected


@pytest.mark.parametrize("request_line", [
    "Could I have your full name and the first four characters of your ID card?",
    "Please tell me your IIN and your code word.",
    "Can I get the confirmation code and the last name please?",
    "What's the rental agreement number and the driver's full name?",
    "uh could you tell me the booking referents and the family name please",
])
def test_rules_national_ids_codes_and_agreement_numbers_verify(scorer: Scorer,
                                                               request_line: str) -> None:
    t = call("Hello, Acme.", "my bill is wrong", request_line, "sure, here they are",
             "Thanks, I've corrected the bill.", "ok")
    assert verdict(scorer, t, "identity_verification") == "met"


def test_rules_giving_the_customer_a_reference_is_not_a_request(scorer: Scorer) -> None:
    # "your address" in a statement and "your reference is ..." are the agent talking, not
    # asking: a council-wide outage needs no check
    t = call("City water faults.", "no water on our street since six",
             "There's a burst main, I'm putting your address on the tanker list.", "ok",
             "Your reference is WF 0931, they'll phone before they come.", "thanks")
    assert verdict(scorer, t, "identity_verification") == "na"


@pytest.mark.parametrize("disclosure", [
    "you have unpaid balance of eighty five thousand from last month",
    "Yes, I have it. Sum insured twelve thousand, premiums are up to date.",
    "last payment was the first of october from your account ending six six two",
    "I see the transfer for two hundred dollars, it's on hold",
])
def test_rules_balances_cover_and_payments_read_out_need_a_check_first(
        scorer: Scorer, disclosure: str) -> None:
    t = call("Hello, Acme.", "something's wrong, I'm calling about the money",
             disclosure, "right", "Can I take your date of birth for security?", "1 May 1980")
    assert verdict(scorer, t, "identity_verification") == "not_met"


@pytest.mark.parametrize(("worry", "acknowledgement"), [
    ("I'm so worried someone will use my card.", "Losing it on a bus like that, it's scary."),
    ("Honestly I'm a bit down about it.", "I can see why you feel that way."),
    ("My gran's tablets run out on Friday.", "I can hear how worried you are."),
    ("Three days with no light and the kids have exams.", "Sannu, that is not a small thing."),
])
def test_rules_plain_worry_and_its_acknowledgement(scorer: Scorer, worry: str,
                                                   acknowledgement: str) -> None:
    t = call("Hello, Acme.", worry, acknowledgement, "thanks")
    assert verdict(scorer, t, "empathy") == "met"


def test_rules_saying_you_are_worried_makes_empathy_apply(scorer: Scorer) -> None:
    t = call("Hello, Acme.", "I'm really scared it won't arrive in time.",
             "The parcel is due tomorrow.", "ok")
    assert verdict(scorer, t, "empathy") == "not_met"


@pytest.mark.parametrize("line", ["Sorry.", "sorry"])
def test_rules_a_turn_of_only_sorry_is_a_pardon(scorer: Scorer, line: str) -> None:
    t = call("Hello, Acme Bank.", "your machine didn't dispense but took my money", line,
             "I said the ATM took my money", "It will reverse in a day.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


def test_rules_sorry_for_the_wait_is_not_an_apology(scorer: Scorer) -> None:
    t = call("Hello, Acme Net.", "my internet has been down since yesterday",
             "Thanks for waiting, sorry it took a while. There's no signal at your end.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


@pytest.mark.parametrize("complaint", [
    "the sofa came yesterday and there's a tear right across the back",
    "the zip's packed it in the first time we used it",
    "your machine did not dispense but the money has left my account",
    "every time I reach the last page the portal kicks me out",
])
def test_rules_damage_and_failing_machines_are_complaints(scorer: Scorer,
                                                         complaint: str) -> None:
    t = call("Hello, Acme.", complaint, "Okay, can I take the order number?", "AB12",
             "Thanks, it's noted.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


@pytest.mark.parametrize("step", [
    "This once, I'll take off the late fee.",
    "I'm putting two boxes aside for you until Sunday.",
    "Okay, two boxes reserved for Amina until one o'clock.",
])
def test_rules_waiving_and_reserving_are_commitments(scorer: Scorer, step: str) -> None:
    t = call("Hello, Acme.", "can you keep some for me, I can't come till Sunday", step, "ok")
    assert verdict(scorer, t, "take_action") == "met"


def test_rules_prices_given_earlier_are_not_a_step(scorer: Scorer) -> None:
    t = call("Hello, Acme Resort.", "how much is a family room in May?",
             "Two hundred a night, breakfast included.", "great, thanks",
             "The prices I gave you are valid until the end of the month.", "bye")
    assert verdict(scorer, t, "take_action") == "na"


@pytest.mark.parametrize("opening", [
    "good evening gang etic power this is so rob this call is recorded how can i help",
    "good morning shwe garden hotel this is theory how may i help you",
    "hello youre through to beacon mobile my names tay oh how can i help you today",
])
def test_rules_asr_mangled_names_in_the_opening_turn(scorer: Scorer, opening: str) -> None:
    assert verdict(scorer, call(opening, "hi"), "agent_introduction") == "met"


@pytest.mark.parametrize(("lines", "expected"), [
    (("Lone Star claims.", "my claim", "All right, I'm Wade, I'll be looking after you.",
      "ok"), "met"),
    # lower-case team words between "this is" and the next clause are no name
    (("hello this is customer care how can i help", "hi"), "not_met"),
    (("hi this is the billing team how can i help", "hi"), "not_met"),
])
def test_rules_name_before_the_next_clause(scorer: Scorer, lines: tuple[str, ...],
                                           expected: str) -> None:
    assert verdict(scorer, call(*lines), "agent_introduction") == expected


def test_rules_worry_alone_does_not_make_take_action_apply(scorer: Scorer) -> None:
    # a worried enquiry answered in full needs no owned step
    t = call("Hello, Graduate Admissions.", "the deadline is April, yes? I'm really worried",
             "Yes, the thirtieth of April. You can upload the test result later.",
             "okay, that is a relief", "Anything else?", "no, bye")
    assert verdict(scorer, t, "take_action") == "na"


def test_rules_contact_at_some_point_is_sending_away(scorer: Scorer) -> None:
    t = call("Hello, Acme Cover.", "how do I claim for my laptop?",
             "You must open the claim yourself online, then the claims team will contact you "
             "at some point.", "ok")
    assert verdict(scorer, t, "take_action") == "not_met"


@pytest.mark.parametrize("remark", [
    "well the restaurant is busy on thursdays, maybe you order earlier next time",
    "Sir, the system doesn't lie. You know where the caps lock key is, na?",
    "All this is on our website. If people just read it they wouldn't need to call.",
    "Whatever, I'll just put it through as a cancellation.",
    "well it'd be a bit useless without, wouldn't it",
    "There you go. And please, this time, note the password down somewhere.",
])
def test_rules_blame_as_advice_doubt_and_sarcasm_are_prohibited(scorer: Scorer,
                                                                remark: str) -> None:
    t = call("Hello, Acme.", "my order came late and cold", remark, "okay")
    assert verdict(scorer, t, "prohibited_language") == "not_met"


@pytest.mark.parametrize("line", [
    "If you order before four next time, it goes out the same day.",
    "Whatever you need, I'll put it through today.",
    "The system shows the payment on the fifth, let's check your statement too.",
])
def test_rules_advice_and_offers_are_not_prohibited(scorer: Scorer, line: str) -> None:
    t = call("Hello, Acme.", "my order came late", line, "okay")
    assert verdict(scorer, t, "prohibited_language") == "met"


@pytest.mark.parametrize("complaint", [
    "I cancelled in January and I've just been charged again.",
    "i put in a claim in june and i havent heard a thing since",
    "the transformer made a big bang and then every thing went off",
])
def test_rules_charges_silence_and_outages_are_complaints(scorer: Scorer,
                                                          complaint: str) -> None:
    # a complaint makes the apology apply; the agent only takes details, so it is not met
    t = call("Hello, Acme.", complaint, "Okay, can I take the account number?", "AB12",
             "Thanks, it's noted.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


def test_rules_a_real_pain_is_empathy(scorer: Scorer) -> None:
    t = call("Hello, Acme Gym.", "you charged me again after I cancelled, it's driving me nuts",
             "That's our mistake. Having to chase us for it on top is a real pain.",
             "yeah it is", "I've refunded both charges.", "thanks")
    assert verdict(scorer, t, "empathy") == "met"


@pytest.mark.parametrize("acknowledgement", [
    "I know it is very worrying when the rent money is stuck like that.",
    "i can understand the tension it's your engineering seat",
])
def test_rules_more_plain_acknowledgements(scorer: Scorer, acknowledgement: str) -> None:
    t = call("Hello, Acme.", "the money left my account but the payment failed, I'm worried",
             acknowledgement, "ok")
    assert verdict(scorer, t, "empathy") == "met"


def test_rules_sarcastic_that_must_be_is_no_empathy(scorer: Scorer) -> None:
    t = call("Hello, Acme Broadband.", "my internet is dead for four days, I'm so stressed, "
             "I restarted the router fifty times", "Well, fifty restarts, that must be some "
             "kind of record, sir.", "are you joking with me?")
    assert verdict(scorer, t, "empathy") == "not_met"


def test_rules_being_vexed_is_distress(scorer: Scorer) -> None:
    t = call("Hello, Beacon Mobile.", "yeah so im not gonna lie im vexed about this bill",
             "Can I take your date of birth?", "third of april")
    assert verdict(scorer, t, "empathy") == "not_met"


def test_rules_a_time_of_day_in_an_answer_is_no_greeting(scorer: Scorer) -> None:
    t = call("Lanka Hospital, channelling counter, Dilani speaking.", "which days is he in?",
             "Mondays and Thursdays from four thirty, and Tuesday mornings from eight.", "ok")
    assert verdict(scorer, t, "greeting") == "not_met"
    assert verdict(scorer, call("Good morning, Lanka Hospital.", "hi"), "greeting") == "met"


@pytest.mark.parametrize(("last_turns", "expected"), [
    (("That's the process. Was there owt else?", "no. ta-ra"), "met"),
    # thanks for waiting and a bare bye close nothing
    (("thanks heaps for waiting, it's all gone through", "oh good",
      "and the tracking link's in your email", "great bye", "yep bye"), "not_met"),
])
def test_rules_closing_offers_and_look_alikes(scorer: Scorer, last_turns: tuple[str, ...],
                                              expected: str) -> None:
    t = call("Hello, Acme.", "my parcel never came", *last_turns)
    assert verdict(scorer, t, "closing") == expected


def test_rules_caller_id_read_as_a_fact_is_no_request(scorer: Scorer) -> None:
    # "I have your registered number here" is caller ID; the request comes after the fee
    t = call("Card services, Minh Anh speaking.", "why is there an annual fee on my card?",
             "Let me have a look, I have your registered number here. Yes, I see the annual "
             "fee charged on the fifth on your Platinum card. For security, can I have your "
             "date of birth?", "fifteenth of October")
    assert verdict(scorer, t, "identity_verification") == "not_met"


def test_rules_account_found_by_caller_id_needs_a_check(scorer: Scorer) -> None:
    t = call("metro fiber whats going on", "my internets been down since tuesday",
             "okay i got you up here off the number youre calling from youre on the three "
             "hundred meg plan", "so when is it back", "theres an outage in your area", "ok")
    assert verdict(scorer, t, "identity_verification") == "not_met"


@pytest.mark.parametrize("complaint", [
    "my broadband has been very slow since Monday, it barely loads",
    "the washer quit on me on Sunday and it's only four months old",
    "i did not receive the new card you said you posted",
    "I topped up last night and I've got no data at all",
])
def test_rules_slowness_quitting_and_not_received_are_complaints(scorer: Scorer,
                                                                  complaint: str) -> None:
    t = call("Hello, Acme.", complaint, "Okay, can I take the account number?", "AB12",
             "Thanks, it's noted.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


def test_rules_a_pardon_and_sympathy_are_no_apology(scorer: Scorer) -> None:
    t = call("Hello, Acme Couriers.", "the tracking says delivered but i never got it",
             "sorry come again", "it says delivered and it never came", "ok let me look",
             "ok")
    assert verdict(scorer, t, "apology") == "not_met"
    # sympathy for a loss is no sign of a failure
    t = call("Hello, Acme Pet Cover.", "we lost our cat on Friday, I don't know what happens "
             "with the policy now", "Oh, I'm so sorry. Losing a pet is so hard. I'll cancel "
             "it from Friday for you.", "thank you")
    assert verdict(scorer, t, "apology") == "na"


def test_rules_the_companys_own_failure_told_by_the_agent(scorer: Scorer) -> None:
    t = call("Admissions office.", "it says my application is incomplete",
             "The portal had a problem with uploads last weekend. Email the file to me and "
             "I'll attach it today.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


@pytest.mark.parametrize("remark", [
    "Well, the letter we sent does have the date on it, funnily enough.",
    "well parcels don't grow legs, maybe someone at home took it",
    "Yes, the old card is the thing we replace. That's the whole point.",
    "Well, you're not his only customer, he has a queue like everyone else.",
])
def test_rules_more_sarcasm_is_prohibited(scorer: Scorer, remark: str) -> None:
    t = call("Hello, Acme.", "my order came late and cold", remark, "okay")
    assert verdict(scorer, t, "prohibited_language") == "not_met"


@pytest.mark.parametrize(("acknowledgement", "expected"), [
    ("oh i get why that feel scary, nobody wants trouble at the airport", "met"),
    ("aye that's grim, nobody should have to deal with that on their doorstep", "met"),
    ("Going through your statements again and again is no fun at all.", "met"),
    ("I hear you, but rules are rules. The fee stays.", "not_met"),
    ("That's up to you.", "not_met"),
])
def test_rules_plain_acknowledgements_and_brush_offs(scorer: Scorer, acknowledgement: str,
                                                     expected: str) -> None:
    t = call("Hello, Acme.", "the money left my account but the payment failed, I'm worried",
             acknowledgement, "ok")
    assert verdict(scorer, t, "empathy") == expected


@pytest.mark.parametrize("announcement", [
    "gies a minute, i'll check the crew's log",
    "Okay, hold on.",
    "Give me one second, let me check the schedule.",
])
def test_rules_short_hold_announcements(scorer: Scorer, announcement: str) -> None:
    t = timed_call(("Hello, Acme, Sam speaking.", 0.0, 2.0),
                   ("the bins were missed again", 2.5, 5.0),
                   (announcement, 5.5, 7.0),
                   ("ok", 7.2, 7.5),
                   ("Thank you for patiently waiting. They come back tomorrow.", 50.0, 54.0),
                   ("great", 54.5, 55.0))
    assert verdict(scorer, t, "hold_etiquette") == "met"


def test_rules_asr_recorder_is_a_recording_notice(scorer: Scorer) -> None:
    t = call("hello good afternoon acme cover my name is nikos calls maybe recorder for "
             "training how can i help", "hi")
    assert verdict(scorer, t, "recording_disclosure") == "met"


def test_rules_speaking_to_in_a_second_turn_is_no_greeting(scorer: Scorer) -> None:
    t = call("waste services", "its about my bins", "right youre speaking to morag whats the "
             "street", "elm road")
    assert verdict(scorer, t, "greeting") == "not_met"


def test_rules_a_record_read_back_before_the_check(scorer: Scorer) -> None:
    t = call("Outpatients, Chidi speaking.", "I need to move my appointment",
             "What's the patient's name?", "Sandra Bishop",
             "Sandra Bishop... yes, here you are. Dermatology, Tuesday at nine forty.",
             "that's the one", "Can you confirm your date of birth?", "first of July")
    assert verdict(scorer, t, "identity_verification") == "not_met"
    t = call("Acme Energy.", "my bill is far too high",
             "right yeah i've got it mrs mack of twenty two penbury road", "yes",
             "just for security can i take your date of birth", "fourteenth of june")
    assert verdict(scorer, t, "identity_verification") == "not_met"


def test_rules_smartcard_and_name_verify_and_documents_to_bring_do_not(scorer: Scorer) -> None:
    t = call("StarView TV.", "I paid my renewal and the channels are off",
             "Please give me the smartcard number and the name on the account.", "4198, Tabi",
             "Thank you. I've sent a refresh signal.", "ok")
    assert verdict(scorer, t, "identity_verification") == "met"
    t = call("Road Transport, licensing.", "what must I bring to renew my licence?",
             "You bring your Omang, one passport photo and the eye test certificate.",
             "okay thanks")
    assert verdict(scorer, t, "identity_verification") == "na"


def test_rules_checking_the_website_is_sending_away(scorer: Scorer) -> None:
    t = call("Acme Broadband.", "my internet has been very slow since Monday",
             "There's a fibre cut. You can check the website for updates.", "ok")
    assert verdict(scorer, t, "take_action") == "not_met"


def test_rules_a_visit_coming_out_is_a_commitment(scorer: Scorer) -> None:
    t = call("Bayou Appliance Care.", "my fridge quit on me Saturday",
             "Tomorrow between eight and noon, Dwayne's coming out to you.", "great")
    assert verdict(scorer, t, "take_action") == "met"


@pytest.mark.parametrize("request_", [
    "Read me the PNR and the passenger surname, please.",
    "Can I have your personnummer, please?",
    "ok can i get the account number and the last for of the social",
])
def test_rules_record_locators_and_national_numbers_verify(scorer: Scorer,
                                                            request_: str) -> None:
    t = call("Northwind Air.", "my flight home was cancelled", request_, "here you go",
             "Thanks. I've rebooked you on the morning flight.", "ok")
    assert verdict(scorer, t, "identity_verification") == "met"


@pytest.mark.parametrize("reply", [
    "You need your school certificate, a copy of NRC and two photos.",
    "If the pressure is still low tonight, call us again and give the reference W 4410.",
])
def test_rules_documents_and_references_given_are_no_check(scorer: Scorer,
                                                          reply: str) -> None:
    t = call("Lakeside College, admissions.", "what do I need for the June intake?", reply,
             "okay thank you")
    assert verdict(scorer, t, "identity_verification") == "na"


def test_rules_seeing_something_on_the_news_is_no_account_detail(scorer: Scorer) -> None:
    t = call("Harbour Insurance.", "the hail smashed my windscreen last night",
             "what a storm i saw it on the news are you all okay", "yeah we're fine",
             "Can I take your policy number and date of birth?", "HP 2231, second of June 1980",
             "Thanks. I've lodged the claim for the glass.", "great")
    assert verdict(scorer, t, "identity_verification") == "met"


@pytest.mark.parametrize("disclosure", [
    "ok so i see three payments last night at an online shop",
    "Right, Bonnie. I can see she had her jabs in May and she's on the senior food.",
    "Yes, 4C. Your rent this month is not paid yet.",
])
def test_rules_records_read_out_before_any_check(scorer: Scorer, disclosure: str) -> None:
    t = call("Acme services.", "it's about my account", disclosure, "yes",
             "Before we go on, what's your date of birth?", "first of March")
    assert verdict(scorer, t, "identity_verification") == "not_met"


def test_rules_a_crews_report_on_a_street_is_no_account_detail(scorer: Scorer) -> None:
    t = call("Borough waste services.", "nobody has emptied the bins on our road",
             "Let me look. I can see the crew reported the road as blocked on Tuesday.", "ok")
    assert verdict(scorer, t, "identity_verification") == "na"


@pytest.mark.parametrize("acknowledgement", [
    "aiyo wait one hour then still cold, confirm very sian",
    "ok i can hear this is really stressing you out",
    "It's horrible to see your savings go like that.",
    "Oh, bless her, you must be beside yourself.",
    "Payday and you can't log in, that's the worst timing.",
    "No, I don't blame you one bit.",
])
def test_rules_plain_spoken_empathy(scorer: Scorer, acknowledgement: str) -> None:
    t = call("Acme, how can I help?", "my order never arrived and I'm really worried",
             acknowledgement + " I'll send another today.", "ok")
    assert verdict(scorer, t, "empathy") == "met"


@pytest.mark.parametrize("complaint", [
    "the water is not coming since last night in our block",
    "I cancelled in March and you are still taking money from my card",
    "the tracking says delivered but there is nothing here",
    "you sent the wrong size, it's the second time this happens with you",
])
def test_rules_failures_told_as_things_missing_or_still_happening(scorer: Scorer,
                                                                 complaint: str) -> None:
    t = call("Acme, good morning.", complaint, "Right, I'll look into that for you.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


def test_rules_sorry_to_keep_you_is_no_apology(scorer: Scorer) -> None:
    t = call("Empire Rail.", "my train tonight got cancelled, I'm stuck at the station",
             "Hang on.", "ok", "Sorry to keep you. There's one at seven tomorrow.", "fine")
    assert verdict(scorer, t, "apology") == "not_met"


def test_rules_a_burst_on_our_pipe_needs_an_apology(scorer: Scorer) -> None:
    t = call("City Water.", "the pressure is very weak this morning",
             "There's a burst on our main pipe on King Street, the crew is on it.", "ok")
    assert verdict(scorer, t, "apology") == "not_met"


def test_rules_what_customers_are_said_to_claim_is_no_apology(scorer: Scorer) -> None:
    t = call("Shoe Hub.", "you sent me the wrong size",
             "People click the wrong size and then say it's our mistake.", "I did not")
    assert verdict(scorer, t, "apology") == "not_met"
    assert verdict(scorer, t, "prohibited_language") == "not_met"


@pytest.mark.parametrize("step", [
    "ok the branch will send a new car to the petrol station in forty minutes",
    "I take the second charge off for you, the credit is on your account now.",
])
def test_rules_steps_arranged_or_done_in_the_present(scorer: Scorer, step: str) -> None:
    t = call("Acme, hello.", "the car broke down on the highway", step, "thank you")
    assert verdict(scorer, t, "take_action") == "met"


@pytest.mark.parametrize("remark", [
    "I don't know how a grown man still gives his code to a stranger.",
    "Look, the shop is responsible for the parts, not us.",
    "There's no point getting worked up at me, I didn't cancel it.",
    "The clinic can't go running around behind every patient.",
])
def test_rules_belittling_and_passing_the_blame(scorer: Scorer, remark: str) -> None:
    t = call("Acme, hello.", "nobody told me anything and now it's too late", remark, "wow")
    assert verdict(scorer, t, "prohibited_language") == "not_met"


def test_rules_short_sentences_are_left_to_the_phrases(scorer: Scorer) -> None:
    t = call("Acme Homes, hello.", "there's water on my bedroom wall",
             "It's definitely not condensation. I'll book a roofer for tomorrow.", "ok")
    assert verdict(scorer, t, "prohibited_language") == "met"
