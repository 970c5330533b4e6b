"""phrase.v1: phrases and token patterns matched on normalised lemmas.

All phrase checks of a scorecard share one PatternBank, built once per process: per
(speaker, window) group, an index of phrase lemma sequences (scanned in plain Python) and a
spaCy Matcher per check for token patterns (run only on turns holding its required words),
over only the utterances the group looks at, with results cached by text and identical
registrations (a YAML alias used twice) matched once. Matching is on
lookup lemmas of normalised text, so "calls are recorded", "the call was being recorded" and
"this call may be recorded" meet one pattern, fillers and repeats are gone, and misrecognised
domain words are corrected first.

A match does not count when: a negation cue precedes it in the same clause ("this call is
not recorded"), it overlaps an ``exclude`` phrase ("sorry?" as pardon, "sorry to keep you
waiting"), or the utterance contains a ``veto`` phrase ("I understand, but there's nothing I
can do").
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from typing import Any

from pydantic import Field

from qa_analytics.checks import wordlists
from qa_analytics.checks.base import (
    BuildContext,
    CallView,
    Finding,
    Hit,
    MatchSpans,
    Params,
    PhraseList,
)
from qa_analytics.checks.conditions import (
    SpeakerChoice,
    Window,
    negated,
    overlaps,
    select,
    select_indices,
)
from qa_analytics.nlp import DomainVocabulary, Normalised, make_doc, normalise
from qa_analytics.records import Transcript

_PATTERN_KEYS = ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM")
# words in most turns: a poor trigger for a pattern when it needs a rarer word too
_FREQUENT = frozenset(
    "i you we it the a an be is are was have has do does not to that this and of in on for "
    "my your our can will would just so me us '' 's . ? ! ,".split())


class _Group:
    """Labels that look at the same speaker through the same window share matchers."""

    def __init__(self, speaker: str, window: Window | None) -> None:
        self.speaker = speaker
        self.window = window
        self.labels: list[str] = []
        # first lemma -> second lemma (None for a one-word phrase) -> (phrase, label) pairs
        self.phrase_index: dict[str, dict[str | None, list[tuple[tuple[str, ...], str]]]] = {}
        # The labels with token patterns. Most turns hold the required words of none of a
        # label's patterns and skip the full Doc; a turn that passes runs only the patterns
        # it could meet.
        self.matchers: list[_LabelMatcher] = []
        # word -> (label, pattern) whose rarest required token that word can be: only those
        # patterns are tested further on a turn, not all of the group's (most turns hold
        # the trigger of none)
        self.triggers: dict[str, list[tuple[int, int]]] = {}
        self.untriggered: list[tuple[int, int]] = []  # nothing to test: always run

    def index_triggers(self) -> None:
        for m, label_matcher in enumerate(self.matchers):
            for k, needs in enumerate(label_matcher.needs):
                if needs is None:
                    self.untriggered.append((m, k))
                    continue
                trigger = min((n if isinstance(n, frozenset) else n[0] for n in needs),
                              key=lambda words: (not words.isdisjoint(_FREQUENT), len(words)))
                for word in trigger:
                    self.triggers.setdefault(word, []).append((m, k))

    def runnable(self, norm: Normalised, tokens: frozenset[str]) -> list[Any]:
        """The Matchers to run on this utterance: per label, of the patterns whose required
        tokens it holds."""
        candidates = set(self.untriggered)
        for word in tokens:
            found = self.triggers.get(word)
            if found:
                candidates.update(found)
        chosen: dict[int, list[int]] = {}
        for m, k in sorted(candidates):
            needs = self.matchers[m].needs[k]
            if needs is None or _passes(needs, norm, tokens):
                chosen.setdefault(m, []).append(k)
        return [self.matchers[m].matcher(tuple(ks)) for m, ks in chosen.items()]


class _LabelMatcher:
    """One label's token patterns, and for each the words an utterance must hold for it to
    match. An utterance runs a Matcher of only the patterns it passes (1.6 of 10 on average
    in the scoring benchmark), built once per such subset: a Matcher tries every pattern it
    holds at every token."""

    _MAX_SUBSETS = 512  # beyond this many distinct subsets, run the whole label

    def __init__(self, label: str, patterns: list[list[dict[str, Any]]], vocab: Any) -> None:
        self.label = label
        self.patterns = patterns
        self.vocab = vocab
        self.needs = [_pattern_needs(p) for p in patterns]
        self._everything = tuple(range(len(patterns)))
        self._matchers: dict[tuple[int, ...], Any] = {}

    def matcher(self, chosen: tuple[int, ...]) -> Any:
        found = self._matchers.get(chosen)
        if found is None:
            if len(self._matchers) >= self._MAX_SUBSETS and chosen != self._everything:
                return self.matcher(self._everything)
            from spacy.matcher import Matcher

            found = self._matchers[chosen] = Matcher(self.vocab)
            found.add(self.label, [self.patterns[k] for k in chosen])
        return found


class PatternBank:
    """Every phrase and token pattern of a scorecard, compiled once, matched once per text.

    Labels are grouped by (speaker, window); a group's matchers run only on the utterances
    its window selects (the opening patterns on the agent's first turns, not on all 75), and
    results are cached by (group, text).
    """

    def __init__(self) -> None:
        self._phrases: dict[str, list[str]] = {}
        self._patterns: dict[str, list[list[dict[str, Any]]]] = {}
        self._groups: dict[tuple[str, str], _Group] = {}
        self._labels: dict[str, str] = {}  # identical registrations share one label
        self._ids = itertools.count()
        self._compiled = False
        self._cache: dict[tuple[tuple[str, str], str], MatchSpans] = {}
        self.vocabulary = DomainVocabulary()

    def add(self, phrases: Iterable[str] = (), patterns: Iterable[list[dict[str, Any]]] = (),
            name: str = "p", speaker: str = "any", window: Window | None = None) -> str:
        """Register phrases/patterns, matched in ``speaker``'s utterances within ``window``,
        under a fresh label; returns the label."""
        if self._compiled:
            raise RuntimeError("PatternBank is already compiled")
        phrases, patterns = list(phrases), [list(p) for p in patterns]
        key = (speaker, window.model_dump_json() if window is not None else "")
        # A condition reused by YAML alias ("*commitment" as a check and as applies_when)
        # registers the same lists twice: match them once.
        same = json.dumps([key, phrases, patterns], sort_keys=True, default=str)
        if same in self._labels:
            return self._labels[same]
        label = self._labels[same] = f"{name}#{next(self._ids)}"
        self._phrases[label] = phrases
        self._patterns[label] = patterns
        self._groups.setdefault(key, _Group(speaker, window)).labels.append(label)
        return label

    def compile(self) -> None:
        if self._compiled:
            return
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
        for group in self._groups.values():
            # Phrases match on lemma sequences: an index from the first two lemmas to the
            # phrases that start with them, scanned in plain Python (no spaCy Doc to build
            # per utterance). Keyed on one lemma, "i" led to 111 phrases to compare at every
            # "i" of every agent turn.
            index: dict[str, dict[str | None, list[tuple[tuple[str, ...], str]]]] = {}
            for label in group.labels:
                for phrase in self._phrases[label]:
                    lemmas = normalise(phrase).lemmas
                    if not lemmas:
                        continue
                    second = lemmas[1] if len(lemmas) > 1 else None
                    bucket = index.setdefault(lemmas[0], {}).setdefault(second, [])
                    if (lemmas, label) not in bucket:
                        bucket.append((lemmas, label))
                if self._patterns[label]:
                    group.matchers.append(_LabelMatcher(
                        label, wordlists.expand(self._patterns[label]), vocab))
            group.phrase_index = index
            group.index_triggers()
        self._compiled = True

    def normalise(self, text: str) -> Normalised:
        self.compile()
        return normalise(text, self.vocabulary)

    def match_call(self, transcript: Transcript,
                   norms: tuple[Normalised, ...]) -> tuple[MatchSpans, ...]:
        """Spans per label for every utterance of a call (only where each group looks)."""
        self.compile()
        found: list[dict[str, tuple[tuple[int, int], ...]]] = [{} for _ in norms]
        full: dict[int, Any] = {}  # Docs with words and lemmas (token patterns), built rarely
        # the words and lemmas of each utterance, as a set, for the pattern prefilter; built
        # only for turns a group with token patterns looks at (the customer's groups have
        # none)
        present: dict[int, frozenset[str]] = {}

        def words_of(i: int) -> frozenset[str]:
            found_words = present.get(i)
            if found_words is None:
                n = norms[i]
                found_words = present[i] = frozenset(w.lower() for w in n.words) \
                    | frozenset(n.lemmas)
            return found_words

        for key, group in self._groups.items():
            indices, _ = select_indices(transcript, group.speaker, group.window)
            for i in indices:
                if not norms[i].words:
                    continue
                text = transcript.utterances[i].text
                spans = self._cache.get((key, text))
                if spans is None:
                    full_doc = None
                    runnable = group.runnable(norms[i], words_of(i)) \
                        if group.matchers else []
                    if runnable:
                        full_doc = full.get(i)
                        if full_doc is None:
                            full_doc = full[i] = make_doc(norms[i])
                    spans = self._run(group, norms[i].lemmas, full_doc, runnable)
                    if len(self._cache) < 400_000:
                        self._cache[(key, text)] = spans
                if spans:
                    found[i].update(spans)
        return tuple(found)

    @staticmethod
    def _run(group: _Group, lemmas: tuple[str, ...], full_doc: Any,
             matchers: list[Any]) -> MatchSpans:
        out: dict[str, set[tuple[int, int]]] = {}
        index, n = group.phrase_index, len(lemmas)
        for start, first in enumerate(lemmas):
            by_second = index.get(first)
            if by_second is None:
                continue
            for _, label in by_second.get(None, ()):
                out.setdefault(label, set()).add((start, start + 1))
            if start + 1 < n:
                for phrase, label in by_second.get(lemmas[start + 1], ()):
                    end = start + len(phrase)
                    if end <= n and lemmas[start:end] == phrase:
                        out.setdefault(label, set()).add((start, end))
        if matchers:
            strings = full_doc.vocab.strings
            for matcher in matchers:
                for key, start, end in matcher(full_doc):
                    out.setdefault(strings[key], set()).add((start, end))
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def match(self, text: str, speaker: str = "agent") -> tuple[Normalised, MatchSpans]:
        """One utterance on its own (as its speaker's only turn): for tests and tools."""
        from qa_analytics.records import Transcript, Utterance

        norm = self.normalise(text)
        return norm, self.match_call(Transcript("-", (Utterance(speaker, text),)), (norm,))[0]


# What one required pattern token needs: a word from a set, or (lemma set, surface regex) for
# tokens like {LEMMA: {IN: [book, ...]}, LOWER: {REGEX: "ed$"}} ("I booked").
Need = frozenset[str] | tuple[frozenset[str], "re.Pattern[str]"]


def _values(spec: Any) -> frozenset[str] | None:
    if isinstance(spec, str):
        values = [spec]
    elif isinstance(spec, dict) and isinstance(spec.get("IN"), list):
        values = spec["IN"]
    else:
        return None
    words = frozenset(v.lower() for v in values if isinstance(v, str))
    return words if words and all(any(c.isalnum() for c in w) for w in words) else None


def _required(token: dict[str, Any]) -> Need | None:
    """What this pattern token must be (None: cannot tell cheaply)."""
    if token.get("OP") not in (None, "+", "1"):
        return None  # optional or negated tokens need not be there
    lemmas = _values(token.get("LEMMA"))
    lower = token.get("LOWER")
    if lemmas is not None and isinstance(lower, dict) and isinstance(lower.get("REGEX"), str):
        return (lemmas, re.compile(lower["REGEX"]))
    for key in ("LOWER", "LEMMA", "ORTH", "NORM", "TEXT"):
        words = _values(token.get(key))
        if words is not None:
            return words
    return None


def _pattern_needs(pattern: list[dict[str, Any]]) -> list[Need] | None:
    """What the pattern's required tokens need (None if it needs nothing we can test)."""
    needs = [v for v in (_required(t) for t in pattern) if v is not None]
    if not needs:
        return None
    # cheap set tests first; a lemma + regex need scans words only if they get that far
    return sorted(needs, key=lambda n: not isinstance(n, frozenset))


def _passes(needs: list[Need], norm: Normalised, tokens: frozenset[str] | None = None) -> bool:
    """Whether the utterance holds every required token of one pattern (``tokens``: its
    lower-case words and lemmas, when already at hand)."""
    if tokens is None:
        tokens = frozenset(w.lower() for w in norm.words) | frozenset(norm.lemmas)
    for need in needs:
        if isinstance(need, frozenset):
            if need.isdisjoint(tokens):
                return False
        else:
            lemmas, regex = need
            if lemmas.isdisjoint(tokens) or not any(
                    lem in lemmas and regex.search(w.lower())
                    for w, lem in zip(norm.words, norm.lemmas, strict=True)):
                return False
    return True


def _pattern_words(token: dict[str, Any]) -> Iterable[str]:
    for key in _PATTERN_KEYS:
        value = token.get(key)
        if isinstance(value, str):
            yield value.lower()
        elif isinstance(value, dict):
            for v in value.get("IN", ()):
                if isinstance(v, str) and not wordlists.is_reference(v):
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
        Matcher(get_nlp().vocab, validate=True).add("check", wordlists.expand(patterns))
    except MatchPatternError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError(f"patterns: not valid spaCy Matcher patterns ({detail}); quote "
                          "YAML words such as 'yes', 'no', 'on' that YAML reads as true/false"
                          ) from None


class PhraseParams(Params):
    speaker: SpeakerChoice = "agent"
    window: Window | None = None
    phrases: PhraseList = []
    # spaCy Matcher token patterns, e.g. [{"LEMMA": "my"}, {"LEMMA": "name"}, {"LEMMA": "be"}]
    patterns: list[list[dict[str, Any]]] = []
    exclude: PhraseList = []  # a match overlapping one of these does not count
    veto: PhraseList = []  # an utterance containing one of these does not count at all
    # a match counts only in an utterance that also says one of these (a request form:
    # "can I take", "?"), so "depending on your postcode" is not a verification request
    require: PhraseList = []
    # found only once the speaker has said this many different matches (non-overlapping, in
    # one turn or across the window): an account number alone is a lookup, not a check
    min_distinct: int = Field(default=1, ge=1)
    negation: bool = True
    negation_window: int = 3
    # what the check looks for, in words, for explanations ("a recording notice")
    describe: str = ""


class PhraseCheck:
    """Finds agent/customer utterances that say one of the phrases (in a window)."""

    Params = PhraseParams

    def __init__(self, params: PhraseParams, context: BuildContext, *,
                 allow_empty: bool = False) -> None:
        # allow_empty: a classifier check reuses exclude/veto handling without phrases.
        if not (params.phrases or params.patterns or allow_empty):
            from qa_analytics.errors import ConfigError

            raise ConfigError("phrase.v1 needs at least one of phrases, patterns")
        self.params = params
        _validate_patterns(params.patterns)
        bank = context.bank
        who, window = params.speaker, params.window
        self.label = bank.add(params.phrases, params.patterns, "phrase", who, window)
        self.exclude_label = bank.add(params.exclude, name="exclude", speaker=who,
                                      window=window) if params.exclude else None
        self.veto_label = bank.add(params.veto, name="veto", speaker=who,
                                   window=window) if params.veto else None
        self.require_label = bank.add(params.require, name="require", speaker=who,
                                      window=window) if params.require else None

    def utterance_spans(self, view: CallView, i: int) -> list[tuple[int, int]]:
        """The counted match spans in utterance ``i`` (non-overlapping, in order)."""
        spans = view.matches[i]
        own = spans.get(self.label)
        if not own:
            return []
        if self.veto_label and spans.get(self.veto_label):
            return []
        if self.require_label and not spans.get(self.require_label):
            return []
        excluded = spans.get(self.exclude_label, ()) if self.exclude_label else ()
        lemmas = view.norms[i].lemmas
        counted: list[tuple[int, int]] = []
        for span in own:
            if any(overlaps(span, ex) for ex in excluded):
                continue
            if self.params.negation and negated(lemmas, span[0], self.params.negation_window):
                continue
            if any(overlaps(span, c) for c in counted):
                continue
            counted.append(span)
            if self.params.min_distinct == 1:
                break  # the first is all that is needed
        return counted

    def utterance_hit(self, view: CallView, i: int) -> tuple[int, int] | None:
        """The first counted match span in utterance ``i``, if any."""
        counted = self.utterance_spans(view, i)
        return counted[0] if counted else None

    def find(self, view: CallView) -> Finding:
        indices, scope = select(view, self.params.speaker, self.params.window)
        hits = []
        label, matches, factors = self.label, view.matches, view.factors
        needed, seen = self.params.min_distinct, set()
        for i in indices:
            if label not in matches[i]:
                continue  # the common case, decided without a call
            first = None  # where this turn's part of a multi-detail request starts
            for span in self.utterance_spans(view, i):
                first = span[0] if first is None else first
                seen.add(" ".join(view.norms[i].lemmas[span[0]:span[1]]))
                if len(seen) < needed:
                    continue
                # "the email on your account and your postcode" is asked from "email" on
                words = " ".join(view.norms[i].words[first:span[1]])
                hits.append(Hit(i, 0.92 * factors[i], words, first))
                break
        if hits:
            return Finding(True, max(h.confidence for h in hits), tuple(hits), scope)
        # Absence is less certain than presence: speech may paraphrase; bad audio hides words.
        # how well the looked-at turns were heard, on average: one garbled turn should
        # not make every absence doubtful (low_transcript_confidence covers the call)
        trust = sum(factors[i] for i in indices) / len(indices) if indices else 1.0
        return Finding(False, 0.85 * trust, (), scope)
