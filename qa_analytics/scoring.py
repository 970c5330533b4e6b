"""Provisional score: a pure function of the scorecard and the checks' results.

    score = 100 * sum(weight of met) / sum(weight of met + not_met)

``na`` criteria are left out and the remaining weights renormalised; section scores are the
same sum per section. A critical criterion that is not met sets ``auto_fail`` (and the score
to 0 unless the scorecard says ``on_critical_failure: keep``). ``needs_review`` lists why a
person should look: critical failure, low confidence, low transcript confidence, inferred
speakers, call metrics outside their thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from qa_analytics.config.schema import Scorecard
from qa_analytics.records import CheckResult, CriterionScore, ProvisionalScore


def _weighted(criteria: Sequence[CriterionScore]) -> float | None:
    judged = [c for c in criteria if c.verdict in ("met", "not_met")]
    total = sum(c.weight for c in judged)
    if total <= 0:
        return None  # nothing applicable carries weight: no score rather than a made-up one
    return 100.0 * sum(c.weight for c in judged if c.verdict == "met") / total


def metric_breaches(scorecard: Scorecard, metrics: Mapping[str, float | None]) -> list[str]:
    out = []
    for name, bounds in scorecard.metrics.thresholds.items():
        value = metrics.get(name)
        if value is None:
            continue
        if (bounds.min is not None and value < bounds.min) or (
            bounds.max is not None and value > bounds.max
        ):
            out.append(name)
    return out


def score_call(
    scorecard: Scorecard,
    results: Mapping[str, CheckResult],
    *,
    call_id: str,
    metrics: Mapping[str, float | None],
    versions: Mapping[str, str | None],
    source: str | None = None,
    transcript_confidence: float | None = None,
    speakers_inferred: bool = False,
) -> ProvisionalScore:
    """Place each criterion's result on the scorecard and compute the provisional score."""
    missing = [cid for cid in scorecard.criteria if cid not in results]
    if missing:
        raise ValueError(f"no check result for criteria: {', '.join(missing)}")
    criteria = tuple(
        CriterionScore(
            id=cid, verdict=results[cid].verdict, confidence=results[cid].confidence,
            weight=crit.weight, critical=crit.critical, section=crit.section,
            explanation=results[cid].explanation, evidence=results[cid].evidence,
        )
        for cid, crit in scorecard.criteria.items()
    )
    critical_failures = [c.id for c in criteria if c.critical and c.verdict == "not_met"]
    auto_fail = bool(critical_failures)
    score = _weighted(criteria)
    if auto_fail and scorecard.on_critical_failure == "zero":
        score = 0.0
    sections = {
        sid: _weighted([c for c in criteria if c.section == sid]) for sid in scorecard.sections
    }
    review = scorecard.review
    reasons = [f"critical_failure:{cid}" for cid in critical_failures]
    reasons += [f"low_confidence:{c.id}" for c in criteria if c.confidence < review.min_confidence]
    low_asr = review.min_transcript_confidence
    if transcript_confidence is not None and transcript_confidence < low_asr:
        reasons.append("low_transcript_confidence")
    if speakers_inferred and review.flag_inferred_speakers:
        reasons.append("speakers_inferred")
    if review.flag_metric_thresholds:
        reasons += [f"metric:{name}" for name in metric_breaches(scorecard, metrics)]
    return ProvisionalScore(
        call_id=call_id,
        score=score,
        auto_fail=auto_fail,
        needs_review=bool(reasons),
        review_reasons=tuple(reasons),
        criteria=criteria,
        metrics=dict(metrics),
        versions=dict(versions),
        section_scores=sections,
        source=source,
    )
