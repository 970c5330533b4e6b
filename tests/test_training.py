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
MODELS = sorted(p.stem for p in TRAINING.glob("*.tsv"))
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
    assert props["data_sha256"] == read_dataset(TRAINING / "agent_empathy.tsv").sha256
    assert json.loads(props["metrics"])["cv_accuracy"] > 0.6
    assert set(json.loads(props["versions"])) >= {"scikit-learn", "skl2onnx", "onnx", "engine"}
    sidecar = json.loads((out / "agent_empathy.json").read_text())
    assert sidecar["onnx_sha256"] == hashlib.sha256(
        (out / "agent_empathy.onnx").read_bytes()).hexdigest()


def test_training_is_deterministic(trained: tuple[dict, Path], tmp_path: Path) -> None:
    meta, _ = trained
    again = train_one(TRAINING / "agent_empathy.tsv", tmp_path)
    assert again["onnx_sha256"] == meta["onnx_sha256"]


def test_training_is_deterministic_across_processes(trained: tuple[dict, Path],
                                                    tmp_path: Path) -> None:
    """skl2onnx emits some lists in set order, which depends on the process's string-hash
    seed; another seed must still give the same bytes."""
    import os
    import subprocess
    import sys

    meta, _ = trained
    code = ("import sys; from pathlib import Path; "
            "from qa_analytics.training.classifiers import train_one; "
            "print(train_one(Path(sys.argv[1]), Path(sys.argv[2]))['onnx_sha256'])")
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", code, str(TRAINING / "agent_empathy.tsv"), str(tmp_path)],
            env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
            check=True)
        assert done.stdout.strip() == meta["onnx_sha256"]


@pytest.mark.parametrize("name", MODELS)
def test_training_committed_models_match_their_training_data(name: str) -> None:
    meta = json.loads((REPO / "models" / f"{name}.json").read_text())
    data_hash = read_dataset(TRAINING / f"{name}.tsv").sha256
    assert meta["data_sha256"] == data_hash, "run `qa-analytics train` after editing the data"
    assert meta["onnx_sha256"] == hashlib.sha256(
        (REPO / "models" / f"{name}.onnx").read_bytes()).hexdigest()


def test_training_include_brings_in_relabelled_lines(tmp_path: Path) -> None:
    (tmp_path / "conduct.tsv").write_text("prohibited\tcalm down\nok\thow can I help\n")
    main = tmp_path / "empathy.tsv"
    main.write_text("empathy\tthat must be hard\n@include conduct.tsv prohibited=other\n")
    data = read_dataset(main)
    assert list(zip(data.labels, data.texts, strict=True)) == [
        ("empathy", "that must be hard"), ("other", "calm down")]
    before = data.sha256
    (tmp_path / "conduct.tsv").write_text("prohibited\tcalm down now\nok\thow can I help\n")
    assert read_dataset(main).sha256 != before, "an edit to the included file makes it stale"


@pytest.mark.parametrize(("line", "message"), [
    ("@include conduct.tsv", "expected '@include OTHER.tsv LABEL=NEWLABEL'"),
    ("@include missing.tsv a=b", "cannot read missing.tsv"),
    ("@include conduct.tsv rude=other", "conduct.tsv has no lines labelled 'rude'"),
    ("@include empathy.tsv a=b", "cannot include itself"),
])
def test_training_include_errors_name_file_and_line(tmp_path: Path, line: str,
                                                    message: str) -> None:
    (tmp_path / "conduct.tsv").write_text("prohibited\tcalm down\nok\thow can I help\n")
    main = tmp_path / "empathy.tsv"
    main.write_text(f"empathy\tthat must be hard\nother\tok\n{line}\n")
    with pytest.raises(ConfigError, match=rf"empathy.tsv: line 3: .*{message}"):
        read_dataset(main)


def test_training_rejects_malformed_data(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("empathy\tI can imagine\nno tab here\n")
    with pytest.raises(ConfigError, match=r"bad.tsv: line 2: expected 'label<TAB>utterance'"):
        read_dataset(bad)
    single = tmp_path / "single.tsv"
    single.write_text("empathy\tI can imagine\nempathy\tthat must be hard\n")
    with pytest.raises(ConfigError, match="at least two labels"):
        read_dataset(single)


@pytest.mark.parametrize("name", MODELS)
def test_training_packaged_copies_match_models(name: str) -> None:
    """An installed wheel scores with qa_analytics/data copies: they must be the same files."""
    packaged = REPO / "qa_analytics" / "data"
    for suffix in (".onnx", ".json"):
        assert (packaged / f"{name}{suffix}").read_bytes() == (
            REPO / "models" / f"{name}{suffix}").read_bytes(), "run `qa-analytics train`"
