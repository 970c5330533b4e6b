"""Classifier training: ONNX export agrees with scikit-learn; metadata is complete."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from qa_analytics.errors import ConfigError
from qa_analytics.nlp import lemma_text
from qa_analytics.training.classifiers import make_pipeline, read_dataset, train_one

REPO = Path(__file__).resolve().parents[1]
TRAINING = REPO / "models" / "training"
PROBES = [
    "I can imagine how stressful that must be",
    "I understand, but there's nothing I can do",
    "can I take your date of birth",
    "oh no that sounds awful, let's sort it",
    "um the the engineer will come tomorrow",
    "",
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("models")
    return train_one(TRAINING / "agent_empathy.tsv", out), out


def test_training_onnx_agrees_with_sklearn(trained: tuple[dict, Path]) -> None:
    import onnxruntime as ort

    meta, out = trained
    data = read_dataset(TRAINING / "agent_empathy.tsv")
    pipeline = make_pipeline().fit([lemma_text(t) for t in data.texts], list(data.labels))
    texts = [lemma_text(t) for t in PROBES + list(data.texts[:40])]
    expected = pipeline.predict_proba(texts)
    session = ort.InferenceSession(str(out / "agent_empathy.onnx"),
                                   providers=["CPUExecutionProvider"])
    got = session.run(["probabilities"],
                      {"text": np.array(texts, dtype=object).reshape(-1, 1)})[0]
    assert list(pipeline.classes_) == meta["classes"]
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert (got.argmax(1) == expected.argmax(1)).all()


def test_training_metadata_in_onnx_and_sidecar(trained: tuple[dict, Path]) -> None:
    meta, out = trained
    model = onnx.load(str(out / "agent_empathy.onnx"))
    props = {p.key: p.value for p in model.metadata_props}
    assert props["data_sha256"] == hashlib.sha256(
        (TRAINING / "agent_empathy.tsv").read_bytes()).hexdigest()
    assert json.loads(props["metrics"])["cv_accuracy"] > 0.6
    assert set(json.loads(props["versions"])) >= {"scikit-learn", "skl2onnx", "onnx", "engine"}
    sidecar = json.loads((out / "agent_empathy.json").read_text())
    assert sidecar["onnx_sha256"] == hashlib.sha256(
        (out / "agent_empathy.onnx").read_bytes()).hexdigest()


def test_training_is_deterministic(trained: tuple[dict, Path], tmp_path: Path) -> None:
    meta, _ = trained
    again = train_one(TRAINING / "agent_empathy.tsv", tmp_path)
    assert again["onnx_sha256"] == meta["onnx_sha256"]


@pytest.mark.parametrize("name", ["agent_empathy", "customer_intent"])
def test_training_committed_models_match_their_training_data(name: str) -> None:
    meta = json.loads((REPO / "models" / f"{name}.json").read_text())
    data_hash = hashlib.sha256((TRAINING / f"{name}.tsv").read_bytes()).hexdigest()
    assert meta["data_sha256"] == data_hash, "run `qa-analytics train` after editing the data"
    assert meta["onnx_sha256"] == hashlib.sha256(
        (REPO / "models" / f"{name}.onnx").read_bytes()).hexdigest()


def test_training_rejects_malformed_data(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("empathy\tI can imagine\nno tab here\n")
    with pytest.raises(ConfigError, match=r"bad.tsv: line 2: expected 'label<TAB>utterance'"):
        read_dataset(bad)
    single = tmp_path / "single.tsv"
    single.write_text("empathy\tI can imagine\nempathy\tthat must be hard\n")
    with pytest.raises(ConfigError, match="at least two labels"):
        read_dataset(single)


@pytest.mark.parametrize("name", ["agent_empathy", "customer_intent"])
def test_training_packaged_copies_match_models(name: str) -> None:
    """An installed wheel scores with qa_analytics/data copies: they must be the same files."""
    packaged = REPO / "qa_analytics" / "data"
    for suffix in (".onnx", ".json"):
        assert (packaged / f"{name}{suffix}").read_bytes() == (
            REPO / "models" / f"{name}{suffix}").read_bytes(), "run `qa-analytics train`"
