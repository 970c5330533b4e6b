"""The registry of check types: one plain mapping from versioned names to code.

A scorecard refers to check types by these names; scorecards never import code. A new
behaviour gets a new name (``phrase.v2``) so that old scorecards keep their meaning.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, PrivateAttr, ValidationError

from qa_analytics.checks.base import BuildContext, CallView, Finding, Params
from qa_analytics.checks.classifier import ClassifierCheck
from qa_analytics.checks.metrics import HoldEtiquetteCheck, MetricCheck
from qa_analytics.checks.names import NameEchoCheck
from qa_analytics.checks.phrase import PhraseCheck
from qa_analytics.errors import ConfigError


class AnyParams(Params):
    of: list[dict[str, Any]]
    describe: str = ""
    _validated: list[tuple[str, BaseModel]] = PrivateAttr(default_factory=list)


class AnyCheck:
    """any.v1: found when any of the nested checks finds something."""

    Params = AnyParams

    def __init__(self, params: AnyParams, context: BuildContext) -> None:
        self.parts = [context.build(*spec) for spec in params._validated]

    def find(self, view: CallView) -> Finding:
        findings = [part.find(view) for part in self.parts]
        hits = tuple(sorted((h for f in findings for h in f.hits),
                            key=lambda h: (h.index, h.start)))
        scope = " or ".join(dict.fromkeys(f.scope for f in findings))
        if hits:
            return Finding(True, max(f.confidence for f in findings if f.found), hits, scope)
        return Finding(False, min(f.confidence for f in findings), (), scope)


CHECK_TYPES: dict[str, Any] = {
    "phrase.v1": PhraseCheck,
    "classifier.v1": ClassifierCheck,
    "hold_etiquette.v1": HoldEtiquetteCheck,
    "metric.v1": MetricCheck,
    "any.v1": AnyCheck,
    "name_echo.v1": NameEchoCheck,
}
# Types that judge a verdict themselves; they cannot serve as applies_when/before conditions.
JUDGE_TYPES = frozenset({"hold_etiquette.v1", "metric.v1"})


def validate_check_spec(raw: Any, origin: str, where: tuple[Any, ...]) -> tuple[str, BaseModel]:
    """Validate ``{type: name, ...params}`` against the named type's schema."""
    from qa_analytics.config.loader import format_validation_error

    path = " -> ".join(str(p) for p in where)
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: {path}: must be a mapping with a 'type' key, got {raw!r}")
    name = raw.get("type")
    if name not in CHECK_TYPES:
        raise ConfigError(f"{origin}: {path} -> type: must be one of "
                          f"{', '.join(sorted(CHECK_TYPES))}, got {name!r}")
    if name in JUDGE_TYPES and ({"applies_when", "before", "of"} & set(map(str, where))):
        raise ConfigError(f"{origin}: {path} -> type: {name} gives a verdict and cannot be "
                          f"used as a condition; use a finding check such as phrase.v1")
    cls = CHECK_TYPES[name]
    params_data = {k: v for k, v in raw.items() if k != "type"}
    try:
        params = cls.Params.model_validate(params_data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(origin, exc, where, cls.Params)) from None
    if isinstance(params, AnyParams):
        nested = [validate_check_spec(spec, origin, (*where, "of", i))
                  for i, spec in enumerate(params.of)]
        params._validated = nested
    return name, params


def build_check(name: str, params: BaseModel, context: BuildContext) -> Any:
    return CHECK_TYPES[name](params, context)
