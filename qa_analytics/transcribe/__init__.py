"""Transcription: recordings in, speaker-attributed transcripts out.

``Transcriber`` is the stage's entry point; it decodes audio, lays out channels by the call's
layout, runs the batched Whisper engine and assembles utterances. Heavy libraries load in
``load()``, once per worker.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from qa_analytics.audio import DecodedAudio, decode
from qa_analytics.errors import AudioError, QAError, TranscriptionError
from qa_analytics.records import Call, Transcript
from qa_analytics.transcribe.assemble import (
    build_transcript,
    channel_utterances,
    labelled_utterances,
    merge_in_time,
)
from qa_analytics.transcribe.engine import ChannelAudio, PreparedBatch, StageTimes, WhisperEngine
from qa_analytics.transcribe.options import TranscribeOptions, VadSettings

__all__ = ["TranscribeOptions", "Transcriber", "VadSettings", "layout_channels"]


def _mono(audio: DecodedAudio) -> np.ndarray:
    if audio.channel_count == 1:
        return audio.channels[0]
    return (audio.channels[0] + audio.channels[1]) * np.float32(0.5)


def layout_channels(call: Call, audio: DecodedAudio, customer: DecodedAudio | None = None
                    ) -> list[ChannelAudio]:
    """Which samples belong to whom, by the call's channel layout."""
    if call.channels == "two_leg":
        if customer is None:
            raise AudioError(f"{call.source}: two-leg call without a customer leg")
        return [ChannelAudio("agent", _mono(audio)), ChannelAudio("customer", _mono(customer))]
    if call.channels == "mono" or audio.channel_count == 1:
        return [ChannelAudio("unknown", _mono(audio))]
    first, second = ("agent", "customer") if call.channels == "agent,customer" else (
        "customer", "agent")
    return [ChannelAudio(first, audio.channels[0]), ChannelAudio(second, audio.channels[1])]


@dataclass
class PreparedCalls:
    """Calls after the host-side half of transcription (see Transcriber.prepare_batch)."""

    calls: list[Call]
    outcomes: list[Transcript | QAError | None]  # decode failures already filled in
    ready: list[tuple[int, list[ChannelAudio], float]]  # (index, channels, duration_s)
    batch: PreparedBatch | None = None  # None when preparing the batch failed


@dataclass
class Transcriber:
    options: TranscribeOptions = field(default_factory=TranscribeOptions)

    def __post_init__(self) -> None:
        self.engine_ = WhisperEngine(self.options)
        self.decode_s = 0.0

    @property
    def times(self) -> StageTimes:
        return self.engine_.times

    @property
    def model_id(self) -> str:
        return self.engine_.model_id

    def settings_hash(self) -> str:
        return self.options.settings_hash(self.model_id)

    def load(self) -> Transcriber:
        self.engine_.load()
        return self

    def _decode(self, call: Call) -> tuple[list[ChannelAudio], float]:
        started = time.perf_counter()
        try:
            limit = self.options.max_duration_s
            audio = decode(call.source, max_duration_s=limit)
            customer = (decode(call.customer_source, max_duration_s=limit)
                        if call.customer_source else None)
        finally:
            self.decode_s += time.perf_counter() - started
        duration = max(audio.duration_s, customer.duration_s if customer else 0.0)
        return layout_channels(call, audio, customer), duration

    def transcribe_batch(self, calls: Sequence[Call]) -> list[Transcript | QAError]:
        """Transcribe several calls in one batched pass; a bad call yields its error."""
        return self.finish_batch(self.prepare_batch(calls))

    def prepare_batch(self, calls: Sequence[Call]) -> PreparedCalls:
        """Host-side half: decode, VAD, packing, features. Can run on a helper thread while
        ``finish_batch`` runs the model on the previous group."""
        self.load()
        prepared = PreparedCalls(list(calls), [None] * len(calls), [])
        for index, call in enumerate(calls):
            try:
                channels, duration = self._decode(call)
            except QAError as exc:
                prepared.outcomes[index] = exc
                continue
            prepared.ready.append((index, channels, duration))
        try:
            prepared.batch = self.engine_.prepare([ch for _, ch, _ in prepared.ready])
        except Exception:  # retried call by call in finish_batch
            prepared.batch = None
        return prepared

    def finish_batch(self, prepared: PreparedCalls) -> list[Transcript | QAError]:
        """Model half: words for every prepared call, assembled into transcripts."""
        calls, outcomes, ready = prepared.calls, prepared.outcomes, prepared.ready
        try:
            if prepared.batch is None:
                raise RuntimeError("preparing the batch failed")
            words = self.engine_.infer(prepared.batch)
        except Exception:
            if len(ready) == 1 and prepared.batch is not None:
                outcomes[ready[0][0]] = self._failure(calls[ready[0][0]])
                return [o for o in outcomes if o is not None]
            # One bad recording must not sink the others: retry each call on its own.
            for index, channels, duration in ready:
                try:
                    per_channel = self.engine_.transcribe_calls([channels])[0]
                    outcomes[index] = self._assemble(calls[index], channels, per_channel,
                                                     duration)
                except Exception:
                    outcomes[index] = self._failure(calls[index])
            return [o for o in outcomes if o is not None]
        for (index, channels, duration), per_channel in zip(ready, words, strict=True):
            outcomes[index] = self._assemble(calls[index], channels, per_channel, duration)
        return [o for o in outcomes if o is not None]

    @staticmethod
    def _failure(call: Call) -> TranscriptionError:
        import sys

        exc = sys.exc_info()[1]
        return TranscriptionError(f"{call.source}: transcription failed "
                                  f"({type(exc).__name__}: {exc})")

    def transcribe(self, call: Call) -> Transcript:
        outcome = self.transcribe_batch([call])[0]
        if isinstance(outcome, QAError):
            raise outcome
        return outcome

    def _assemble(self, call: Call, channels: list[ChannelAudio], per_channel: list,
                  duration_s: float) -> Transcript:
        gap = self.options.utterance_gap_s
        if len(channels) == 1 and channels[0].speaker == "unknown":
            from qa_analytics.transcribe.attribution import assign_speakers

            words = per_channel[0]
            speakers = assign_speakers(channels[0].samples, words) if words else []
            utterances = tuple(labelled_utterances(words, speakers, gap))
            return build_transcript(call, utterances, duration_s=duration_s,
                                    model_id=self.model_id, speakers_inferred=True)
        streams = [channel_utterances(ch.speaker, words, gap)
                   for ch, words in zip(channels, per_channel, strict=True)]
        return build_transcript(call, merge_in_time(*streams), duration_s=duration_s,
                                model_id=self.model_id, speakers_inferred=False)
