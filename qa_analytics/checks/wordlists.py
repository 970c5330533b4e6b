"""Named word lists that token patterns may use inside IN / NOT_IN: ``"@first_names"``.

ASR writes names in lower case ("this is tiffany", "wing yan here"), so a capital letter
cannot mark a name; a list of given names can. Lists live in ``qa_analytics/data/wordlists/``
as ``<name>.txt`` (one lower-case word per line, ``#`` comments). They are kept out of the
domain vocabulary: spelling correction towards thousands of names would garble ordinary words.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from qa_analytics.errors import ConfigError

LISTS_DIR = Path(__file__).resolve().parents[1] / "data" / "wordlists"
_PREFIX = "@"


def known_lists() -> list[str]:
    return sorted(_PREFIX + p.stem for p in LISTS_DIR.glob("*.txt"))


@cache
def word_list(name: str) -> tuple[str, ...]:
    """The words of list ``name`` (without the @)."""
    path = LISTS_DIR / f"{name}.txt"
    if not name.isidentifier() or not path.is_file():
        raise ConfigError(f"patterns: unknown word list {_PREFIX}{name}; known: "
                          f"{', '.join(known_lists()) or 'none'}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_PREFIX)


def expand(patterns: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """The patterns with every ``"@list"`` inside an IN / NOT_IN replaced by its words."""
    return [[_expand_token(token) for token in pattern] for pattern in patterns]


def _expand_token(token: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, spec in token.items():
        if isinstance(spec, dict):
            spec = {op: _expand_values(values) if op in ("IN", "NOT_IN") else values
                    for op, values in spec.items()}
        out[key] = spec
    return out


def _expand_values(values: Any) -> Any:
    if not isinstance(values, list) or not any(is_reference(v) for v in values):
        return values
    words: list[str] = []
    for v in values:
        words.extend(word_list(v[len(_PREFIX):]) if is_reference(v) else [v])
    return words
