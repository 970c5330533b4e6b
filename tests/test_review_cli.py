"""`qa-analytics users | sample | review | calibration | export | serve` through the real CLI
entry point (exit codes, --json, conflicts), on a real SQLite database."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
import pytest

from qa_analytics.cli import cli, main
from qa_analytics.review import demo
from qa_analytics.store import open_database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "qa.db")
    demo.seed(open_database(path), tmp_path / "media")
    for name, role in (("lead", "lead"), ("rev", "reviewer")):
        monkeypatch.setattr("sys.stdin", io.StringIO("password123\n"))
        assert run(capsys, "users", "add", name, "--role", role, "--db", path)[0] == 0
    return path


def test_users(db: str, capsys: pytest.CaptureFixture[str],
               monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "users", "list", "--db", db, "--json")
    assert code == 0 and [u["username"] for u in json.loads(out)] == ["lead", "rev"]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, "users", "add", "x", "--role", "admin", "--db", db)
    assert code == 2 and "at least 8 characters" in err
    code, _, err = run(capsys, "users", "add", "y", "--role", "boss", "--db", db)
    assert code == 2 and "boss" in err
    assert run(capsys, "users", "disable", "rev", "--db", db)[0] == 0
    code, _, err = run(capsys, "review", "list", "--as", "rev", "--db", db)
    assert code == 2 and "no active user 'rev'" in err


def test_sample_review_history_and_report(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sample", "--as", "rev", "--db", db)
    assert code == 2 and "needs the lead role" in err
    code, out, _ = run(capsys, "sample", "--as", "lead", "--margin", "0.2", "--seed", "1",
                       "--method", "stratified", "--by", "agent", "--db", db, "--json")
    s = json.loads(out)
    assert (s["population"], s["sample_size"], s["added"]) == (10, 8, 10)
    code, out, _ = run(capsys, "review", "list", "--as", "rev", "--db", db, "--json")
    assert code == 0 and len(json.loads(out)) == 10
    code, out, _ = run(capsys, "review", "list", "--as", "rev", "--db", db, "--reason",
                       "auto_fail")
    assert code == 0 and out.startswith("c01") and "1 call(s)" in out
    code, out, _ = run(capsys, "review", "show", "c01", "--as", "rev", "--db", db, "--json")
    view = json.loads(out)
    assert view["version"] == 0 and view["engine"]["auto_fail"] is True
    # The engine failed c01 on recording_disclosure; the reviewer heard the notice.
    code, out, _ = run(capsys, "review", "override", "c01", "recording_disclosure", "met",
                       "--reason", "notice given at 0:02", "--as", "rev", "--db", db, "--json")
    assert code == 0 and json.loads(out)["version"] == 1
    code, _, err = run(capsys, "review", "confirm", "c01", "--remaining", "--version", "0",
                       "--as", "rev", "--db", db)
    assert code == 2 and "changed since you loaded it" in err
    code, out, _ = run(capsys, "review", "confirm", "c01", "--remaining", "--as", "rev",
                       "--db", db)
    assert code == 0 and "reviewed 10/10, final 100.00" in out and "AUTO-FAIL" not in out
    code, out, _ = run(capsys, "review", "history", "c01", "--as", "rev", "--db", db, "--json")
    hist = json.loads(out)
    assert len(hist) == 10 and hist[0]["reason"] == "notice given at 0:02"
    assert hist[0]["suggested_verdict"] == "not_met" and hist[0]["new_verdict"] == "met"
    code, out, _ = run(capsys, "review", "history", "c01", "--as", "rev", "--db", db)
    assert "rev" in out and "not_met -> met (override" in out
    code, out, _ = run(capsys, "calibration", "report", "--db", db, "--json")
    rows = {r["criterion_id"]: r for r in json.loads(out)}
    assert rows["recording_disclosure"]["confusion"] == [[0, 0, 0], [1, 0, 0], [0, 0, 0]]
    assert rows["greeting"]["n"] == 1 and rows["greeting"]["kappa"] is None
    code, out, _ = run(capsys, "calibration", "report", "--db", db)
    assert code == 0 and "recording_disclosure" in out


def test_override_needs_reason_and_confirm_needs_target(db: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "review", "override", "c01", "greeting", "not_met", "--as", "lead",
                       "--db", db)
    assert code == 2 and "--reason" in err
    code, _, err = run(capsys, "review", "confirm", "c01", "--as", "lead", "--db", db)
    assert code == 2 and "--remaining" in err


def test_calibration_session_from_cli(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calibration", "create", "Week 47", "--call", "c03", "--call",
                       "c04", "--reviewer", "rev", "--reviewer", "lead", "--as", "lead",
                       "--db", db)
    assert code == 0 and "session 1" in out
    code, out, _ = run(capsys, "calibration", "report", "--session", "1", "--as", "lead",
                       "--db", db, "--json")
    assert code == 0 and json.loads(out)["reviewers"] == ["lead", "rev"]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


MINE = {"serve", "users", "sample", "review", "calibration", "export"}


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    checked = 0
    for path, _command in _commands(cli):
        if path[0] not in MINE:
            continue
        code, out, _ = run(capsys, *path, "--help")
        assert code == 0 and "Example" in out, path
        checked += 1
    assert checked == 17  # serve, users x5, sample, review x6, calibration x3, export


def test_listing_commands_offer_json() -> None:
    for path, command in _commands(cli):
        if path[0] in MINE and path[-1] in ("list", "show", "history", "report", "sample"):
            assert any(p.name == "as_json" for p in command.params), path
