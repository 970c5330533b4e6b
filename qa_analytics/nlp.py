"""The shared spaCy pipeline and text normalisation for ASR output.

One blank English pipeline (tokenizer only) is built once per process; lemmas come from the
spacy-lookups-data lookup table, so nothing is downloaded and nothing statistical runs.

Normalisation turns messy speech into stable lemma tokens that phrase checks and classifiers
share::

    "Um, thank you for colling, I I'm Sarah."  ->  "thank you for call i be sarah ."

Steps: expand contractions, drop fillers and punctuation other than . ? !, collapse
immediate repeats (single words and two-word runs), fix known ASR confusions, correct a rare
word to a close domain word ("colling" -> "calling") when the word is not common English, and
lemmatise (numbers become "#"). Results are cached because
contact-centre speech repeats itself (openings, closings, hold phrases).
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spaCy is imported lazily: `import qa_analytics` stays light
    from spacy.language import Language
    from spacy.tokens import Doc

FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "erm", "er", "hmm", "hm", "mm", "mhm",
                     "ah", "eh"})

# Whole-word ASR confusions seen in contact-centre audio (misheard domain words).
CONFUSIONS: dict[str, str] = {
    "colling": "calling", "cawling": "calling", "callin": "calling",
    "recordid": "recorded", "recordered": "recorded", "monitered": "monitored",
    "moniterd": "monitored", "appologise": "apologise", "apologize": "apologise",
    "apologized": "apologised", "sory": "sorry", "sorrry": "sorry",
    # "speaking" loses its first sound in an introduction ("sipho peaking")
    "peaking": "speaking",
    # dialect spellings of a hold thank-you ("thanks fur hangin on", "thank ye for waitin'")
    "holdin": "holding", "waitin": "waiting", "hangin": "hanging", "ye": "you",
    "bein": "being", "doin": "doing", "goin": "going", "gettin": "getting",
}
# Two-word confusions where the first word is real English but wrong in this context.
BIGRAM_CONFUSIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("trainee", "purposes"): ("training", "purposes"),
    ("trainee", "purpose"): ("training", "purpose"),
    ("quality", "porpoises"): ("quality", "purposes"),
    ("training", "porpoises"): ("training", "purposes"),
    ("call", "maybe"): ("call", "may"),
    # "calls are / calls may" run together in a recording notice ("call our recorded",
    # "call my recorded", "calm are recorded")
    ("call", "our"): ("calls", "are"),
    ("call", "my"): ("calls", "may"),
    ("calm", "are"): ("calls", "are"),
    ("calm", "recorded"): ("calls", "recorded"),
    ("thanks", "fur"): ("thanks", "for"),
    ("thank", "fur"): ("thank", "for"),
    ("thank", "ya"): ("thank", "you"),
}
# Contractions expanded before tokenising ("isn't" -> "is not"), in one regex pass.
_CONTRACTION = re.compile(r"\b(can'?t|won'?t|shan't)\b|n't\b|'(m|re|ve|ll|d)\b", re.I)
_WHOLE = {"cant": "can not", "can't": "can not", "wont": "will not", "won't": "will not",
          "shan't": "shall not"}
_SUFFIX = {"m": " am", "re": " are", "ve": " have", "ll": " will", "d": " would"}


def _expand(m: re.Match[str]) -> str:
    if m.group(1):
        return _WHOLE[m.group(1).lower()]
    if m.group(2):
        return _SUFFIX[m.group(2).lower()]
    return " not"


# Contractions written without the apostrophe, as lower-case ASR-style text has them ("ive
# refunded it", "thats our mistake", "lemme check"). Only spellings that are no other English
# word; "ill", "were", "well", "id" and "wed" are real words and handled apart or left alone.
_BARE: dict[str, str] = {
    "im": "I am", "ive": "I have", "youre": "you are", "youve": "you have", "youll": "you will",
    "theyre": "they are", "theyve": "they have", "theyll": "they will", "weve": "we have",
    "thats": "that is", "whats": "what is", "theres": "there is", "heres": "here is",
    "its": "it is", "dont": "do not", "doesnt": "does not", "didnt": "did not",
    "isnt": "is not", "wasnt": "was not", "arent": "are not", "werent": "were not",
    "havent": "have not", "hasnt": "has not", "hadnt": "had not", "couldnt": "could not",
    "wouldnt": "would not", "shouldnt": "should not", "aint": "is not", "lemme": "let me",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "hes": "he is",
    "shes": "she is", "itll": "it will", "thatll": "that will", "shouldve": "should have",
    "wouldve": "would have", "couldve": "could have",
}
_BARE_TOKENS = {word: tuple(out.split()) for word, out in _BARE.items()}
_BARE_TRIGGERS = frozenset(_BARE_TOKENS) | {"ill"}
# "ill" is "I'll" before a word, unless it follows one that makes it the adjective ("she is
# ill today", "feeling ill since").
_ILL_ADJECTIVE_AFTER = frozenset({
    "am", "is", "are", "was", "were", "be", "been", "being", "feel", "feels", "feeling",
    "felt", "fell", "falls", "very", "really", "quite", "too", "seriously", "critically",
    "terminally", "mentally", "chronically", "got", "get", "gets", "getting", "become",
    "became", "look", "looks", "looked", "the", "an", "of", "bit", "taken"})


def _expand_bare(tokens: list[str]) -> list[str]:
    """Contractions written without the apostrophe, token by token ("ive" -> "I have")."""
    out: list[str] = []
    for k, token in enumerate(tokens):
        low = token.lower()
        if low in _BARE_TOKENS:
            out.extend(_BARE_TOKENS[low])
        elif low == "ill" and k + 1 < len(tokens) and tokens[k + 1][:1].islower() \
                and tokens[k + 1].isalpha() \
                and (k == 0 or tokens[k - 1].lower() not in _ILL_ADJECTIVE_AFTER):
            out.extend(("I", "will"))
        else:
            out.append(token)
    return out


# Tokens of ASR text: false starts ("re-"), numbers with decimals, words, "'s", sentence
# punctuation runs, any other single character. Same tokens as spaCy's English tokenizer on
# such text (tests/test_nlp.py compares them) at a fraction of the cost on the hot path.
_TOKEN = re.compile(r"\w+-(?=\s|$)|\d+(?:[.,:]\d+)+|\w+|'s\b|\.\.+|[.?!]|\S")
_SMART_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
# Punctuation kept as tokens: sentence ends matter ("sorry?" is a request to repeat).
_KEEP_PUNCT = frozenset({".", "?", "!"})
_WORD = re.compile(r"[a-z]+")
# A word this rare (log probability) is treated as a possible recognition error.
RARE_LOGPROB = -17.0


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The blank English pipeline, built once per process."""
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


# Only words this long are corrected (shorter ones are too easily close to something).
MIN_WORD_LENGTH = 5
_COMMON_WORDS = Path(__file__).resolve().parent / "data" / "common_words.json"


@lru_cache(maxsize=1)
def _common_words() -> Container[str]:
    """Lower-case words of MIN_WORD_LENGTH+ letters at least as frequent as RARE_LOGPROB.

    Shipped precomputed (qa_analytics/training/vocabulary.py builds it from spaCy's 1M-word
    lexeme_prob table, which takes ~2.4 s to load; this file takes milliseconds)."""
    try:
        doc = json.loads(_COMMON_WORDS.read_text(encoding="utf-8"))
    except OSError:  # a source tree without the file: derive the same answer, slowly
        from spacy.lookups import load_lookups

        table = load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")
        return _CommonByTable(table)
    return frozenset(doc["words"])


class _CommonByTable:
    """Membership test over the full frequency table (fallback without the shipped list)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def __contains__(self, word: object) -> bool:
        p = self.table.get(word)
        return p is not None and p >= RARE_LOGPROB


# The lookup table maps "'s" to "have"; keep it as written ("my name's", "it's", "John's").
# It also lacks a few contact-centre verb forms ("I'm unblocking the card", "I texted you").
_LEMMA_OVERRIDES = {"'s": "'s", "unblocking": "unblock", "unblocked": "unblock",
                    "texting": "text", "texted": "text", "couriering": "courier",
                    "couriered": "courier", "putting": "put"}


# After these words "'s" is "is" ("it's", "that's", "there's"), elsewhere a possessive or
# "has" ("John's", "my name's" stays "'s").
_IS_BEFORE = frozenset({"it", "that", "this", "there", "here", "what", "who", "where", "how",
                        "he", "she", "everything", "nothing", "something", "someone"})

NUMBER = "#"
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Lookup lemma of a lower-case word ("recorded" -> "record", "is" -> "be").

    Any token with a digit ("1980", "b12345", "£45.50") becomes "#": numbers and references
    carry no meaning for the checks, and one lemma for all of them keeps spaCy's vocabulary
    from growing with every new amount over a long batch.
    """
    if _DIGIT.search(word):
        return NUMBER
    return _LEMMA_OVERRIDES.get(word) or _lemma_table().get(word, word)


class DomainVocabulary:
    """Words the checks look for; rare words close to one of them are corrected to it."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words: frozenset[str] = frozenset(w for w in words if len(w) >= MIN_WORD_LENGTH)
        self._sorted = sorted(self.words)
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        fixed = word
        if len(word) >= MIN_WORD_LENGTH and word not in self.words and self._sorted:
            close = difflib.get_close_matches(word, self._sorted, n=1, cutoff=0.8)
            # Only correct words that are not common English ("trainee" stays "trainee").
            if close and close[0][0] == word[0] and word not in _common_words():
                fixed = close[0]
        if len(self._cache) < 100_000:
            self._cache[word] = fixed
        return fixed


@dataclass(frozen=True, slots=True)
class Normalised:
    """One utterance after normalisation: surface words (original case) and lemmas."""

    words: tuple[str, ...]
    lemmas: tuple[str, ...]

    @property
    def text(self) -> str:
        """Lemma text, the classifiers' input."""
        return " ".join(self.lemmas)


# A dropped g written with an apostrophe ("holdin'", "mornin'"): the -ing word, when it is one.
_DROPPED_G = re.compile(r"\b([A-Za-z]{2,}in)'(?!\w)")


def _restore_g(m: re.Match[str]) -> str:
    word = m.group(1) + "g"
    return word if word.lower() in _common_words() else m.group(0)


def _clean_string(text: str) -> str:
    text = text.translate(_SMART_QUOTES)
    if "in'" in text:
        text = _DROPPED_G.sub(_restore_g, text)
    return _CONTRACTION.sub(_expand, text)


def tokenize(text: str, engine: str = "regex") -> list[str]:
    """Token strings of (cleaned) text; ``engine="spacy"`` uses spaCy's rule tokenizer."""
    if engine == "spacy":
        return [t.text for t in get_nlp().tokenizer(text)]
    return _TOKEN.findall(text)


def normalise(text: str, vocab: DomainVocabulary | None = None) -> Normalised:
    """Normalise one utterance (tokenise, drop fillers and repeats, fix ASR errors, lemmatise)."""
    return _normalise_cached(text, vocab)


_DROP = ("", "")


def _word_rule(surface: str, vocab: DomainVocabulary | None) -> tuple[str, str]:
    """(surface, lower) to keep for one token, or _DROP; cached per vocabulary and word."""
    cache = _RULES.setdefault(vocab, {})
    low = surface.lower()
    if (_is_punct(surface) and low not in _KEEP_PUNCT) or surface.isspace() or low in FILLERS \
            or low.endswith("-"):  # "-" ends a false start ("we re- we record")
        out = _DROP
    elif low in CONFUSIONS:
        out = (CONFUSIONS[low], CONFUSIONS[low])
    elif vocab is not None and _WORD.fullmatch(low) and not surface[:1].isupper() \
            and (fixed := vocab.correct(low)) != low:
        # A capitalised word is most often a name ("this is Renee" is not "renew").
        out = (fixed, fixed)
    else:
        out = (surface, low)
    if len(cache) < 500_000:
        cache[surface] = out
    return out


_RULES: dict[DomainVocabulary | None, dict[str, tuple[str, str]]] = {}


def _is_punct(text: str) -> bool:
    """spaCy's IS_PUNCT, without making a vocabulary entry for every new word (names,
    numbers and references are new in almost every call)."""
    return all(unicodedata.category(ch).startswith("P") for ch in text)


@lru_cache(maxsize=200_000)
def _normalise_cached(text: str, vocab: DomainVocabulary | None,
                      engine: str = "regex") -> Normalised:
    words: list[str] = []
    lowers: list[str] = []
    rules = _RULES.setdefault(vocab, {})
    tokens = tokenize(_clean_string(text), engine)
    if not _BARE_TRIGGERS.isdisjoint(map(str.lower, tokens)):
        tokens = _expand_bare(tokens)
    for token in tokens:
        rule = rules.get(token)  # decided once per distinct word: the hot path
        surface, low = rule if rule is not None else _word_rule(token, vocab)
        if not low:
            continue
        if lowers and low == lowers[-1] and low not in _KEEP_PUNCT:
            continue  # "I I I think" -> "I think"
        words.append(surface)
        lowers.append(low)
    # Collapse a repeated two-word run ("thank you thank you") left after single repeats.
    i = 2
    while i + 1 < len(lowers):
        if lowers[i] == lowers[i - 2] and lowers[i + 1] == lowers[i - 1]:
            del lowers[i:i + 2]
            del words[i:i + 2]
        else:
            i += 1
    for i in range(len(lowers) - 1):
        fix = BIGRAM_CONFUSIONS.get((lowers[i], lowers[i + 1]))
        if fix is not None:
            lowers[i], lowers[i + 1] = fix
            words[i], words[i + 1] = fix
    lemmas = [lemma(w) for w in lowers]
    for i in range(1, len(lowers)):
        if lowers[i] == "'s" and lowers[i - 1] in _IS_BEFORE:
            lemmas[i] = "be"  # "it's simple" meets the phrase "it be simple"
    return Normalised(tuple(words), tuple(lemmas))


def make_doc(norm: Normalised) -> Doc:
    """A spaCy Doc over the normalised words, with lookup lemmas set (for token patterns).

    A final "." is added when the utterance ends without punctuation (ASR often drops it), so
    a pattern can require "a name followed by punctuation" at the end of a turn too.
    """
    from spacy.tokens import Doc

    words, lemmas = list(norm.words), list(norm.lemmas)
    if words and words[-1] not in _KEEP_PUNCT:
        words.append(".")
        lemmas.append(".")
    return Doc(get_nlp().vocab, words=words, lemmas=lemmas)


def lemma_text(text: str) -> str:
    """Normalised lemma text without domain correction: for training data and patterns."""
    return normalise(text).text
