"""Named word lists in token patterns ("@first_names")."""

from __future__ import annotations

import pytest
import yaml

from qa_analytics.checks import wordlists
from qa_analytics.errors import ConfigError
from qa_analytics.scorer import Scorer, load_scorer
from tests.conftest import call


def test_wordlists_first_names_are_lower_case_words_without_common_english() -> None:
    names = wordlists.word_list("first_names")
    assert len(names) > 2000
    assert all(n == n.lower() and n.isascii() and " " not in n for n in names)
    assert {"tiffany", "dinuka", "aroha", "nakato", "siobhan"} <= set(names)
    # words a name slot would often hold in ordinary speech
    assert not {"will", "mark", "may", "grace", "the", "here", "claims"} & set(names)


def test_wordlists_expand_only_references() -> None:
    patterns = [[{"LOWER": {"IN": ["this", "@first_names"]}}, {"LOWER": "here"}]]
    out = wordlists.expand(patterns)
    assert "this" in out[0][0]["LOWER"]["IN"] and "tiffany" in out[0][0]["LOWER"]["IN"]
    assert out[0][1] == {"LOWER": "here"}
    assert patterns[0][0]["LOWER"]["IN"] == ["this", "@first_names"], "input left as it was"


def test_wordlists_unknown_list_fails_at_load_naming_file_and_key(tmp_path) -> None:
    check = {"type": "phrase.v1", "patterns": [[{"LOWER": {"IN": ["@surnames"]}}]]}
    data = {"id": "c", "version": "1", "name": "C", "sections": {"s": {"name": "S"}},
            "criteria": {"intro": {"name": "I", "section": "s", "description": "d",
                                   "standard": "x", "weight": 1, "check": check}}}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"c.yaml: criteria -> intro -> check: patterns: "
                                          r"unknown word list @surnames; known: @first_names"):
        load_scorer(path).build()


@pytest.mark.parametrize(("opening", "expected"), [
    ("bright smile dental billing this is tiffany", "met"),
    ("fees helpdesk wing yan here", "met"),
    ("hello claims this is about your claim", "not_met"),
])
def test_wordlists_names_in_lower_case_introductions(scorer: Scorer, opening: str,
                                                     expected: str) -> None:
    verdicts = {c.id: c.verdict for c in scorer.score(call(f"A: {opening}", "C: hi")).criteria}
    assert verdicts["agent_introduction"] == expected


def test_wordlists_names_do_not_steer_spelling_correction(scorer: Scorer) -> None:
    # thousands of names in the vocabulary would pull ordinary misspellings towards names
    vocabulary = scorer._context.bank.vocabulary  # type: ignore[union-attr]
    assert "tiffany" not in vocabulary.words
