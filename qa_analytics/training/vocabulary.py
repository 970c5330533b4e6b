"""Build the common-English word list that fuzzy correction consults (qa_analytics.nlp).

Fuzzy correction turns a rare word close to a scorecard word into that word ("colling" ->
"calling") but must leave real English alone ("trainee" stays "trainee"). Deciding "rare"
needs word frequencies; spaCy's 1M-entry ``lexeme_prob`` table takes about 2.4 s to load.
Only lower-case alphabetic words of five letters or more are ever looked up, and only
whether they are at least as common as ``RARE_LOGPROB``, so the answer fits in a list of
~65,000 words shipped as ``qa_analytics/data/common_words.json`` (loads in milliseconds).

Regenerate after changing RARE_LOGPROB or MIN_WORD_LENGTH::

    python -m qa_analytics.training.vocabulary
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

COMMON_WORDS_PATH = Path(__file__).resolve().parents[1] / "data" / "common_words.json"
_ALPHA = re.compile(r"[a-z]+")


def _lexeme_probs() -> dict[str, float]:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data: dict[str, float] = json.load(fh)
    return data


def build_common_words(min_logprob: float, min_length: int) -> dict[str, Any]:
    """The shipped document: settings, source and the sorted word list."""
    words = sorted(w for w, p in _lexeme_probs().items()
                   if p >= min_logprob and len(w) >= min_length and _ALPHA.fullmatch(w))
    return {"source": "spacy-lookups-data en_lexeme_prob", "min_logprob": min_logprob,
            "min_length": min_length, "words": words}


def write_common_words(path: Path = COMMON_WORDS_PATH) -> int:
    from qa_analytics.nlp import MIN_WORD_LENGTH, RARE_LOGPROB

    doc = build_common_words(RARE_LOGPROB, MIN_WORD_LENGTH)
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(doc["words"])


if __name__ == "__main__":
    print(f"{COMMON_WORDS_PATH}: {write_common_words()} words")
