"""What every check type shares: the prepared call view, findings and the Check protocol.

A check type is a class with a pydantic ``Params`` model (unknown keys forbidden) and a
constructor taking ``(params, context)``. It either *finds* things (``find`` -> Finding: the
scorer turns presence/absence into met/not_met) or *judges* directly (``judge`` -> Outcome,
e.g. hold etiquette, metric thresholds).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, runtime_checkable

from pydantic import BaseModel, BeforeValidator, ConfigDict

from qa_analytics.nlp import Normalised
from qa_analytics.records import Transcript, Utterance


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _flatten(value: Any) -> Any:
    """Lists inside a phrase list are spliced in, so a scorecard can join shared lists
    (YAML has no list concatenation): ``phrases: [*complaint_words, *worry_words, fed up]``."""
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


# a list of phrases; nested lists (YAML aliases of shared lists) are flattened in order
PhraseList = Annotated[list[str], BeforeValidator(_flatten)]


@dataclass(frozen=True, slots=True)
class Hit:
    """One utterance that supports a finding."""

    index: int  # position in transcript.utterances
    confidence: float
    what: str = ""  # the matched words, or the classifier label
    # token position of the match inside the utterance: orders two events in one turn
    # ("I can see the balance... can I confirm your name?" discloses before verifying)
    start: int = 0


@dataclass(frozen=True, slots=True)
class Finding:
    found: bool
    confidence: float  # that ``found`` is right
    hits: tuple[Hit, ...]
    scope: str  # where the check looked, in words ("the agent's first 3 turns")


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: str
    confidence: float
    explanation: str
    evidence: tuple[int, ...] = ()  # utterance indices


MatchSpans = Mapping[str, tuple[tuple[int, int], ...]]


@dataclass(slots=True)
class CallView:
    """A transcript prepared once for all checks: normalised text and pattern matches."""

    transcript: Transcript
    norms: tuple[Normalised, ...]
    matches: tuple[MatchSpans, ...]
    metrics: dict[str, float | None] = field(default_factory=dict)
    holds: tuple[tuple[int, int, float], ...] = ()  # (last index before, first after, gap_s)
    _proba: dict[Any, Any] = field(default_factory=dict)

    @property
    def utterances(self) -> tuple[Utterance, ...]:
        return self.transcript.utterances

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Per-call cache (classifier probabilities are computed once per model and speaker)."""
        if key not in self._proba:
            self._proba[key] = compute()
        return self._proba[key]

    def turn_number(self, index: int) -> int:
        """1-based turn number of utterance ``index`` among its speaker's turns."""
        speaker = self.utterances[index].speaker
        return sum(1 for u in self.utterances[: index + 1] if u.speaker == speaker)

    def asr_factor(self, index: int) -> float:
        """How much to trust the words of one utterance (1.0 for human transcripts)."""
        return self.factors[index]

    @property
    def factors(self) -> tuple[float, ...]:
        """asr_factor of every utterance: 0.5 + 0.5 * ASR confidence, 1.0 when unknown."""
        return self.cached("factors", lambda: tuple(
            1.0 if u.confidence is None else 0.5 + 0.5 * max(0.0, min(1.0, u.confidence))
            for u in self.utterances))


@runtime_checkable
class Finder(Protocol):
    def find(self, view: CallView) -> Finding: ...


@runtime_checkable
class Judge(Protocol):
    def judge(self, view: CallView) -> Outcome: ...


@dataclass(slots=True)
class BuildContext:
    """Shared, per-process resources a check may register with while being built."""

    bank: Any  # qa_analytics.checks.phrase.PatternBank
    classifiers: Any  # qa_analytics.checks.classifier.ClassifierStore
    build: Callable[[str, BaseModel], Any]  # build a nested check spec (any.v1)
    hold_min_gap_s: float = 20.0
