"""phrase.v1: phrases and token patterns matched with spaCy on normalised lemmas.

All phrase checks of a scorecard share one PatternBank: one PhraseMatcher and one Matcher,
built once per process, run once per utterance (and cached by text), so adding criteria
costs little. Matching is on lookup lemmas of normalised text, so "calls are recorded",
"the call was being recorded" and "this call may be recorded" meet one pattern, fillers and
repeats are gone, and misrecognised domain words are corrected first.

A match does not count when: a negation cue precedes it in the same clause ("this call is
not recorded"), it overlaps an ``exclude`` phrase ("sorry?" as pardon, "sorry to keep you
waiting"), or the utterance contains a ``veto`` phrase ("I understand, but there's nothing I
can do").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from qa_analytics.checks.base import BuildContext, CallView, Finding, Hit, MatchSpans, Params
from qa_analytics.checks.conditions import SpeakerChoice, Window, negated, overlaps, select
from qa_analytics.nlp import DomainVocabulary, Normalised, make_doc, normalise

_PATTERN_KEYS = ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM")


class PatternBank:
    """Every phrase and token pattern of a scorecard, compiled once, matched once per text."""

    def __init__(self) -> None:
        self._phrases: dict[str, list[str]] = {}
        self._patterns: dict[str, list[list[dict[str, Any]]]] = {}
        self._ids = itertools.count()
        self._compiled: tuple[Any, Any] | None = None
        self._cache: dict[str, MatchSpans] = {}
        self.vocabulary = DomainVocabulary()

    def add(self, phrases: Iterable[str] = (), patterns: Iterable[list[dict[str, Any]]] = (),
            name: str = "p") -> str:
        """Register phrases/patterns under a fresh label; returns the label."""
        if self._compiled is not None:
            raise RuntimeError("PatternBank is already compiled")
        label = f"{name}#{next(self._ids)}"
        self._phrases[label] = list(phrases)
        self._patterns[label] = [list(p) for p in patterns]
        return label

    def compile(self) -> None:
        if self._compiled is not None:
            return
        from spacy.matcher import Matcher, PhraseMatcher

        from qa_analytics.nlp import get_nlp

        words: set[str] = set()
        for phrases in self._phrases.values():
            for p in phrases:
                words.update(w.lower() for w in p.replace("?", " ").split() if w.isalpha())
        for patterns in self._patterns.values():
            for pattern in patterns:
                for tok in pattern:
                    words.update(_pattern_words(tok))
        self.vocabulary = DomainVocabulary(words)
        vocab = get_nlp().vocab
        phrase_matcher = PhraseMatcher(vocab, attr="LEMMA")
        matcher = Matcher(vocab)
        for label, phrases in self._phrases.items():
            docs = [make_doc(normalise(p)) for p in phrases]
            docs = [d for d in docs if len(d)]
            if docs:
                phrase_matcher.add(label, docs)
        for label, patterns in self._patterns.items():
            if patterns:
                matcher.add(label, patterns)
        self._compiled = (phrase_matcher, matcher)

    def normalise(self, text: str) -> Normalised:
        self.compile()
        return normalise(text, self.vocabulary)

    def match(self, text: str) -> tuple[Normalised, MatchSpans]:
        """Normalise one utterance and return spans per label (cached by raw text)."""
        norm = self.normalise(text)
        spans = self._cache.get(text)
        if spans is None:
            spans = self._match_norm(norm)
            if len(self._cache) < 200_000:
                self._cache[text] = spans
        return norm, spans

    def _match_norm(self, norm: Normalised) -> MatchSpans:
        if not norm.words:
            return {}
        assert self._compiled is not None
        phrase_matcher, matcher = self._compiled
        doc = make_doc(norm)
        strings = doc.vocab.strings
        found: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in itertools.chain(phrase_matcher(doc), matcher(doc)):
            found.setdefault(strings[key], []).append((start, end))
        return {k: tuple(sorted(set(v))) for k, v in found.items()}


def _pattern_words(token: dict[str, Any]) -> Iterable[str]:
    for key in _PATTERN_KEYS:
        value = token.get(key)
        if isinstance(value, str):
            yield value.lower()
        elif isinstance(value, dict):
            for v in value.get("IN", ()):
                if isinstance(v, str):
                    yield v.lower()


def _validate_patterns(patterns: list[list[dict[str, Any]]]) -> None:
    """Check token patterns with spaCy's own validator, so mistakes fail at load time."""
    if not patterns:
        return
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher

    from qa_analytics.errors import ConfigError
    from qa_analytics.nlp import get_nlp

    try:
        Matcher(get_nlp().vocab, validate=True).add("check", patterns)
    except MatchPatternError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError(f"patterns: not valid spaCy Matcher patterns ({detail}); quote "
                          "YAML words such as 'yes', 'no', 'on' that YAML reads as true/false"
                          ) from None


class PhraseParams(Params):
    speaker: SpeakerChoice = "agent"
    window: Window | None = None
    phrases: list[str] = []
    # spaCy Matcher token patterns, e.g. [{"LEMMA": "my"}, {"LEMMA": "name"}, {"LEMMA": "be"}]
    patterns: list[list[dict[str, Any]]] = []
    exclude: list[str] = []  # a match overlapping one of these does not count
    veto: list[str] = []  # an utterance containing one of these does not count at all
    negation: bool = True
    negation_window: int = 3
    # what the check looks for, in words, for explanations ("a recording notice")
    describe: str = ""


class PhraseCheck:
    """Finds agent/customer utterances that say one of the phrases (in a window)."""

    Params = PhraseParams

    def __init__(self, params: PhraseParams, context: BuildContext) -> None:
        if not params.phrases and not params.patterns:
            from qa_analytics.errors import ConfigError

            raise ConfigError("phrase.v1 needs at least one of phrases, patterns")
        self.params = params
        _validate_patterns(params.patterns)
        bank = context.bank
        self.label = bank.add(params.phrases, params.patterns, "phrase")
        self.exclude_label = bank.add(params.exclude, name="exclude") if params.exclude else None
        self.veto_label = bank.add(params.veto, name="veto") if params.veto else None

    def utterance_hit(self, view: CallView, i: int) -> tuple[int, int] | None:
        """The first counted match span in utterance ``i``, if any."""
        spans = view.matches[i]
        own = spans.get(self.label)
        if not own:
            return None
        if self.veto_label and spans.get(self.veto_label):
            return None
        excluded = spans.get(self.exclude_label, ()) if self.exclude_label else ()
        lemmas = view.norms[i].lemmas
        for span in own:
            if any(overlaps(span, ex) for ex in excluded):
                continue
            if self.params.negation and negated(lemmas, span[0], self.params.negation_window):
                continue
            return span
        return None

    def find(self, view: CallView) -> Finding:
        indices, scope = select(view, self.params.speaker, self.params.window)
        hits = []
        for i in indices:
            span = self.utterance_hit(view, i)
            if span is not None:
                words = " ".join(view.norms[i].words[span[0]:span[1]])
                hits.append(Hit(i, 0.92 * view.asr_factor(i), words))
        if hits:
            return Finding(True, max(h.confidence for h in hits), tuple(hits), scope)
        # Absence is less certain than presence: speech may paraphrase; bad audio hides words.
        trust = min((view.asr_factor(i) for i in indices), default=1.0)
        return Finding(False, 0.85 * trust, (), scope)
