"""Mono agent/customer attribution: degenerate inputs, determinism, and measured accuracy on a
synthetic two-voice call and on the real AWS call legs summed to mono (bounds sit a little
under what benchmarks/bench_attribution.py measured)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_analytics import synth
from qa_analytics.records import Word
from qa_analytics.transcribe.attribution import assign_speakers, attribute, name_groups

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SR = 16000

SCRIPT = [
    ("agent", "Thank you for calling Northwind Energy, my name is Sarah. How can I help?"),
    ("customer", "Hi, I got my bill this morning and it is almost twice what I normally pay."),
    ("agent", "I am sorry to hear that. Can I take your account number please?"),
    ("customer", "Yes, it is four five seven two nine one."),
    ("agent", "Thank you. An estimated reading was used last month, which explains it."),
    ("customer", "So what do I need to do to fix it?"),
    ("agent", "Send us a meter reading today and I will reissue the bill."),
    ("customer", "Okay, I can do that tonight. Thanks."),
    ("agent", "Is there anything else I can help you with? Have a great day."),
]


def _words(spans: list[tuple[str, float, float]]) -> list[Word]:
    return [Word(text, start, end, 0.9) for text, start, end in spans]


def _accuracy(pred: list[str], words: list[Word], turns: list[synth.SpokenTurn]) -> float:
    right = 0
    for label, w in zip(pred, words, strict=True):
        mid = 0.5 * (w.start_s + w.end_s)
        turn = min(turns, key=lambda t: 0.0 if t.start_s <= mid <= t.end_s
                   else min(abs(mid - t.start_s), abs(mid - t.end_s)))
        right += label == turn.speaker
    return right / len(words)


@pytest.fixture(scope="module")
def synthetic_call(tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[np.ndarray, list[synth.SpokenTurn]]:
    if not synth.tools_available():
        pytest.skip("espeak-ng/sox not installed")
    from qa_analytics.audio import decode

    path = tmp_path_factory.mktemp("attr") / "call.wav"
    turns = synth.synthesize_call_with_timing(SCRIPT, path, seed=3)
    left, right = decode(path).channels
    return (0.5 * (left + right)).astype(np.float32), turns


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    from qa_analytics.transcribe.engine import WhisperEngine

    try:
        return WhisperEngine().load()
    except Exception as exc:  # the bundled model package may be missing on a bare install
        pytest.skip(f"ASR model unavailable: {exc}")


def test_no_words_and_one_word() -> None:
    audio = np.zeros(SR, dtype=np.float32)
    assert assign_speakers(audio, []) == []
    assert assign_speakers(audio, _words([("Hello", 0.1, 0.4)])) == ["agent"]


def test_degenerate_spans_do_not_crash() -> None:
    rng = np.random.default_rng(0)
    audio = (0.01 * rng.standard_normal(2 * SR)).astype(np.float32)
    words = _words([("a", 0.0, 0.0), ("b", 0.5, 0.5), ("c", 1.2, 1.3), ("d", 1.9, 2.5),
                    ("e", 3.0, 3.2)])  # zero-length words and words past the end of the audio
    out = assign_speakers(audio, words)
    assert len(out) == len(words) and set(out) <= {"agent", "customer"}
    assert assign_speakers(np.zeros(0, dtype=np.float32), words[:2]) == ["agent", "agent"]


def test_naming_rule_prefers_agent_phrases_over_first_speaker() -> None:
    words = _words([("Hello?", 0.0, 0.4), ("Thank", 1.0, 1.2), ("you", 1.2, 1.3),
                    ("for", 1.3, 1.4), ("calling,", 1.4, 1.8), ("how", 1.9, 2.0),
                    ("can", 2.0, 2.1), ("I", 2.1, 2.2), ("help?", 2.2, 2.5)])
    groups = np.array([0, 1, 1, 1, 1, 1, 1, 1, 1])
    agent, scores = name_groups(words, groups)
    assert agent == 1 and scores == (0.5, 2.0)
    agent, _ = name_groups(words[:1] + words[1:2], np.array([0, 1]))
    assert agent == 0  # no phrases at all: the first speaker is the agent


def test_synthetic_turn_timed_words_are_separated(synthetic_call) -> None:  # type: ignore[no-untyped-def]
    # Words placed evenly inside the known turns: isolates clustering from ASR timing errors.
    audio, turns = synthetic_call
    words, truth = [], []
    for turn in turns:
        tokens = turn.text.split()
        step = (turn.end_s - turn.start_s) / len(tokens)
        for k, token in enumerate(tokens):
            words.append(Word(token, turn.start_s + k * step, turn.start_s + (k + 0.8) * step,
                              0.9))
            truth.append(turn.speaker)
    first = assign_speakers(audio, words)
    assert first == assign_speakers(audio, words)  # deterministic
    assert np.mean([a == b for a, b in zip(first, truth, strict=True)]) >= 0.95


@pytest.mark.slow
def test_synthetic_call_with_real_asr(synthetic_call, engine) -> None:  # type: ignore[no-untyped-def]
    from qa_analytics.transcribe.engine import ChannelAudio

    audio, turns = synthetic_call
    words = engine.transcribe_calls([[ChannelAudio("unknown", audio)]])[0][0]
    assert len(words) > 40
    result = attribute(audio, words)
    assert not result.one_speaker
    # Measured 1.00 on all four of the benchmark's synthetic calls.
    assert _accuracy(result.speakers(), words, turns) >= 0.95


@pytest.mark.slow
def test_real_aws_call_summed_to_mono(engine) -> None:  # type: ignore[no-untyped-def]
    base = SHARED / "calls" / "aws-lca"
    if not base.is_dir():
        pytest.skip("../shared/data is absent")
    from qa_analytics.audio import decode
    from qa_analytics.transcribe.engine import ChannelAudio

    agent = decode(base / "Auto_Repairs_40_UTC_agent.wav").channels[0]
    caller = decode(base / "Auto_Repairs_40_UTC_caller.wav").channels[0]
    n = min(agent.size, caller.size)
    agent, caller = agent[:n], caller[:n]
    mono = (agent + caller).astype(np.float32)
    words = engine.transcribe_calls([[ChannelAudio("unknown", mono)]])[0][0]
    pred = assign_speakers(mono, words)
    right = 0
    for label, w in zip(pred, words, strict=True):
        a, b = int(w.start_s * SR), max(int(w.end_s * SR), int(w.start_s * SR) + SR // 50)
        truth = "agent" if np.sum(agent[a:b] ** 2) >= np.sum(caller[a:b] ** 2) else "customer"
        right += label == truth
    # Measured 0.994 (benchmarks/results/attribution.md); the agent opens with
    # "Thank you for calling ...", so naming must be right too.
    assert right / len(words) >= 0.95
    assert pred[0] == "agent"
