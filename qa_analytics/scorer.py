"""Score transcripts against a scorecard: the scoring core (no ASR).

    scorer = load_scorer()                      # bundled default scorecard
    result = scorer.score(transcript)           # ProvisionalScore (the result contract)

Matchers and ONNX sessions are built lazily on the first call and reused for every call
after it (one Scorer per process). Same transcript + same scorecard + same models = same
result: nothing here depends on time, randomness or order of arrival.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import qa_analytics
from qa_analytics.checks.base import BuildContext, CallView, Finding
from qa_analytics.config.loader import LoadedScorecard, load_scorecard
from qa_analytics.config.schema import Criterion, Scorecard
from qa_analytics.errors import ConfigError
from qa_analytics.records import CheckResult, Evidence, ProvisionalScore, Transcript
from qa_analytics.scoring import score_call

MAX_EVIDENCE = 3


def failed_result(call_id: str, source: str | None, error: str,
                  versions: dict[str, str | None] | None = None) -> ProvisionalScore:
    """The result record of a call that could not be scored (status "failed")."""
    return ProvisionalScore(
        call_id=call_id, score=None, auto_fail=False, needs_review=False, review_reasons=(),
        criteria=(), metrics={}, versions=versions or {"engine": qa_analytics.__version__},
        source=source, status="failed", error=error,
    )


def _evidence(view: CallView, indices: Any) -> tuple[Evidence, ...]:
    out = []
    for i in list(dict.fromkeys(indices))[:MAX_EVIDENCE]:
        u = view.utterances[i]
        out.append(Evidence(u.speaker, u.start_s, u.end_s, u.text))
    return tuple(out)


class Scorer:
    """A scorecard ready to score calls; heavy parts are built once, on first use."""

    def __init__(self, loaded: LoadedScorecard, models_dir: Path | None = None) -> None:
        self.loaded = loaded
        self.models_dir = models_dir
        self._built: dict[str, dict[str, Any]] | None = None
        self._context: BuildContext | None = None
        self._lock = threading.Lock()

    @property
    def scorecard(self) -> Scorecard:
        return self.loaded.model

    @property
    def scorecard_sha256(self) -> str:
        return self.loaded.sha256

    # ------------------------------------------------------------------ building

    def build(self) -> Scorer:
        """Build matchers and load classifiers now (otherwise done on the first call)."""
        with self._lock:
            if self._built is None:
                from qa_analytics.checks.classifier import ClassifierStore
                from qa_analytics.checks.phrase import PatternBank
                from qa_analytics.checks.registry import build_check

                context = BuildContext(
                    bank=PatternBank(), classifiers=ClassifierStore(self.models_dir),
                    build=lambda name, params: build_check(name, params, context),
                    hold_min_gap_s=self.scorecard.metrics.hold_min_gap_s,
                )
                built: dict[str, dict[str, Any]] = {}
                for cid, specs in self.loaded.check_specs.items():
                    built[cid] = {}
                    for key, (name, params) in specs.items():
                        try:
                            built[cid][key] = build_check(name, params, context)
                        except ConfigError as exc:
                            raise ConfigError(f"{self.loaded.path.name}: criteria -> {cid} -> "
                                              f"{key}: {exc}") from None
                context.bank.compile()
                self._context, self._built = context, built
        return self

    def model_ids(self) -> dict[str, str]:
        self.build()
        assert self._context is not None
        return self._context.classifiers.model_ids()

    def versions(self, transcript: Transcript | None = None) -> dict[str, str | None]:
        ids = self.model_ids()
        return {
            "engine": qa_analytics.__version__,
            "scorecard": f"{self.scorecard.id}@{self.scorecard.version}",
            "scorecard_sha256": self.scorecard_sha256,
            "asr_model": transcript.asr_model if transcript else None,
            "classifiers": ",".join(ids.values()) or None,
        }

    # ------------------------------------------------------------------ scoring

    def prepare(self, transcript: Transcript) -> CallView:
        """Normalise and pattern-match every utterance once; compute timings metrics."""
        from qa_analytics.checks.metrics import compute_metrics

        self.build()
        assert self._context is not None
        bank = self._context.bank
        norms = tuple(bank.normalise(u.text) for u in transcript.utterances)
        matches = bank.match_call(transcript, norms)
        metrics, holds = compute_metrics(transcript, self.scorecard.metrics.hold_min_gap_s)
        return CallView(transcript, norms, matches, metrics, holds)

    def score(self, transcript: Transcript, *, source: str | None = None) -> ProvisionalScore:
        source = source if source is not None else transcript.source
        versions = self.versions(transcript)
        if not transcript.utterances:
            return failed_result(transcript.call_id, source,
                                 f"{source or transcript.call_id}: transcript has no utterances",
                                 versions)
        view = self.prepare(transcript)
        assert self._built is not None
        results = {cid: self._evaluate(cid, crit, self._built[cid], view)
                   for cid, crit in self.scorecard.criteria.items()}
        confidences = [u.confidence for u in transcript.utterances if u.confidence is not None]
        return score_call(
            self.scorecard, results, call_id=transcript.call_id, metrics=view.metrics,
            versions=versions, source=source,
            transcript_confidence=sum(confidences) / len(confidences) if confidences else None,
            speakers_inferred=transcript.speakers_inferred,
        )

    def _evaluate(self, cid: str, crit: Criterion, built: dict[str, Any],
                  view: CallView) -> CheckResult:
        condition = built.get("applies_when")
        if condition is not None:
            cond = condition.find(view)
            if not cond.found:
                what = _describe(self.loaded.check_specs[cid]["applies_when"][1], "trigger")
                text = crit.explain.na or "not applicable: no {what} in {scope}"
                return CheckResult(cid, "na", cond.confidence,
                                   _fill(text, what=what, scope=cond.scope))
        check = built["check"]
        if hasattr(check, "judge"):
            outcome = check.judge(view)
            return CheckResult(cid, outcome.verdict, outcome.confidence, outcome.explanation,
                               _evidence(view, outcome.evidence))
        finding: Finding = check.find(view)
        what = _describe(self.loaded.check_specs[cid]["check"][1], crit.name.lower())
        if crit.met_when == "absent":
            if finding.found:
                first = finding.hits[0]
                text = crit.explain.not_met or "{what} in {where}: \"{words}\""
                return CheckResult(cid, "not_met", finding.confidence, _fill(
                    text, what=what, where=_where(view, first.index), words=first.what,
                    scope=finding.scope), _evidence(view, [h.index for h in finding.hits]))
            text = crit.explain.met or "no {what} in {scope}"
            return CheckResult(cid, "met", finding.confidence,
                               _fill(text, what=what, scope=finding.scope))
        if not finding.found:
            text = crit.explain.not_met or "no {what} in {scope}"
            return CheckResult(cid, "not_met", finding.confidence,
                               _fill(text, what=what, scope=finding.scope))
        first = finding.hits[0]
        evidence = _evidence(view, [h.index for h in finding.hits])
        order = built.get("before")
        if order is not None:
            earlier = order.find(view)
            # Compared by turn, then by position inside the turn: disclosing a balance and
            # asking for the postcode in one breath is still disclosure before verification.
            if earlier.found and (earlier.hits[0].index, earlier.hits[0].start) < (
                    first.index, first.start):
                other = _describe(self.loaded.check_specs[cid]["before"][1], "the earlier event")
                return CheckResult(
                    cid, "not_met", min(finding.confidence, earlier.confidence),
                    f"{what} only in {_where(view, first.index)}, after {other} in "
                    f"{_where(view, earlier.hits[0].index)}",
                    _evidence(view, [earlier.hits[0].index, first.index]))
        text = crit.explain.met or "{what} in {where}: \"{words}\""
        return CheckResult(cid, "met", finding.confidence, _fill(
            text, what=what, where=_where(view, first.index), words=first.what,
            scope=finding.scope), evidence)


def _describe(params: BaseModel, default: str) -> str:
    return getattr(params, "describe", "") or default


def _where(view: CallView, index: int) -> str:
    return f"{view.utterances[index].speaker} turn {view.turn_number(index)}"


def _fill(template: str, **values: str) -> str:
    """Fill {what}, {where}, {words}, {scope} in a scorecard's explanation text. Plain
    replacement, not str.format: a stray brace in a lead's wording must not break scoring."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def load_scorer(scorecard: str | Path | None = None, *,
                models_dir: Path | None = None) -> Scorer:
    """A Scorer for a scorecard file (None: the bundled default). Validates the file now."""
    return Scorer(load_scorecard(scorecard), models_dir=models_dir)
