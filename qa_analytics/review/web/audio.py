"""Serving recordings with HTTP range requests, so the browser's player can seek."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from qa_analytics.errors import ReviewError

CHUNK = 64 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(start)
        while length > 0:
            data = fh.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def recording_path(media_root: Path, source: str | None) -> Path:
    if not source:
        raise ReviewError("this call has no recording")
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = media_root / path
    if not path.is_file():
        raise ReviewError(f"recording not found: {source}")
    return path


def file_response(request: Request, path: Path) -> Response:
    """200 with the whole file, or 206 with one requested byte range (416 when unsatisfiable)."""
    size = path.stat().st_size
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() == ".wav":
        media_type = "audio/wav"
    headers = {"Accept-Ranges": "bytes"}
    header = request.headers.get("range")
    if not header:
        headers["Content-Length"] = str(size)
        return StreamingResponse(_chunks(path, 0, size), media_type=media_type, headers=headers)
    # Only the first range of a multi-range request is served; players ask for one.
    match = _RANGE.match(header.split(",")[0].strip())
    start_s, end_s = match.groups() if match else ("", "")
    if not match or (start_s == "" and end_s == ""):
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    if start_s == "":  # suffix range: the last N bytes
        start, end = max(0, size - int(end_s)), size - 1
    else:
        start = int(start_s)
        end = min(int(end_s), size - 1) if end_s else size - 1
    if start >= size or start > end:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    headers.update({"Content-Range": f"bytes {start}-{end}/{size}",
                    "Content-Length": str(end - start + 1)})
    return StreamingResponse(_chunks(path, start, end - start + 1), status_code=206,
                             media_type=media_type, headers=headers)
