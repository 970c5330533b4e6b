"""classifier.v1: ONNX utterance classifiers, batched per call, with phrase vetoes."""

from __future__ import annotations

import pytest

from qa_analytics.checks.classifier import ClassifierStore, models_dir
from qa_analytics.errors import ModelError
from qa_analytics.nlp import lemma_text
from qa_analytics.records import Transcript, Utterance
from qa_analytics.scorer import Scorer, load_scorer
from tests.conftest import call

PROBLEM = "C: my internet has been down for a week and I'm so frustrated"




def empathy(scorer: Scorer, *lines: str) -> tuple[str, str, float]:
    c = {c.id: c for c in scorer.score(call(*lines)).criteria}["empathy"]
    return c.verdict, c.explanation, c.confidence


def test_checks_classifier_model_recognises_paraphrased_empathy(scorer: Scorer) -> None:
    v, why, conf = empathy(scorer, "A: Hello", PROBLEM,
                           "A: oh gosh, a whole week without internet, what a nightmare")
    assert v == "met"
    assert "agent turn 2" in why and 0.5 <= conf <= 1.0


def test_checks_classifier_dismissive_understand_is_not_empathy(scorer: Scorer) -> None:
    v, why, _ = empathy(scorer, "A: Hello", PROBLEM,
                        "A: I understand, but there's nothing I can do.")
    assert v == "not_met"
    assert "did not acknowledge" in why


def test_checks_classifier_empathy_phrase_counts(scorer: Scorer) -> None:
    v, _, _ = empathy(scorer, "A: Hello", PROBLEM, "A: I can imagine how stressful that is.")
    assert v == "met"


def test_checks_classifier_empathy_na_without_problem(scorer: Scorer) -> None:
    v, why, _ = empathy(scorer, "A: Hello", "C: I'd like to update my phone number please",
                        "A: of course")
    assert v == "na"
    assert "expressed no problem" in why


def test_checks_classifier_customer_distress_triggers_empathy_not_apology(scorer: Scorer) -> None:
    t = call("A: Hello", "C: my husband passed away last month and I don't know what to do",
             "A: I'm so sorry for your loss, I'll take care of the account for you.")
    crits = {c.id: c for c in scorer.score(t).criteria}
    assert crits["empathy"].verdict == "met"
    assert crits["apology"].verdict == "na"


def test_checks_classifier_batches_one_run_per_model_per_call(scorer: Scorer,
                                                              monkeypatch) -> None:
    calls: list[int] = []
    store = scorer._context.classifiers  # type: ignore[union-attr]
    for model in store._models.values():
        original = model.predict_proba

        def counting(texts, _original=original):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return _original(texts)

        monkeypatch.setattr(model, "predict_proba", counting)
    lines = ["A: Hello"] + [PROBLEM, "A: I understand that completely, Mrs Jones."] * 20
    scorer.score(call(*lines))
    # Each model runs at most once per call, over all of its speaker's turns at once (20
    # customer turns, 20 long agent turns + "Hello"), however many criteria use it; a model
    # whose check the phrases already settled does not run at all.
    assert 1 <= len(calls) <= len(store._models)
    assert set(calls) <= {20, 21}


def test_checks_classifier_store_reports_ids_and_missing_models(tmp_path) -> None:
    store = ClassifierStore(models_dir())
    model = store.get("agent_empathy")
    assert model.classes == ["empathy", "other"]
    probs = model.predict_proba([lemma_text("that must be so stressful")])
    assert probs.shape == (1, 2) and abs(float(probs.sum()) - 1.0) < 1e-5
    assert store.model_ids()["agent_empathy"].startswith("agent_empathy@")
    with pytest.raises(ModelError, match="run `qa-analytics train`"):
        ClassifierStore(tmp_path).get("agent_empathy")


def test_checks_classifier_scores_each_sentence_of_a_turn(scorer: Scorer) -> None:
    # the empathy is one sentence in a long procedural turn
    turn = ("A: Right, so I can see the order went out on the second and the courier marked "
            "it delivered at four. Oh gosh, a whole week without it, what a nightmare for you. "
            "I'll need to check a couple of details with the depot first.")
    v, _, _ = empathy(scorer, "A: Hello", PROBLEM, turn)
    assert v == "met"


def test_checks_classifier_unknown_label_or_model_fails_at_build(tmp_path) -> None:
    import yaml

    from qa_analytics.errors import ConfigError, ModelError

    def card(check: dict):  # type: ignore[no-untyped-def]
        data = {"id": "c", "version": "1", "name": "C", "sections": {"s": {"name": "S"}},
                "criteria": {"empathy": {"name": "E", "section": "s", "description": "d",
                                         "standard": "x", "weight": 1, "check": check}}}
        path = tmp_path / "c.yaml"
        path.write_text(yaml.safe_dump(data))
        return load_scorer(path)

    with pytest.raises(ConfigError, match=r"c.yaml: criteria -> empathy -> check: labels: "
                                          r"\['angry'\] not produced by model agent_empathy"):
        card({"type": "classifier.v1", "model": "agent_empathy", "labels": ["angry"]}).build()
    with pytest.raises(ModelError, match="classifier nope: cannot read"):
        card({"type": "classifier.v1", "model": "nope", "labels": ["x"]}).build()


def test_checks_classifier_fragments_get_no_model_score() -> None:
    # ASR splits turns into fragments ("and", "great and") that an uncalibrated model may
    # score as a problem; the default card's customer-problem check needs 3 words.
    from qa_analytics.scorer import load_scorer

    t = Transcript("f", (Utterance("agent", "Hello, Acme."), Utterance("customer", "and"),
                         Utterance("agent", "Go on."), Utterance("customer", "great and"),
                         Utterance("agent", "Opening hours are nine to five.")))
    verdicts = {c.id: c.verdict for c in load_scorer().score(t).criteria}
    assert verdicts["empathy"] == "na"


def test_checks_classifier_unless_model_overrules_a_hit(tmp_path) -> None:
    import yaml

    def verdict(unless: dict | None, line: str) -> str:
        check = {"type": "classifier.v1", "model": "agent_empathy", "labels": ["empathy"],
                 "threshold": 0.0}  # every sentence is a hit, unless overruled
        if unless:
            check["unless"] = unless
        data = {"id": "c", "version": "1", "name": "C", "sections": {"s": {"name": "S"}},
                "criteria": {"e": {"name": "E", "section": "s", "description": "d",
                                   "standard": "x", "weight": 1, "check": check}}}
        path = tmp_path / "c.yaml"
        path.write_text(yaml.safe_dump(data))
        result = load_scorer(path).score(call(f"A: {line}", "C: ok"))
        return result.criteria[0].verdict

    rude = {"model": "agent_conduct", "labels": ["prohibited"], "threshold": 0.5}
    line = "Calm down, it's not rocket science, you should have read the terms."
    assert verdict(None, line) == "met"
    assert verdict(rude, line) == "not_met"
    assert verdict(rude, "Thank you for calling, I hope the rest of your day goes well.") == "met"
