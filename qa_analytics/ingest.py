"""Find the recordings to process: files, folders (recursive) and CSV manifests.

Each recording becomes a Call identified by its content hash (sha256 of the bytes; for a
two-leg call, of both legs), so the same audio under two names is recognised. Problems with
one recording become an IngestFailure for that recording, never an exception for the batch;
a manifest whose columns are wrong is a ManifestError (a usage error).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from qa_analytics.errors import ManifestError
from qa_analytics.records import CHANNEL_LAYOUTS, Call

AUDIO_EXTENSIONS = frozenset(
    {".wav", ".flac", ".mp3", ".ogg", ".opus", ".oga", ".m4a", ".aac", ".wma", ".webm", ".aiff"}
)
MANIFEST_FIELDS = ("call_id", "agent_id", "team", "queue", "started_at", "channels")
_CALL_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class IngestFailure:
    call_id: str
    source: str
    error: str


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def safe_call_id(text: str) -> str:
    """A call id usable as a file name: letters, digits, '.', '_' and '-'."""
    cleaned = _CALL_ID_UNSAFE.sub("_", text.strip()).strip("._")
    return cleaned or "call"


def _probe_file(path: Path) -> str | None:
    """A readable problem with the file, or None when it can be hashed and tried."""
    if not path.exists():
        return f"{path}: file not found"
    if not path.is_file():
        return f"{path}: not a regular file"
    if path.stat().st_size == 0:
        return f"{path}: file is empty (0 bytes)"
    return None


def _audio_call(path: Path, call_id: str, channels: str = "agent,customer", **meta: str | None
                ) -> Call | IngestFailure:
    problem = _probe_file(path)
    if problem:
        return IngestFailure(call_id, str(path), problem)
    return Call(call_id=call_id, source=str(path), channels=channels,
                audio_sha256=sha256_file(path), **meta)


def _two_leg_call(agent: Path, customer: Path, call_id: str, **meta: str | None
                  ) -> Call | IngestFailure:
    for leg in (agent, customer):
        problem = _probe_file(leg)
        if problem:
            return IngestFailure(call_id, str(agent), problem)
    combined = hashlib.sha256(
        (sha256_file(agent) + sha256_file(customer)).encode()
    ).hexdigest()
    return Call(call_id=call_id, source=str(agent), customer_source=str(customer),
                channels="two_leg", audio_sha256=combined, **meta)


def _cell(row: dict[str, str | None], key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return value or None


def read_manifest(path: Path) -> Iterator[Call | IngestFailure]:
    """Calls listed in a CSV manifest; paths are relative to the manifest's folder."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read manifest ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        has_path = "path" in header
        has_legs = "agent_path" in header and "customer_path" in header
        if not (has_path or has_legs):
            raise ManifestError(
                f"{path}: header must have a 'path' column, or 'agent_path' and "
                f"'customer_path' columns; got {', '.join(header) or 'no header'}"
            )
        unknown_layouts: list[str] = []
        for line_no, row in enumerate(reader, start=2):
            where = f"{path}: row {line_no}"
            meta = {k: _cell(row, k) for k in ("agent_id", "team", "queue", "started_at")}
            leg_a, leg_c = _cell(row, "agent_path"), _cell(row, "customer_path")
            single = _cell(row, "path")
            channels = _cell(row, "channels") or ("two_leg" if leg_a and not single
                                                   else "agent,customer")
            channels = channels.replace(" ", "").lower()
            spill = row.get(None)  # type: ignore[call-overload]
            if channels in ("agent", "customer") and spill and spill[0].strip().lower() in (
                    "agent", "customer"):
                # `agent,customer` written without quotes spills into an extra column
                channels = f"{channels},{spill[0].strip().lower()}"
            stem = Path(single or leg_a or f"row{line_no}").stem
            call_id = safe_call_id(_cell(row, "call_id") or stem)
            if channels not in CHANNEL_LAYOUTS:
                unknown_layouts.append(channels)
                yield IngestFailure(call_id, single or leg_a or "", (
                    f"{where}: channels must be one of agent,customer / customer,agent / mono, "
                    f"got {channels!r}"))
                continue
            if single and channels != "two_leg":
                yield _audio_call(path.parent / single, call_id, channels, **meta)
            elif leg_a and leg_c:
                yield _two_leg_call(path.parent / leg_a, path.parent / leg_c, call_id, **meta)
            else:
                yield IngestFailure(call_id, single or leg_a or "", (
                    f"{where}: needs 'path', or both 'agent_path' and 'customer_path'"))


def _expand(inputs: Iterable[str | Path]) -> Iterator[Call | IngestFailure]:
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in AUDIO_EXTENSIONS:
                    yield _audio_call(child, safe_call_id(child.stem))
        elif path.suffix.lower() == ".csv":
            yield from read_manifest(path)
        else:
            yield _audio_call(path, safe_call_id(path.stem))


def discover(inputs: Iterable[str | Path]) -> Iterator[Call | IngestFailure]:
    """Every recording named by the inputs, with unique call ids.

    Two different recordings with the same name get the first 8 hex digits of their hash
    appended; the same recording listed twice keeps its id and is processed once.
    """
    seen: dict[str, str] = {}  # call_id -> sha256 (or source for failures)
    for item in _expand(inputs):
        key = item.audio_sha256 if isinstance(item, Call) else item.source
        if item.call_id in seen:
            if seen[item.call_id] == key:
                continue  # the same file named twice
            suffix = key[:8] if isinstance(item, Call) else str(len(seen))
            new_id = f"{item.call_id}-{suffix}"
            if isinstance(item, Call):
                item = Call(**{**_fields(item), "call_id": new_id})
            else:
                item = IngestFailure(new_id, item.source, item.error)
        seen[item.call_id] = key
        yield item


def _fields(call: Call) -> dict[str, object]:
    return {name: getattr(call, name) for name in Call.__dataclass_fields__}
