"""classifier.v1: utterance classifiers (scikit-learn, exported to ONNX, run by onnxruntime).

Models live in ``models/<name>.onnx`` beside ``models/<name>.json`` (classes, data hash,
metrics, versions; the same facts are in the ONNX metadata). They are trained by
``qa-analytics train`` from labelled utterances in ``models/training/``. One InferenceSession
per model per process; one ``session.run`` per call over all utterances a check needs.

A classifier check finds utterances whose probability for any of ``labels`` reaches the
threshold; optional ``phrases`` also count (sure wording the model might miss), and the
``exclude``/``veto`` phrases of phrase.v1 apply to both ("I understand, but there's nothing I
can do" is not empathy however a model scores it).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import Field

from qa_analytics.checks.base import BuildContext, CallView, Finding, Hit, Params, PhraseList
from qa_analytics.checks.conditions import SpeakerChoice, Window, select
from qa_analytics.checks.phrase import PhraseCheck, PhraseParams
from qa_analytics.errors import ConfigError, ModelError

# models/ at the repository root is where models are trained and kept; an installed wheel
# has no repository, so the package carries copies in qa_analytics/data/ (package data, kept
# identical by tests/test_training.py). QA_ANALYTICS_MODELS overrides both.
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
PACKAGED_MODELS_DIR = Path(__file__).resolve().parents[1] / "data"


def models_dir() -> Path:
    """Where named models are looked up: $QA_ANALYTICS_MODELS, else the repository's
    models/, else the copies inside the installed package."""
    override = os.environ.get("QA_ANALYTICS_MODELS")
    if override:
        return Path(override)
    if any(MODELS_DIR.glob("*.onnx")):
        return MODELS_DIR
    return PACKAGED_MODELS_DIR


class OnnxClassifier:
    """One ONNX text classifier: lemma texts in, class probabilities out."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._session: Any = None
        self._lock = threading.Lock()
        meta_path = path.with_suffix(".json")
        try:
            self.metadata: dict[str, Any] = json.loads(meta_path.read_text())
            raw = path.read_bytes()
        except OSError as exc:
            raise ModelError(
                f"classifier {path.stem}: cannot read {exc.filename} ({exc.strerror}); "
                "run `qa-analytics train` to build the models"
            ) from None
        except json.JSONDecodeError as exc:
            raise ModelError(f"{meta_path}: metadata is not valid JSON ({exc})") from None
        self.classes: list[str] = list(self.metadata["classes"])
        self.sha256 = hashlib.sha256(raw).hexdigest()
        self.model_id = f"{path.stem}@{self.sha256[:12]}"

    def _load(self) -> Any:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort

                opts = ort.SessionOptions()
                # Calls are scored in parallel processes; one thread each avoids oversubscription.
                opts.intra_op_num_threads = 1
                opts.inter_op_num_threads = 1
                self._session = ort.InferenceSession(str(self.path), opts,
                                                     providers=["CPUExecutionProvider"])
        return self._session

    def predict_proba(self, texts: list[str]) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        session = self._load()
        feed = np.array(texts, dtype=object).reshape(-1, 1)
        return session.run(["probabilities"], {session.get_inputs()[0].name: feed})[0]


class ClassifierStore:
    """Loads each named model once per process."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._models: dict[str, OnnxClassifier] = {}

    def get(self, name: str) -> OnnxClassifier:
        if name not in self._models:
            base = self.directory or models_dir()
            path = Path(name) if name.endswith(".onnx") else base / f"{name}.onnx"
            self._models[name] = OnnxClassifier(path)
        return self._models[name]

    def model_ids(self) -> dict[str, str]:
        return {name: m.model_id for name, m in sorted(self._models.items())}


class UnlessParams(Params):
    """Another model that overrules a hit on the same sentence: a sentence the conduct model
    calls rude ("if you'd caught it then you wouldn't be in this mess") is no empathy, however
    the empathy model scores it."""

    model: str
    labels: list[str] = Field(min_length=1)
    threshold: float = Field(default=0.5, ge=0, le=1)


class ClassifierParams(Params):
    model: str
    labels: list[str] = Field(min_length=1)
    threshold: float = Field(default=0.5, ge=0, le=1)
    speaker: SpeakerChoice = "agent"
    window: Window | None = None
    phrases: PhraseList = []
    patterns: list[list[dict[str, Any]]] = []
    exclude: PhraseList = []
    veto: PhraseList = []
    negation: bool = True
    # classify each sentence of a turn and keep the highest probability
    split_sentences: bool = True
    # sentences with fewer words get no model score (phrases still count): a model is not
    # calibrated on fragments ("and", "great and") that ASR splits off a turn
    min_words: int = Field(default=0, ge=0)
    unless: UnlessParams | None = None
    describe: str = ""


def _columns(model: OnnxClassifier, name: str, labels: list[str]) -> list[int]:
    unknown = [label for label in labels if label not in model.classes]
    if unknown:
        raise ConfigError(f"labels: {unknown} not produced by model {name} "
                          f"(it knows {model.classes})")
    return [model.classes.index(label) for label in labels]


def _sentences(lemmas: tuple[str, ...], split: bool) -> list[str]:
    """Lemma text of each sentence (split after . ? !); the whole turn when not splitting."""
    if not split:
        return [" ".join(lemmas)]
    out, current = [], []
    for lemma in lemmas:
        current.append(lemma)
        if lemma in (".", "?", "!"):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out or [""]


def _word_count(sentence: str) -> int:
    return sum(1 for w in sentence.split() if w.isalpha())


class ClassifierCheck:
    Params = ClassifierParams

    def __init__(self, params: ClassifierParams, context: BuildContext) -> None:
        self.params = params
        self.model = context.classifiers.get(params.model)
        self._cols = _columns(self.model, params.model, params.labels)
        self.unless: tuple[OnnxClassifier, list[int], float] | None = None
        if params.unless is not None:
            other = context.classifiers.get(params.unless.model)
            self.unless = (other, _columns(other, params.unless.model, params.unless.labels),
                           params.unless.threshold)
        # Phrases reuse phrase.v1 (negation, exclude, veto); the veto phrases also veto the
        # model's hits ("I understand, but there's nothing I can do").
        self.phrases = PhraseCheck(PhraseParams(
            speaker=params.speaker, window=params.window, phrases=params.phrases,
            patterns=params.patterns, exclude=params.exclude, veto=params.veto,
            negation=params.negation), context, allow_empty=True)

    def _probabilities(self, view: CallView) -> dict[int, float]:
        """P(any of the labels) per utterance of the speaker: the highest over its sentences
        (a turn often mixes "I'm sorry to hear that." with procedure). One session.run per
        model and speaker per call, over every sentence at once."""
        speaker, split = self.params.speaker, self.params.split_sentences
        min_words = self.params.min_words

        def run() -> tuple[list[int], Any]:
            owners: list[int] = []
            texts: list[str] = []
            for i, u in enumerate(view.utterances):
                if speaker == "any" or u.speaker == speaker:
                    for sentence in _sentences(view.norms[i].lemmas, split):
                        if min_words and _word_count(sentence) < min_words:
                            continue
                        owners.append(i)
                        texts.append(sentence)
            return owners, texts, self.model.predict_proba(texts)

        owners, texts, probs = view.cached((self.params.model, speaker, split, min_words), run)
        if not owners:
            return {}
        scores = probs[:, self._cols].sum(axis=1).tolist()
        self._overrule(view, texts, scores)
        out: dict[int, float] = {}
        for i, p in zip(owners, scores, strict=True):
            if i not in out or p > out[i]:
                out[i] = p
        return out

    def _overrule(self, view: CallView, texts: list[str], scores: list[float]) -> None:
        """Drop each hit sentence that the ``unless`` model claims. Only hits are
        run through it: most calls have few, so the second model costs little."""
        if self.unless is None:
            return
        model, cols, threshold = self.unless
        hits = [k for k, p in enumerate(scores) if p >= self.params.threshold]
        if not hits:
            return
        sentences = tuple(texts[k] for k in hits)
        probs = view.cached((model.model_id, "sentences", sentences),
                            lambda: model.predict_proba(list(sentences)))
        claimed = probs[:, cols].sum(axis=1).tolist()
        for k, q in zip(hits, claimed, strict=True):
            if q >= threshold:
                scores[k] = -1.0  # below any threshold, and no near miss either

    def find(self, view: CallView) -> Finding:
        indices, scope = select(view, self.params.speaker, self.params.window)
        matches, factors, threshold = view.matches, view.factors, self.params.threshold
        label, veto = self.phrases.label, self.phrases.veto_label
        # Phrases first: when one already finds it, the verdict is settled and the model (the
        # dearest part of scoring) need not run for this check.
        hits = []
        for i in indices:
            spans = matches[i]
            if veto in spans or label not in spans:
                continue
            span = self.phrases.utterance_hit(view, i)
            if span is not None:
                words = " ".join(view.norms[i].words[span[0]:span[1]])
                hits.append(Hit(i, 0.92 * factors[i], words, span[0]))
        if hits:
            return Finding(True, max(h.confidence for h in hits), tuple(hits), scope)
        probs = self._probabilities(view)
        best_miss = 0.0
        for i in indices:
            if veto in matches[i]:
                continue
            p = probs.get(i)
            if p is None:
                continue  # no sentence of this turn was scored (fragments)
            if p >= threshold:
                what = f"{'/'.join(self.params.labels)} (model {self.params.model}, p={p:.2f})"
                hits.append(Hit(i, p * factors[i], what))
            elif p > best_miss:
                best_miss = p
        if hits:
            return Finding(True, max(h.confidence for h in hits), tuple(hits), scope)
        # Doubt grows as the best sentence nears the threshold: 0.4 against 0.8 is a clear
        # "no" (0.75), 0.7 against 0.8 is not (0.56) and goes to review.
        # how well the looked-at turns were heard, on average: one garbled turn should
        # not make every absence doubtful (low_transcript_confidence covers the call)
        trust = sum(factors[i] for i in indices) / len(indices) if indices else 1.0
        nearness = min(1.0, best_miss / threshold) if threshold > 0 else 0.0
        return Finding(False, (1.0 - 0.5 * nearness) * trust, (), scope)
