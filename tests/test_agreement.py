"""benchmarks.agreement against hand-computed values (and scikit-learn where it applies)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `benchmarks` is a top-level folder, not an installed package
    sys.path.insert(0, str(REPO))

from benchmarks.agreement import (  # noqa: E402
    MISSING,
    accuracy,
    cohen_kappa,
    confusion_matrix,
    criterion_metrics,
    precision_recall,
)

# 10 items. Confusion (gold rows, predicted columns):
#            met not_met na
#   met       4     1    0     -> 5 gold met
#   not_met   1     2    0     -> 3 gold not_met
#   na        0     0    2     -> 2 gold na
GOLD = ["met"] * 5 + ["not_met"] * 3 + ["na"] * 2
PRED = ["met", "met", "met", "met", "not_met", "met", "not_met", "not_met", "na", "na"]


def test_agreement_confusion_matrix_by_hand() -> None:
    m = confusion_matrix(GOLD, PRED)
    assert m["met"] == {"met": 4, "not_met": 1, "na": 0}
    assert m["not_met"] == {"met": 1, "not_met": 2, "na": 0}
    assert m["na"] == {"met": 0, "not_met": 0, "na": 2}


def test_agreement_accuracy_precision_recall_by_hand() -> None:
    assert accuracy(GOLD, PRED) == pytest.approx(0.8)
    precision, recall = precision_recall(GOLD, PRED)
    assert precision == pytest.approx(4 / 5)  # 5 predicted met, 4 right
    assert recall == pytest.approx(4 / 5)  # 5 gold met, 4 found


def test_agreement_kappa_by_hand() -> None:
    # po = 8/10; pe = (5*5 + 3*3 + 2*2) / 100 = 0.38; kappa = (0.8 - 0.38) / 0.62
    assert cohen_kappa(GOLD, PRED) == pytest.approx(0.42 / 0.62)


def test_agreement_kappa_matches_sklearn() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    gold = ["met", "na", "not_met", "met", "met", "na", "not_met", "met", "na", "met", "met"]
    pred = ["met", "met", "not_met", "not_met", "met", "na", "na", "met", "na", "met", "not_met"]
    assert cohen_kappa(gold, pred) == pytest.approx(
        sklearn_metrics.cohen_kappa_score(gold, pred))


def test_agreement_kappa_edge_cases() -> None:
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["met"] * 4, ["met"] * 4) == 1.0  # chance agreement 1: defined as 1
    assert cohen_kappa(["met", "not_met"], ["not_met", "met"]) == pytest.approx(-1.0)
    # all gold `met`, predictions split: po = 0.5, pe = 0.5 -> 0
    assert cohen_kappa(["met"] * 4, ["met", "met", "na", "na"]) == pytest.approx(0.0)


def test_agreement_missing_prediction_is_a_disagreement() -> None:
    result = criterion_metrics(["met", "na", "not_met"], ["met", MISSING, "not_met"])
    assert result["accuracy"] == pytest.approx(2 / 3)
    assert result["confusion"]["na"][MISSING] == 1
    assert result["support"] == {"met": 1, "not_met": 1, "na": 1}
    assert result["predicted"][MISSING] == 1


def test_agreement_precision_undefined_without_predictions() -> None:
    assert precision_recall(["met", "na"], ["na", "na"]) == (None, 0.0)
    assert precision_recall(["na"], ["na"]) == (None, None)


def test_agreement_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="same length"):
        accuracy(["met"], [])


# ------------------------------------------------------------------ the evaluation command
class _FakeScorer:
    """Says `met` for everything except hold_etiquette, which it calls `na`."""

    scorecard_sha256 = "fake"

    def score(self, transcript):  # type: ignore[no-untyped-def]
        from benchmarks.evaluate import CRITERIA
        from qa_analytics.records import CriterionScore, ProvisionalScore

        criteria = tuple(
            CriterionScore(id=c, verdict="na" if c == "hold_etiquette" else "met",
                           confidence=1.0, weight=1.0, critical=False, section="s",
                           explanation="")
            for c in CRITERIA)
        return ProvisionalScore(call_id=transcript.call_id, score=None, auto_fail=False,
                                needs_review=False, review_reasons=(), criteria=criteria,
                                metrics={}, versions={})


def test_evaluate_report_with_fake_scorer(tmp_path: Path) -> None:
    from benchmarks import evaluate

    calls = evaluate.load_eval_set()[:6]
    preds = evaluate.score_transcripts(_FakeScorer(), [c.data for c in calls])
    assert set(preds) == {c.call_id for c in calls}
    report = evaluate.build_report({c.call_id: c.gold for c in calls}, preds, mode="text",
                                   target=0.8)
    greeting = report["criteria"]["greeting"]
    gold_met = sum(c.gold["greeting"] == "met" for c in calls)
    assert greeting["accuracy"] == pytest.approx(gold_met / len(calls))
    assert greeting["support"]["met"] == gold_met
    hold = report["criteria"]["hold_etiquette"]
    assert hold["predicted"]["na"] == len(calls)
    wrong = [d for d in report["disagreements"] if d["criterion"] == "hold_etiquette"]
    assert len(wrong) == sum(c.gold["hold_etiquette"] != "na" for c in calls)
    evaluate.write_report(report, tmp_path, "eval_text", "test")
    text = (tmp_path / "eval_text.md").read_text()
    assert "| greeting |" in text and "Confusion" in text
    assert (tmp_path / "eval_text.json").exists()


def test_evaluate_failed_call_counts_as_missing() -> None:
    from benchmarks import evaluate

    class Broken:
        def score(self, transcript):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    calls = evaluate.load_eval_set()[:2]
    preds = evaluate.score_transcripts(Broken(), [c.data for c in calls])
    report = evaluate.build_report({c.call_id: c.gold for c in calls}, preds, mode="text",
                                   target=0.8)
    assert report["failed_calls"] == sorted(c.call_id for c in calls)
    assert report["criteria"]["closing"]["predicted"][MISSING] == 2
    assert report["all_meet_target"] is False


def test_evaluate_speech_script_turns_gaps_into_holds() -> None:
    from benchmarks import evaluate

    call = next(c for c in evaluate.load_eval_set() if c.call_id.startswith("ev001"))
    script, hold_s = evaluate.speech_script(call.data, "[hold]")
    assert ("agent", "[hold]") in script
    assert 20 <= hold_s <= 95
    assert len(script) == len(call.data["utterances"]) + 1
