"""The final score from human verdicts, by the engine's rule (``qa_analytics.scoring``).

Rule: the weighted mean of the verdicts (met = 1, not_met = 0) over the criteria that apply
(``na`` left out, weights renormalised), times 100; the call is an auto-fail when any critical
criterion is ``not_met``, and then the score is 0 under the scorecard's default
``on_critical_failure: zero`` (kept under ``keep``).

Why restated here rather than calling ``scoring.score_call``: that function needs the Scorecard
and CheckResults, while a review has only the stored result record (weights, critical flags and
verdicts per criterion). The record does not carry ``on_critical_failure``, so ``policy_of``
infers it from the engine's own output (an auto-fail stored with score 0 although some weight
was met means ``zero``; with a non-zero score, ``keep``) and otherwise assumes the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Policy = Literal["zero", "keep"]
DEFAULT_POLICY: Policy = "zero"  # qa_analytics.config.schema.Scorecard.on_critical_failure


@dataclass(frozen=True, slots=True)
class FinalScore:
    score: float | None  # None when no criterion applies
    auto_fail: bool
    weighted: float | None  # the weighted mean before the critical-failure policy


def recompute(criteria: Iterable[Mapping[str, Any]], verdicts: Mapping[str, str],
              on_critical_failure: Policy = DEFAULT_POLICY) -> FinalScore:
    """Score ``criteria`` (result-record dicts) with ``verdicts`` (id -> verdict) replacing theirs.

    >>> cs = [{"id": "a", "verdict": "met", "weight": 3, "critical": False},
    ...       {"id": "b", "verdict": "met", "weight": 1, "critical": True}]
    >>> recompute(cs, {"b": "not_met"}, "keep")
    FinalScore(score=75.0, auto_fail=True, weighted=75.0)
    """
    total_weight = 0.0
    earned = 0.0
    auto_fail = False
    for c in criteria:
        verdict = verdicts.get(c["id"], c["verdict"])
        weight = float(c.get("weight", 0.0))
        if verdict == "na":
            continue
        total_weight += weight
        if verdict == "met":
            earned += weight
        elif c.get("critical"):
            auto_fail = True
    weighted = round(100.0 * earned / total_weight, 2) if total_weight > 0 else None
    score = 0.0 if auto_fail and on_critical_failure == "zero" else weighted
    return FinalScore(score=score, auto_fail=auto_fail, weighted=weighted)


def policy_of(result: Mapping[str, Any]) -> Policy:
    """The critical-failure policy the engine applied to ``result`` (see module docstring)."""
    explicit = result.get("on_critical_failure")
    if explicit in ("zero", "keep"):
        return explicit
    if result.get("auto_fail") and result.get("score") is not None:
        raw = recompute(result.get("criteria") or [], {}, "keep").weighted
        if raw:  # some weight was met, so a stored 0 can only come from the zero policy
            return "zero" if float(result["score"]) == 0.0 else "keep"
    return DEFAULT_POLICY
