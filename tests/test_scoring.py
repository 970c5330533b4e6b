"""The provisional score: weights, N/A renormalisation, sections, auto-fail, review reasons."""

from __future__ import annotations

import pytest

from qa_analytics.config.loader import validate_scorecard_data
from qa_analytics.config.schema import Scorecard
from qa_analytics.records import CheckResult
from qa_analytics.scoring import score_call


def card(**overrides) -> Scorecard:  # type: ignore[no-untyped-def]
    def crit(section: str, weight: float, critical: bool = False) -> dict:
        return {"name": "x", "section": section, "description": "d", "standard": "s",
                "weight": weight, "critical": critical,
                "check": {"type": "phrase.v1", "phrases": ["hello"]}}

    data = {
        "id": "t", "version": "1", "name": "T",
        "sections": {"one": {"name": "One"}, "two": {"name": "Two"}},
        "criteria": {"a": crit("one", 10), "b": crit("one", 30), "c": crit("two", 60, True)},
        "metrics": {"thresholds": {"max_silence_s": {"max": 30}}},
        **overrides,
    }
    return validate_scorecard_data(data, "t.yaml").model


def results(a: str, b: str, c: str, conf: float = 0.9) -> dict[str, CheckResult]:
    return {cid: CheckResult(cid, v, conf, f"{cid} {v}") for cid, v in zip("abc", (a, b, c),
                                                                            strict=True)}


def run(scorecard: Scorecard, res: dict[str, CheckResult], **kw):  # type: ignore[no-untyped-def]
    return score_call(scorecard, res, call_id="c1", metrics=kw.pop("metrics", {}),
                      versions={"engine": "x"}, **kw)


def test_scoring_weighted_score() -> None:
    s = run(card(), results("met", "not_met", "met"))
    assert s.score == pytest.approx(70.0)  # (10 + 60) / 100
    assert not s.auto_fail and not s.needs_review
    assert s.section_scores == {"one": pytest.approx(25.0), "two": pytest.approx(100.0)}


def test_scoring_na_excluded_and_weights_renormalised() -> None:
    s = run(card(), results("met", "na", "met"))
    assert s.score == pytest.approx(100.0)
    s = run(card(), results("na", "not_met", "met"))
    assert s.score == pytest.approx(60 / 90 * 100)
    assert s.section_scores["one"] == pytest.approx(0.0)


def test_scoring_all_na_gives_no_score() -> None:
    s = run(card(), results("na", "na", "na"))
    assert s.score is None and s.section_scores == {"one": None, "two": None}


def test_scoring_critical_failure_auto_fails_and_zeroes() -> None:
    s = run(card(), results("met", "met", "not_met"))
    assert s.auto_fail and s.score == 0.0
    assert s.review_reasons == ("critical_failure:c",)
    kept = run(card(on_critical_failure="keep"), results("met", "met", "not_met"))
    assert kept.auto_fail and kept.score == pytest.approx(40.0)


def test_scoring_critical_na_does_not_fail() -> None:
    s = run(card(), results("met", "met", "na"))
    assert not s.auto_fail and s.score == pytest.approx(100.0)


def test_scoring_review_reasons() -> None:
    res = results("met", "met", "met")
    res["b"] = CheckResult("b", "met", 0.4, "unsure")
    s = run(card(), res, transcript_confidence=0.3, speakers_inferred=True,
            metrics={"max_silence_s": 45.0})
    assert s.needs_review
    assert s.review_reasons == ("low_confidence:b", "low_transcript_confidence",
                                "speakers_inferred", "metric:max_silence_s")


def test_scoring_review_flags_can_be_turned_off() -> None:
    review = {"flag_inferred_speakers": False, "flag_metric_thresholds": False}
    s = run(card(review=review), results("met", "met", "met"), speakers_inferred=True,
            metrics={"max_silence_s": 45.0})
    assert not s.needs_review and s.review_reasons == ()


def test_scoring_places_results_on_the_scorecard() -> None:
    s = run(card(), results("met", "not_met", "na"))
    by_id = {c.id: c for c in s.criteria}
    assert [c.id for c in s.criteria] == ["a", "b", "c"]
    assert (by_id["c"].weight, by_id["c"].critical, by_id["c"].section) == (60, True, "two")
    assert by_id["b"].explanation == "b not_met"


def test_scoring_missing_result_is_an_error() -> None:
    res = results("met", "met", "met")
    del res["c"]
    with pytest.raises(ValueError, match="no check result for criteria: c"):
        run(card(), res)
