from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from qa_analytics.cli import cli, main
from qa_analytics.samples import SAMPLES_DIR


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_help_with_an_example() -> None:
    names = []
    for path, command in _commands(cli):
        names.append(" ".join(path))
        ctx = click.Context(command, info_name=path[-1])
        text = command.get_help(ctx)
        assert command.help, f"{path} has no help"
        if not isinstance(command, click.Group) or not command.commands:
            assert "qa-analytics " in text, f"`{' '.join(path)} --help` shows no example"
    assert {"transcribe", "run"} <= set(names)


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", "--out", str(tmp_path)]) == 2  # no inputs
    assert main(["transcribe", "x.wav", "--out", str(tmp_path), "--device", "tpu"]) == 2
    bad_manifest = tmp_path / "m.csv"
    bad_manifest.write_text("nothing,useful\n1,2\n")
    assert main(["transcribe", str(bad_manifest), "--out", str(tmp_path / "o")]) == 2
    assert "m.csv: header must have a 'path' column" in capsys.readouterr().err


@pytest.mark.slow
def test_transcribe_exit_codes_and_outputs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"\x00" * 100)
    good = SAMPLES_DIR / "sample_general_enquiry.wav"
    base = [sys.executable, "-m", "qa_analytics", "transcribe"]
    ok = subprocess.run([*base, str(good), "--out", str(tmp_path / "a"), "--json"],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["succeeded"] == 1
    assert (tmp_path / "a" / "transcripts" / "sample_general_enquiry.json").exists()
    mixed = subprocess.run([*base, str(good), str(broken), "--out", str(tmp_path / "b")],
                           capture_output=True, text=True, timeout=300)
    assert mixed.returncode == 1
    assert "broken.wav" in mixed.stderr and "failed" in mixed.stderr
    assert "real time" in mixed.stderr  # progress/summary shows speed
