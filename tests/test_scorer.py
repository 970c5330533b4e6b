"""The Scorer: end-to-end scoring, result contract, versions, determinism, custom criteria."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import qa_analytics
from qa_analytics.records import Transcript, Utterance, score_to_dict
from qa_analytics.scorer import Scorer, failed_result, load_scorer

REPO = Path(__file__).resolve().parents[1]

GOOD_CALL = Transcript("good", (
    Utterance("agent", "Good morning, thank you for calling Northwind, my name is Sarah. "
                       "This call may be recorded for training purposes.", 0.0, 6.0,
              confidence=0.95),
    Utterance("customer", "Hi, um, my broadband has been down for three days and I work from "
                          "home, it's really frustrating", 6.5, 12.0, confidence=0.93),
    Utterance("agent", "Oh no, I can imagine how stressful that must be, I'm really sorry. "
                       "Can I take your full name and date of birth please?", 12.5, 19.0,
              confidence=0.95),
    Utterance("customer", "Jane Smith, fourth of March 1980", 19.5, 22.0, confidence=0.9),
    Utterance("agent", "Thank you. I can see on your account there's an outage. "
                       "I'll book an engineer for tomorrow morning.", 22.5, 28.0,
              confidence=0.94),
    Utterance("customer", "Great, thanks", 28.5, 29.5, confidence=0.9),
    Utterance("agent", "Is there anything else I can help with today? Have a lovely day.",
              30.0, 33.0, confidence=0.96),
), asr_model="tiny.en")


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return load_scorer()


def test_scorer_good_call_meets_everything_applicable(scorer: Scorer) -> None:
    result = scorer.score(GOOD_CALL, source="calls/good.wav")
    verdicts = {c.id: c.verdict for c in result.criteria}
    assert verdicts == {
        "greeting": "met", "agent_introduction": "met", "recording_disclosure": "met",
        "identity_verification": "met", "empathy": "met", "apology": "met",
        "take_action": "met", "hold_etiquette": "na", "prohibited_language": "met",
        "closing": "met",
    }
    assert result.score == pytest.approx(100.0) and not result.auto_fail
    assert result.status == "scored" and result.source == "calls/good.wav"
    for c in result.criteria:
        assert c.explanation
        if c.verdict == "met" and c.id != "prohibited_language":
            assert c.evidence and c.evidence[0].start_s is not None


def test_scorer_result_matches_the_contract(scorer: Scorer) -> None:
    record = score_to_dict(scorer.score(GOOD_CALL))
    assert {"call_id", "source", "status", "error", "score", "auto_fail", "needs_review",
            "review_reasons", "criteria", "metrics", "versions"} <= set(record)
    crit = record["criteria"][0]
    assert set(crit) == {"id", "verdict", "confidence", "weight", "critical", "section",
                         "explanation", "evidence"}
    assert set(crit["evidence"][0]) == {"speaker", "start_s", "end_s", "text"}
    assert {"duration_s", "agent_talk_ratio", "max_silence_s", "overtalk_s"} <= set(
        record["metrics"])
    versions = record["versions"]
    assert versions["engine"] == qa_analytics.__version__
    assert versions["scorecard_sha256"] == scorer.scorecard_sha256
    assert versions["asr_model"] == "tiny.en"
    assert "agent_empathy@" in versions["classifiers"]
    json.dumps(record)  # serialisable


def test_scorer_is_deterministic(scorer: Scorer) -> None:
    first = json.dumps(score_to_dict(scorer.score(GOOD_CALL)), sort_keys=True)
    again = json.dumps(score_to_dict(load_scorer().score(GOOD_CALL)), sort_keys=True)
    assert first == again


def test_scorer_critical_failure_auto_fails_with_reason(scorer: Scorer) -> None:
    t = Transcript("nf", (Utterance("agent", "Hello, this call isn't recorded."),
                          Utterance("customer", "ok"), Utterance("agent", "Bye, have a good day")))
    result = scorer.score(t)
    assert result.auto_fail and result.score == 0.0
    assert "critical_failure:recording_disclosure" in result.review_reasons


def test_scorer_review_reasons_for_asr_confidence_and_inferred_speakers(scorer: Scorer) -> None:
    from dataclasses import replace

    shaky = replace(GOOD_CALL, speakers_inferred=True, utterances=tuple(
        replace(u, confidence=0.3) for u in GOOD_CALL.utterances))
    result = scorer.score(shaky)
    assert result.needs_review
    assert "low_transcript_confidence" in result.review_reasons
    assert "speakers_inferred" in result.review_reasons
    # low word confidence lowers each verdict's confidence, flagging criteria for review
    assert any(r.startswith("low_confidence:") for r in result.review_reasons)


def test_scorer_empty_transcript_is_a_failed_call(scorer: Scorer) -> None:
    result = scorer.score(Transcript("empty", ()), source="x.json")
    assert result.status == "failed" and "no utterances" in (result.error or "")


def test_scorer_failed_result_record() -> None:
    record = score_to_dict(failed_result("c9", "bad.json", "bad.json: not valid JSON"))
    assert record["status"] == "failed" and record["error"] == "bad.json: not valid JSON"
    assert record["score"] is None and record["criteria"] == []
    assert record["versions"]["engine"] == qa_analytics.__version__


def test_scorer_custom_criterion_added_by_yaml_only(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "configs" / "default.yaml").read_text())
    data["criteria"]["complaints_procedure"] = {
        "name": "Mentions the complaints procedure", "section": "resolution",
        "description": "The agent explains how to escalate a complaint.",
        "standard": "FCA DISP 1.2", "weight": 10,
        "check": {"type": "phrase.v1", "speaker": "agent", "describe": "complaints procedure",
                  "phrases": ["complaints procedure", "formal complaint", "ombudsman"]},
    }
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data))
    scorer = load_scorer(path)
    mentioned = Transcript("c", (
        Utterance("agent", "Hello, my name is Tom, calls are recorded."),
        Utterance("customer", "You overcharged me again!"),
        Utterance("agent", "I'm sorry. I can raise a formal complaint for you."),
    ))
    crits = {c.id: c for c in scorer.score(mentioned).criteria}
    assert crits["complaints_procedure"].verdict == "met"
    assert crits["complaints_procedure"].weight == 10
    silent = Transcript("c2", mentioned.utterances[:2])
    crit = {c.id: c for c in scorer.score(silent).criteria}["complaints_procedure"]
    assert crit.verdict == "not_met"
    assert crit.explanation == "no complaints procedure in the agent's turns"


def test_scorer_example_complaints_scorecard(scorer: Scorer) -> None:
    custom = load_scorer(REPO / "configs" / "examples" / "complaints.yaml")
    result = custom.score(GOOD_CALL)
    crit = {c.id: c for c in result.criteria}["complaints_procedure"]
    assert crit.verdict == "not_met"  # a complaint, but no mention of the procedure
    assert result.versions["scorecard_sha256"] != scorer.scorecard_sha256


def test_scorer_on_shared_azure_dialogue(shared_data: Path, scorer: Scorer) -> None:
    """Sanity check on a real third-party support dialogue (skips without ../shared/data)."""
    path = shared_data / "dialogue" / "azure_sample" / "Json_input_customer_support.json"
    items = json.loads(path.read_text())["analysisInput"]["conversations"][0]["conversationItems"]
    t = Transcript("azure", tuple(Utterance(i["participantId"].lower(), i["text"])
                                  for i in items))
    verdicts = {c.id: c.verdict for c in scorer.score(t).criteria}
    # The agent greets, names herself ("you're chatting with Rene"), says sorry for the
    # failure, walks the customer through a fix, asks them to hold and thanks them, and closes;
    # there is no recording notice and no account access.
    assert verdicts["greeting"] == "met"
    assert verdicts["agent_introduction"] == "met"
    assert verdicts["apology"] == "met"
    assert verdicts["take_action"] == "met"
    assert verdicts["hold_etiquette"] == "met"
    assert verdicts["closing"] == "met"
    assert verdicts["recording_disclosure"] == "not_met"
    assert verdicts["identity_verification"] == "na"
    assert verdicts["prohibited_language"] == "met"


def test_scorer_explanation_templates_tolerate_braces(tmp_path: Path) -> None:
    data = {
        "id": "b", "version": "1", "name": "B", "sections": {"s": {"name": "S"}},
        "criteria": {"greeting": {
            "name": "Greeting", "section": "s", "description": "d", "standard": "x",
            "weight": 1, "explain": {"not_met": "no greeting {in set {a}} in {scope}",
                                     "met": "said {words} in {where}"},
            "check": {"type": "phrase.v1", "phrases": ["hello"], "window": {"first_turns": 1}}}},
    }
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(data))
    scorer = load_scorer(path)
    miss = scorer.score(Transcript("x", (Utterance("agent", "good day"),))).criteria[0]
    assert miss.explanation == "no greeting {in set {a}} in the agent's first 1 turns"
    hit = scorer.score(Transcript("y", (Utterance("agent", "Hello there"),))).criteria[0]
    assert hit.explanation == "said Hello in agent turn 1"


def test_scorer_on_shared_bank_calls(shared_data: Path, scorer: Scorer) -> None:
    """Two real (simulated, human-spoken) bank calls with timed human transcripts."""
    folder = shared_data / "dialogue" / "harper_valley_bank"
    verdicts = {}
    for path in sorted(folder.glob("*.segments.jsonl")):
        rows = sorted((json.loads(line) for line in path.read_text().splitlines()),
                      key=lambda r: r["start_ms"])
        t = Transcript(path.stem, tuple(
            Utterance("agent" if r["speaker_role"] == "agent" else "customer",
                      r["human_transcript"], r["start_ms"] / 1000,
                      (r["start_ms"] + r["duration_ms"]) / 1000) for r in rows))
        verdicts[path.name[:4]] = {c.id: c.verdict for c in scorer.score(t).criteria}
    for call in verdicts.values():  # both agents greet, give their name and close
        assert call["greeting"] == call["agent_introduction"] == call["closing"] == "met"
        assert call["recording_disclosure"] == "not_met"  # no notice in these calls
        assert call["identity_verification"] == "not_met"  # card / money moved unverified
    transfer = verdicts["00d6"]  # "one hundred and thirty five dollars has been transferred"
    assert transfer["take_action"] == "met"
    assert transfer["apology"] == "na" and transfer["empathy"] == "na"


def test_scorer_ten_minute_call_and_benchmark_baseline(scorer: Scorer) -> None:
    """The benchmark's synthetic call is a valid ten-minute call the engine scores fully."""
    from benchmarks.bench_scoring import baseline_score, make_call

    call = make_call(3)
    assert len(call.utterances) == 150 and call.utterances[-1].end_s <= 600
    assert make_call(3) == call  # deterministic generation
    result = scorer.score(call)
    assert result.status == "scored" and len(result.criteria) == 10
    assert result.metrics["hold_count"] == 0.0
    assert set(baseline_score(call)["verdicts"]) == {c.id for c in result.criteria}
