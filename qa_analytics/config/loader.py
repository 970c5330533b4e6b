"""Load and validate scorecard YAML files; every error names the file and the key path.

    default.yaml: criteria -> apology -> weight: must be a number >= 0, got 'high'
"""

from __future__ import annotations

import hashlib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from qa_analytics.config.schema import Scorecard
from qa_analytics.errors import ConfigError

# The bundled default scorecard ships inside the package (package data) so that it resolves
# from a wheel as well as from the repository; configs/default.yaml is the same file, kept
# identical by tests/test_config.py.
BUNDLED_DEFAULT = Path(__file__).resolve().parents[1] / "data" / "default_scorecard.yaml"

_EXPECTED = {
    "missing": "required key is missing",
    "string_type": "must be a text string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
}


@dataclass(frozen=True, slots=True)
class LoadedScorecard:
    """A validated scorecard with its checks' parameters validated too."""

    path: Path
    sha256: str
    model: Scorecard
    # criterion id -> {"check": params model, "applies_when": ..., "before": ...}
    check_specs: dict[str, dict[str, tuple[str, BaseModel]]]


def _allowed_keys(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> list[str] | None:
    """Walk the schema along ``loc`` to list the keys allowed where an unknown key was found."""
    current: Any = model
    for part in loc:
        if current is None:
            return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
            continue
        current = _unwrap(current, part)
    current = _unwrap(current, None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return None


def _unwrap(annotation: Any, part: Any) -> Any:
    # dict[str, X] -> X (the key was consumed by `part`); X | None -> X; Annotated[X, ...] -> X
    for _ in range(4):
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin is dict and part is not None:
            return args[1]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        else:
            return annotation
    return annotation


def format_validation_error(
    origin: str, exc: ValidationError, prefix: tuple[Any, ...] = (),
    model: type[BaseModel] | None = None,
) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = " -> ".join(str(p) for p in (*prefix, *loc))
        etype = err["type"]
        got = err.get("input")
        if etype == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1]) if model else None
            hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
            message = f"unknown key{hint}"
        elif etype == "value_error":
            message = str(err["msg"]).removeprefix("Value error, ")
        elif etype == "literal_error":
            message = f"must be one of {err['ctx']['expected']}, got {got!r}"
        elif etype == "string_pattern_mismatch":
            message = f"must be lower_snake_case (letters, digits, _), got {got!r}"
        elif etype == "missing":
            message = _EXPECTED["missing"]
        elif etype in _EXPECTED:
            message = f"{_EXPECTED[etype]}, got {got!r}"
        else:
            message = f"{err['msg']}, got {got!r}"
        lines.append(f"{origin}: {path}: {message}" if path else f"{origin}: {message}")
    return "\n".join(lines)


def validate_scorecard_data(data: Any, origin: str, sha256: str = "",
                            path: Path | None = None) -> LoadedScorecard:
    from qa_analytics.checks.registry import validate_check_spec

    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: must be a YAML mapping at the top level, "
                          f"got {type(data).__name__}")
    # Top-level "x-..." keys hold YAML anchors for reuse (as in compose files); not validated.
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    try:
        model = Scorecard.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(origin, exc, model=Scorecard)) from None
    specs: dict[str, dict[str, tuple[str, BaseModel]]] = {}
    problems: list[str] = []
    for cid, crit in model.criteria.items():
        specs[cid] = {}
        for key in ("check", "applies_when", "before"):
            raw = getattr(crit, key)
            if raw is None:
                continue
            try:
                specs[cid][key] = validate_check_spec(raw, origin, ("criteria", cid, key))
            except ConfigError as exc:
                problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))
    return LoadedScorecard(path=path or Path(origin), sha256=sha256, model=model,
                           check_specs=specs)


def load_scorecard(path: str | Path | None = None) -> LoadedScorecard:
    """Read, parse and validate a scorecard file (None: the bundled default)."""
    file = Path(path) if path is not None else BUNDLED_DEFAULT
    origin = file.name
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read scorecard ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{origin}: not valid YAML{where}: {problem}") from None
    return validate_scorecard_data(data, origin, hashlib.sha256(raw).hexdigest(), file)
