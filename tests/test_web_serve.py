"""`qa-analytics serve` as a real process: it binds to loopback, serves the login page, refuses
anonymous API calls, and (with --demo) has calls to review."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_command(tmp_path: Path) -> None:
    db = tmp_path / "qa.db"
    add = subprocess.run([sys.executable, "-m", "qa_analytics", "users", "add", "lead",
                          "--role", "lead", "--db", str(db), "--password-stdin"],
                         input="password123\n", text=True, capture_output=True, timeout=60)
    assert add.returncode == 0, add.stderr
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "qa_analytics", "serve", "--db", str(db),
                             "--port", str(port), "--demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert r.status_code == 200 and "Log in" in r.text
        assert httpx.get(base + "/api/queue").status_code == 401
        with httpx.Client(base_url=base) as c:
            login = c.post("/api/login", json={"username": "lead", "password": "password123"})
            assert login.status_code == 200
            results = c.get("/api/results", params={"status": "all"}).json()
            assert len(results) == 12
            audio = c.get("/api/calls/c01/audio", headers={"Range": "bytes=0-3"})
            assert audio.status_code == 206 and audio.content == b"RIFF"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert "added 12 demo calls" in out
