"""Scorecard schema and loader: errors name the file and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qa_analytics.config import BUNDLED_DEFAULT, load_scorecard
from qa_analytics.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
DEFAULT_IDS = ["greeting", "agent_introduction", "recording_disclosure", "identity_verification",
               "empathy", "apology", "take_action", "hold_etiquette", "prohibited_language",
               "closing"]


def _write(tmp_path: Path, data: dict, name: str = "card.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _minimal() -> dict:
    return {
        "id": "mini", "version": "1", "name": "Mini",
        "sections": {"opening": {"name": "Opening"}},
        "criteria": {"greeting": {
            "name": "Greeting", "section": "opening", "description": "greets",
            "standard": "charter", "weight": 10,
            "check": {"type": "phrase.v1", "phrases": ["hello"]},
        }},
    }


def test_config_default_has_the_ten_criteria_and_thresholds() -> None:
    card = load_scorecard(REPO / "configs" / "default.yaml").model
    assert list(card.criteria) == DEFAULT_IDS
    assert {"max_silence_s", "overtalk_s", "agent_talk_ratio",
            "agent_speech_rate_wpm"} <= set(card.metrics.thresholds)
    assert card.criteria["recording_disclosure"].critical


def test_config_bundled_copy_is_identical_to_configs_default() -> None:
    assert BUNDLED_DEFAULT.read_bytes() == (REPO / "configs" / "default.yaml").read_bytes()
    assert load_scorecard(None).sha256 == load_scorecard(REPO / "configs" / "default.yaml").sha256


def test_config_weight_error_names_file_and_key_path(tmp_path: Path) -> None:
    data = _minimal()
    data["criteria"]["greeting"]["weight"] = "high"
    with pytest.raises(ConfigError) as exc:
        load_scorecard(_write(tmp_path, data, "default.yaml"))
    assert str(exc.value) == (
        "default.yaml: criteria -> greeting -> weight: must be a number >= 0, got 'high'")


def test_config_negative_weight_rejected(tmp_path: Path) -> None:
    data = _minimal()
    data["criteria"]["greeting"]["weight"] = -1
    with pytest.raises(ConfigError, match=r"criteria -> greeting -> weight: must be a number >= 0"):
        load_scorecard(_write(tmp_path, data))


def test_config_unknown_key_rejected_with_allowed_keys(tmp_path: Path) -> None:
    data = _minimal()
    data["criteria"]["greeting"]["wieght"] = 3
    with pytest.raises(ConfigError) as exc:
        load_scorecard(_write(tmp_path, data))
    message = str(exc.value)
    assert message.startswith("card.yaml: criteria -> greeting -> wieght: unknown key")
    assert "weight" in message and "critical" in message


def test_config_unknown_check_parameter_is_named(tmp_path: Path) -> None:
    data = _minimal()
    data["criteria"]["greeting"]["check"]["phrasez"] = ["hi"]
    with pytest.raises(ConfigError, match=r"card.yaml: criteria -> greeting -> check -> phrasez: "
                                          r"unknown key"):
        load_scorecard(_write(tmp_path, data))


def test_config_unknown_check_type(tmp_path: Path) -> None:
    data = _minimal()
    data["criteria"]["greeting"]["check"]["type"] = "regex.v9"
    with pytest.raises(ConfigError, match=r"check -> type: must be one of .*phrase\.v1.*"
                                          r"got 'regex.v9'"):
        load_scorecard(_write(tmp_path, data))


def test_config_section_must_exist(tmp_path: Path) -> None:
    data = _minimal()
    data["criteria"]["greeting"]["section"] = "middle"
    with pytest.raises(ConfigError, match=r"criteria -> greeting -> section: must be one of "
                                          r"opening, got 'middle'"):
        load_scorecard(_write(tmp_path, data))


def test_config_missing_key_and_bad_yaml(tmp_path: Path) -> None:
    data = _minimal()
    del data["criteria"]["greeting"]["standard"]
    with pytest.raises(ConfigError, match=r"criteria -> greeting -> standard: required key"):
        load_scorecard(_write(tmp_path, data))
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken.yaml: not valid YAML at line"):
        load_scorecard(bad)
    with pytest.raises(ConfigError, match=r"cannot read scorecard"):
        load_scorecard(tmp_path / "absent.yaml")


def test_config_metric_threshold_bounds(tmp_path: Path) -> None:
    data = _minimal()
    data["metrics"] = {"thresholds": {"max_silence_s": {"min": 5, "max": 1}}}
    with pytest.raises(ConfigError, match=r"metrics -> thresholds -> max_silence_s: "
                                          r"min \(5.0\) must be <= max"):
        load_scorecard(_write(tmp_path, data))
    data["metrics"] = {"thresholds": {"loudness": {"max": 1}}}
    with pytest.raises(ConfigError, match=r"metrics -> thresholds -> loudness"):
        load_scorecard(_write(tmp_path, data))


def test_config_judge_type_refused_as_condition(tmp_path: Path) -> None:
    data = _minimal()
    data["criteria"]["greeting"]["applies_when"] = {"type": "metric.v1", "metric": "overtalk_s"}
    with pytest.raises(ConfigError, match=r"applies_when -> type: metric.v1 gives a verdict"):
        load_scorecard(_write(tmp_path, data))


def test_config_sha256_changes_with_content(tmp_path: Path) -> None:
    a = load_scorecard(_write(tmp_path, _minimal(), "a.yaml"))
    data = _minimal()
    data["criteria"]["greeting"]["weight"] = 11
    b = load_scorecard(_write(tmp_path, data, "b.yaml"))
    assert a.sha256 != b.sha256 and len(a.sha256) == 64


def test_config_example_custom_scorecard_loads() -> None:
    card = load_scorecard(REPO / "configs" / "examples" / "complaints.yaml").model
    assert "complaints_procedure" in card.criteria
    assert set(DEFAULT_IDS) < set(card.criteria)


def test_config_bad_token_pattern_named_when_built(tmp_path: Path) -> None:
    from qa_analytics.scorer import load_scorer

    data = _minimal()
    # unquoted yes/no are booleans in YAML: not valid spaCy pattern values
    data["criteria"]["greeting"]["check"] = {"type": "phrase.v1",
                                             "patterns": [[{"LOWER": {"IN": [True, False]}}]]}
    scorer = load_scorer(_write(tmp_path, data))
    with pytest.raises(ConfigError, match=r"card.yaml: criteria -> greeting -> check: patterns: "
                                          r"not valid spaCy Matcher patterns"):
        scorer.build()


def test_config_phrase_check_needs_phrases_or_patterns(tmp_path: Path) -> None:
    from qa_analytics.scorer import load_scorer

    data = _minimal()
    data["criteria"]["greeting"]["check"] = {"type": "phrase.v1", "phrases": []}
    with pytest.raises(ConfigError, match="needs at least one of phrases, patterns"):
        load_scorer(_write(tmp_path, data)).build()


def test_config_nested_phrase_lists_are_joined_in_order(tmp_path: Path) -> None:
    """YAML cannot concatenate lists, so a phrase list may hold shared lists (aliases)."""
    from pydantic import ValidationError

    from qa_analytics.checks.phrase import PhraseParams
    from qa_analytics.scorer import load_scorer
    from tests.conftest import call

    params = PhraseParams.model_validate({"phrases": [["hello", "hi"], ["howdy", ["hiya"]],
                                                      "good day"]})
    assert params.phrases == ["hello", "hi", "howdy", "hiya", "good day"]
    with pytest.raises(ValidationError):
        PhraseParams.model_validate({"phrases": [["hello", {"not": "a phrase"}]]})

    path = tmp_path / "card.yaml"
    path.write_text("x-hellos: &hellos [hello, hi]\n" + yaml.safe_dump(_minimal(), sort_keys=False)
                    .replace("phrases:\n      - hello", "phrases: [*hellos, [hiya], good day]"))
    scorer = load_scorer(path).build()
    for line, expected in (("A: hiya there", "met"), ("A: hi there", "met"),
                           ("A: howdy there", "not_met")):
        assert {c.id: c.verdict for c in scorer.score(call(line)).criteria} == {
            "greeting": expected}
