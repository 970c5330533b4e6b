"""Train utterance classifiers from labelled TSV files and export them to ONNX.

Data: ``models/training/<name>.tsv``, one ``label<TAB>utterance`` per line, ``#`` comments.
Model: TF-IDF over normalised lemma uni/bigrams + logistic regression (scikit-learn),
converted with skl2onnx so that scoring needs only onnxruntime. Each model is written as
``models/<name>.onnx`` with its metadata (classes, data sha256, cross-validated metrics,
library versions) both in the ONNX metadata and in ``models/<name>.json``.

Training is deterministic: same data + same library versions = same model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa_analytics.errors import ConfigError, ModelError
from qa_analytics.nlp import lemma_text

TOKEN_PATTERN = r"[^ ]+"  # the input is already tokenised lemma text, space separated


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    texts: tuple[str, ...]  # raw utterances
    labels: tuple[str, ...]
    sha256: str


def read_dataset(path: Path, *, _including: tuple[Path, ...] = ()) -> Dataset:
    """Read ``label<TAB>utterance`` lines. A line ``@include OTHER.tsv LABEL=NEWLABEL`` adds
    the lines of OTHER.tsv (same folder) labelled LABEL, relabelled NEWLABEL: the conduct
    data's rude lines are the empathy model's hard negatives without a second copy."""
    raw = path.read_bytes()
    texts, labels = [], []
    digest = hashlib.sha256(raw)
    for n, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@include"):
            for label, text in _included(path, n, line, digest, (*_including, path)):
                labels.append(label)
                texts.append(text)
            continue
        label, sep, text = line.partition("\t")
        if not sep or not label.strip() or not text.strip():
            raise ConfigError(f"{path.name}: line {n}: expected 'label<TAB>utterance', "
                              f"got {line!r}")
        labels.append(label.strip())
        texts.append(text.strip())
    if len(set(labels)) < 2:
        raise ConfigError(f"{path.name}: needs at least two labels, got {sorted(set(labels))}")
    return Dataset(path.stem, tuple(texts), tuple(labels), digest.hexdigest())


def _included(path: Path, n: int, line: str, digest: Any,
              chain: tuple[Path, ...]) -> list[tuple[str, str]]:
    """The (label, text) pairs an ``@include`` line brings in; the included file's bytes go
    into ``digest`` so a change there makes the model stale too. ``chain``: the files being
    read, so a cycle (A includes B includes A) is an error, not endless recursion."""
    parts = line.split()
    if len(parts) != 3 or parts[2].count("=") != 1:
        raise ConfigError(f"{path.name}: line {n}: expected '@include OTHER.tsv "
                          f"LABEL=NEWLABEL', got {line!r}")
    source, (label, new_label) = path.parent / parts[1], parts[2].split("=")
    if source.resolve() in {p.resolve() for p in chain}:
        raise ConfigError(f"{path.name}: line {n}: a file cannot include itself "
                          f"(through {' -> '.join(p.name for p in (*chain, source))})")
    try:
        included = read_dataset(source, _including=chain)
    except OSError as exc:
        raise ConfigError(f"{path.name}: line {n}: cannot read {parts[1]} ({exc.strerror})") \
            from None
    digest.update(included.sha256.encode())
    pairs = [(new_label, t) for t, lab in zip(included.texts, included.labels, strict=True)
             if lab == label]
    if not pairs:
        raise ConfigError(f"{path.name}: line {n}: {parts[1]} has no lines labelled {label!r}")
    return pairs


def make_pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    # sublinear_tf stays off: skl2onnx 1.20 converts it wrongly for repeated tokens (ONNX and
    # scikit-learn probabilities then differ by up to 0.004; tests/test_training.py checks).
    return Pipeline([
        ("tfidf", TfidfVectorizer(token_pattern=TOKEN_PATTERN, lowercase=False,
                                  ngram_range=(1, 2))),
        ("clf", LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")),
    ])


def _metrics(features: list[str], labels: list[str]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    predicted = cross_val_predict(make_pipeline(), features, labels, cv=folds)
    return {
        "cv_folds": 5,
        "cv_accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "cv_macro_f1": round(float(f1_score(labels, predicted, average="macro")), 4),
        "n_examples": len(labels),
    }


def _stable_name(name: str, seen: set[str]) -> str:
    # Deterministic node names (same data -> byte-identical ONNX file).
    candidate, n = name, 1
    while candidate in seen:
        candidate, n = f"{name}{n}", n + 1
    return candidate


def to_onnx(pipeline: Any, metadata: dict[str, str]) -> Any:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType

    tfidf, clf = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
    model = convert_sklearn(
        pipeline,
        initial_types=[("text", StringTensorType([None, 1]))],
        options={id(clf): {"zipmap": False}, id(tfidf): {"separators": [" "]}},
        target_opset=17,
        naming=_stable_name,
    )
    model.graph.name = "qa_analytics_text_classifier"  # skl2onnx uses a random graph name
    _fold_idf(model)
    _fast_l2_normalizer(model)
    _linear_before_norm(model)
    # skl2onnx lists the opset imports in set order, which follows Python's per-process
    # string hashing: sorted, the same data gives the same bytes in every process
    imports = sorted(model.opset_import, key=lambda o: (o.domain, o.version))
    del model.opset_import[:]
    model.opset_import.extend(imports)
    for key, value in metadata.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    return model


def _fold_idf(model: Any) -> None:
    """Give the TfIdfVectorizer node the IDF weights (mode TFIDF) and drop the Mul by the
    IDF vector after it: one pass less over the wide rows, the same values."""
    from onnx import helper, numpy_helper

    graph = model.graph
    nodes = list(graph.node)
    initializers = {i.name: i for i in graph.initializer}
    for k, node in enumerate(nodes[:-1]):
        mul = nodes[k + 1]
        if node.op_type != "TfIdfVectorizer" or mul.op_type != "Mul" \
                or mul.input[0] != node.output[0] or mul.input[1] not in initializers:
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("mode") != b"TF" or any(w != 1.0 for w in attrs.get("weights", [])):
            return
        idf = numpy_helper.to_array(initializers[mul.input[1]])
        # weights follow the pool (one per n-gram), the IDF vector follows the output columns
        weights = [float(idf[i]) for i in attrs["ngram_indexes"]]
        named = {a.name: a for a in node.attribute}
        named["mode"].s = b"TFIDF"
        del named["weights"].floats[:]
        named["weights"].floats.extend(weights)
        node.output[0] = mul.output[0]
        graph.initializer.remove(initializers[mul.input[1]])
        del graph.node[:]
        graph.node.extend(nodes[:k + 1] + nodes[k + 2:])
        return


def _fast_l2_normalizer(model: Any) -> None:
    """Replace the ai.onnx.ml Normalizer (L2) with standard ops (sum of squares, Sqrt, Max,
    Div).

    onnxruntime's Normalizer kernel is slow on the wide TF-IDF rows: it took 70% of a
    model's run (2.4 of 3.3 ms for 75 sentences). The standard ops give the same values,
    and a row with no known word stays all zeros (divided by a tiny floor, not by zero),
    as scikit-learn's normalize leaves it.
    """
    from onnx import TensorProto, helper

    nodes = list(model.graph.node)
    for k, node in enumerate(nodes):
        if node.op_type != "Normalizer" or node.domain != "ai.onnx.ml":
            continue
        norm = next((a.s for a in node.attribute if a.name == "norm"), b"")
        if norm != b"L2":
            continue
        x, y, p = node.input[0], node.output[0], node.name
        floor = f"{p}_floor"
        model.graph.initializer.extend([
            helper.make_tensor(floor, TensorProto.FLOAT, [], [1e-12]),
            helper.make_tensor(f"{p}_axis", TensorProto.INT64, [1], [1]),
        ])
        # the sum of squares as Mul + ReduceSum: onnxruntime's ReduceL2 kernel is half as
        # fast on these rows
        replacement = [
            helper.make_node("Mul", [x, x], [f"{p}_sq"], name=f"{p}_square"),
            helper.make_node("ReduceSum", [f"{p}_sq", f"{p}_axis"], [f"{p}_ss"], keepdims=1,
                             name=f"{p}_sum"),
            helper.make_node("Sqrt", [f"{p}_ss"], [f"{p}_l2"], name=f"{p}_sqrt"),
            helper.make_node("Max", [f"{p}_l2", floor], [f"{p}_safe"], name=f"{p}_max"),
            helper.make_node("Div", [x, f"{p}_safe"], [y], name=f"{p}_div"),
        ]
        del model.graph.node[:]
        model.graph.node.extend(nodes[:k] + replacement + nodes[k + 1:])
        return


def _linear_before_norm(model: Any) -> None:
    """Apply the linear model to the raw TF-IDF rows and divide its few scores by the row
    norm: W.(x/|x|) + b == (W.x)/|x| + b. The wide Div and the LinearClassifier kernel give
    way to one MatMul (BLAS) over the wide rows; the post-transform (logistic or softmax)
    and the label output stay the same."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    nodes = list(graph.node)
    by_output = {o: n for n in nodes for o in n.output}
    for k, clf in enumerate(nodes):
        if clf.op_type != "LinearClassifier" or clf.domain != "ai.onnx.ml":
            continue
        div = by_output.get(clf.input[0])
        if div is None or div.op_type != "Div":
            return
        attrs = {a.name: helper.get_attribute_value(a) for a in clf.attribute}
        post = attrs.get("post_transform", b"NONE")
        if post not in (b"LOGISTIC", b"SOFTMAX") or "classlabels_strings" not in attrs:
            return
        classes = attrs["classlabels_strings"]
        weights = np.array(attrs["coefficients"], dtype=np.float32).reshape(len(classes), -1)
        raw, norm = div.input
        label_out, prob_out = clf.output
        p = clf.name or "linear"
        graph.initializer.extend([
            numpy_helper.from_array(np.ascontiguousarray(weights.T), f"{p}_wt"),
            numpy_helper.from_array(np.array(attrs["intercepts"], dtype=np.float32),
                                    f"{p}_b"),
            helper.make_tensor(f"{p}_classes", TensorProto.STRING, [len(classes)], classes),
        ])
        activation = helper.make_node("Sigmoid", [f"{p}_z"], [prob_out], name=f"{p}_act") \
            if post == b"LOGISTIC" else \
            helper.make_node("Softmax", [f"{p}_z"], [prob_out], axis=1, name=f"{p}_act")
        replacement = [
            helper.make_node("MatMul", [raw, f"{p}_wt"], [f"{p}_xw"], name=f"{p}_matmul"),
            helper.make_node("Div", [f"{p}_xw", norm], [f"{p}_scaled"], name=f"{p}_div"),
            helper.make_node("Add", [f"{p}_scaled", f"{p}_b"], [f"{p}_z"], name=f"{p}_add"),
            activation,
            helper.make_node("ArgMax", [prob_out], [f"{p}_argmax"], axis=1, keepdims=0,
                             name=f"{p}_argmax"),
            helper.make_node("Gather", [f"{p}_classes", f"{p}_argmax"], [label_out], axis=0,
                             name=f"{p}_label"),
        ]
        kept = [n for n in nodes[:k] if n is not div]
        del graph.node[:]
        graph.node.extend(kept + replacement + nodes[k + 1:])
        return


def train_one(path: Path, out_dir: Path) -> dict[str, Any]:
    """Train ``path`` (a TSV) and write ``out_dir/<name>.onnx`` + ``.json``; returns metadata."""
    try:
        import onnx
        import skl2onnx
        import sklearn
    except ImportError as exc:
        raise ModelError(f"training needs the train extra: pip install 'qa-analytics[train]' "
                         f"({exc.name} is missing)") from None
    import qa_analytics

    data = read_dataset(path)
    features = [lemma_text(t) for t in data.texts]
    labels = list(data.labels)
    metrics = _metrics(features, labels)
    pipeline = make_pipeline().fit(features, labels)
    classes = [str(c) for c in pipeline.classes_]
    meta = {
        "name": data.name,
        "classes": classes,
        "data_file": path.name,
        "data_sha256": data.sha256,
        "metrics": metrics,
        "input": "normalised lemma text (qa_analytics.nlp.normalise(text).text)",
        "versions": {"engine": qa_analytics.__version__, "scikit-learn": sklearn.__version__,
                     "skl2onnx": skl2onnx.__version__, "onnx": onnx.__version__},
    }
    model = to_onnx(pipeline, {k: json.dumps(v) if not isinstance(v, str) else v
                               for k, v in meta.items()})
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / f"{data.name}.onnx"
    onnx_path.write_bytes(model.SerializeToString())
    meta["onnx_sha256"] = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    (out_dir / f"{data.name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def train_all(data_dir: Path, out_dir: Path) -> list[dict[str, Any]]:
    files = sorted(data_dir.glob("*.tsv"))
    if not files:
        raise ConfigError(f"{data_dir}: no labelled *.tsv files to train from")
    return [train_one(f, out_dir) for f in files]
