"""Scorecard schema (pydantic v2, unknown keys rejected everywhere).

A scorecard is data: sections, criteria and metric thresholds. Each criterion names a check
type from ``qa_analytics.checks.registry`` (``phrase.v1``, ``classifier.v1`` ...); the check's
own parameters are validated against that type's schema by the loader, so error paths stay
``criteria -> <id> -> check -> <key>``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

_ID = r"^[a-z][a-z0-9_]*$"


def _non_negative_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"must be a number >= 0, got {value!r}")
    return float(value)


def _fraction(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"must be a number between 0 and 1, got {value!r}")
    return float(value)


NonNegative = Annotated[float, BeforeValidator(_non_negative_number)]
Fraction = Annotated[float, BeforeValidator(_fraction)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(Strict):
    name: str
    description: str = ""


class Explain(Strict):
    """Wording for explanations. Placeholders: ``{scope}`` where the engine looked,
    ``{what}`` the check's ``describe``, and for found items ``{where}`` ("agent turn 2") and
    ``{words}`` (the matched words)."""

    met: str | None = None
    not_met: str | None = None
    na: str | None = None


class Criterion(Strict):
    name: str
    section: str
    description: str
    standard: str = Field(description="the service standard or KPI the criterion serves")
    weight: NonNegative
    critical: bool = False
    # A check spec ({type: ..., params}) that must find something for the criterion to apply;
    # omitted = always applies.
    applies_when: dict[str, Any] | None = None
    # A check spec that, when it finds something earlier than the criterion's own evidence,
    # makes the criterion not_met ("before any account detail is discussed").
    before: dict[str, Any] | None = None
    check: dict[str, Any]
    # present: met when the check finds something; absent: met when it finds nothing
    # (prohibited language).
    met_when: Literal["present", "absent"] = "present"
    explain: Explain = Explain()


class MetricThreshold(Strict):
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> MetricThreshold:
        if self.min is None and self.max is None:
            raise ValueError("must set min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must be <= max ({self.max})")
        return self


METRIC_NAMES = ("duration_s", "agent_talk_ratio", "customer_talk_ratio", "max_silence_s",
                "overtalk_s", "agent_speech_rate_wpm", "hold_count", "hold_total_s")


class Metrics(Strict):
    # A silence at least this long, after an agent turn, is counted as a hold.
    hold_min_gap_s: NonNegative = 20.0
    thresholds: dict[Literal[METRIC_NAMES], MetricThreshold] = {}  # type: ignore[valid-type]


class Review(Strict):
    min_confidence: Fraction = 0.7
    min_transcript_confidence: Fraction = 0.6
    flag_inferred_speakers: bool = True
    flag_metric_thresholds: bool = True


class Scorecard(Strict):
    id: str = Field(pattern=_ID)
    version: str
    name: str
    description: str = ""
    # "zero": an auto-failed call scores 0; "keep": the weighted score is kept beside auto_fail.
    on_critical_failure: Literal["zero", "keep"] = "zero"
    review: Review = Review()
    sections: dict[Annotated[str, Field(pattern=_ID)], Section]
    criteria: dict[Annotated[str, Field(pattern=_ID)], Criterion]
    metrics: Metrics = Metrics()

    @model_validator(mode="after")
    def _sections_exist(self) -> Scorecard:
        if not self.criteria:
            raise ValueError("must define at least one criterion")
        for cid, crit in self.criteria.items():
            if crit.section not in self.sections:
                raise ValueError(
                    f"criteria -> {cid} -> section: must be one of "
                    f"{', '.join(sorted(self.sections))}, got {crit.section!r}"
                )
        return self
