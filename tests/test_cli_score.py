"""`qa-analytics score`, `scorecard validate|show` and `train`: outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from qa_analytics.cli import main
from qa_analytics.store import open_database
from qa_analytics.store.repository import load_result

REPO = Path(__file__).resolve().parents[1]
GOOD_TEXT = ("Agent: Hello, thanks for calling, my name is Tom. Calls are recorded.\n"
             "Customer: I'd like to change my address please\n"
             "Agent: Can I take your date of birth?\nCustomer: 1 May 1980\n"
             "Agent: Thanks, I've updated your address. Anything else? Have a good day.\n")


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD_TEXT)
    (folder / "sub" / "c2.json").write_text(json.dumps({"call_id": "c2", "utterances": [
        {"speaker": "agent", "text": "Hello, this call is recorded.", "start_s": 0.0,
         "end_s": 2.0},
        {"speaker": "customer", "text": "Hi", "start_s": 2.5, "end_s": 3.0}]}))
    return folder


def test_cli_score_writes_results_and_database(inputs: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["score", str(inputs), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["calls"], summary["scored"], summary["failed"]) == (2, 2, 0)
    assert summary["duplicate_call_ids"] == []
    lines = (out / "results.jsonl").read_text().splitlines()
    records = {json.loads(line)["call_id"]: json.loads(line) for line in lines}
    assert set(records) == {"good", "c2"}
    assert records["good"]["versions"]["scorecard_sha256"] == summary["scorecard_sha256"]
    stored = load_result(open_database(out / "qa.db"), "good")
    assert stored == records["good"]


def test_cli_score_bad_file_fails_that_call_only(inputs: Path, tmp_path: Path, capsys) -> None:
    (inputs / "broken.json").write_text("{oops")
    out = tmp_path / "out"
    assert main(["score", str(inputs), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "2 of 3 calls scored" in printed and "broken.json: not valid JSON" in printed
    assert "warning" not in printed
    records = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    failed = [r for r in records if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["call_id"] == "broken"
    assert "broken.json" in failed[0]["error"]


def test_cli_score_bad_scorecard_is_exit_2(inputs: Path, tmp_path: Path, capsys) -> None:
    data = yaml.safe_load((REPO / "configs" / "default.yaml").read_text())
    data["criteria"]["apology"]["weight"] = "high"
    card = tmp_path / "default.yaml"
    card.write_text(yaml.safe_dump(data))
    assert main(["score", str(inputs), "--scorecard", str(card), "--out",
                 str(tmp_path / "o")]) == 2
    assert ("default.yaml: criteria -> apology -> weight: must be a number >= 0, got 'high'"
            in capsys.readouterr().err)
    assert not (tmp_path / "o" / "results.jsonl").exists()


def test_cli_score_missing_input_is_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["score", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["score", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2


def test_cli_scorecard_validate_and_show(tmp_path: Path, capsys) -> None:
    assert main(["scorecard", "validate", str(REPO / "configs" / "default.yaml")]) == 0
    assert "valid (default@1.1.0, 10 criteria" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\nname: X\nsections: {}\ncriteria: {}\nextra: 1\n")
    assert main(["scorecard", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: extra: unknown key" in err
    assert main(["scorecard", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert list(shown["criteria"])[0] == "greeting" and len(shown["sha256"]) == 64
    assert main(["scorecard", "show", str(REPO / "configs" / "examples" / "complaints.yaml")]) == 0
    assert "complaints_procedure" in capsys.readouterr().out


def test_cli_train_writes_models(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    rows = [f"yes\tI can imagine how hard that is {i}" for i in range(6)] + \
           [f"no\tyour reference number is {i}" for i in range(6)]
    (data / "tiny.tsv").write_text("\n".join(rows) + "\n")
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m"), "--json"]) == 0
    meta = json.loads(capsys.readouterr().out)[0]
    assert meta["classes"] == ["no", "yes"] and (tmp_path / "m" / "tiny.onnx").is_file()


@pytest.mark.parametrize("command", [["score"], ["scorecard"], ["scorecard", "validate"],
                                     ["scorecard", "show"], ["train"]])
def test_cli_help_has_examples(command: list[str], capsys) -> None:
    assert main([*command, "--help"]) == 0
    assert "Example" in capsys.readouterr().out


def test_cli_score_warns_about_duplicate_call_ids(inputs: Path, tmp_path: Path, capsys) -> None:
    (inputs / "sub" / "good.txt").write_text(GOOD_TEXT)
    assert main(["score", str(inputs), "--out", str(tmp_path / "o")]) == 0
    assert "several files share call ids good" in capsys.readouterr().out
