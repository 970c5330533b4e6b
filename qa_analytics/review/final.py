"""The final score from human verdicts, by the engine's rule.

Rule (ARCHITECTURE.md, "score"): the weighted mean of the verdicts (met = 1, not_met = 0) over
the criteria that apply (``na`` left out, weights renormalised), times 100; the call is an
auto-fail when any critical criterion is ``not_met``. ``qa_analytics.scoring`` did not exist
when this was written, so the rule is restated here from the weights and critical flags kept in
the result record; ``tests/test_review_service.py`` pins it with hand-computed values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FinalScore:
    score: float | None  # None when no criterion applies
    auto_fail: bool


def recompute(criteria: Iterable[Mapping[str, Any]], verdicts: Mapping[str, str]) -> FinalScore:
    """Score ``criteria`` (result-record dicts) with ``verdicts`` (id -> verdict) replacing theirs.

    >>> cs = [{"id": "a", "verdict": "met", "weight": 3, "critical": False},
    ...       {"id": "b", "verdict": "met", "weight": 1, "critical": True}]
    >>> recompute(cs, {"b": "not_met"})
    FinalScore(score=75.0, auto_fail=True)
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
    score = round(100.0 * earned / total_weight, 2) if total_weight > 0 else None
    return FinalScore(score=score, auto_fail=auto_fail)
