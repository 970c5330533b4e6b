"""Loaders for the third-party material in ../shared/data (read in place, never copied).

Each loader turns a corpus into transcripts in the project's contract plus the gold verdicts
that the corpus supports:

- ``dialogue/harper_valley_bank``: two simulated bank calls with human transcripts and
  Gridspace dialogue-act tags. Consecutive segments of one speaker are merged into one turn
  (tags unioned; "[noise]"-only segments dropped). Gold: *greeting* is `met` when one of the
  agent's first two turns carries ``gridspace_greeting``; *closing* is `met` when one of the
  agent's last three turns carries ``gridspace_closing`` or ``gridspace_thanks``.
  *agent_introduction* is `met` when the agent's name from the metadata is said in the agent's
  first three turns.
- ``dialogue/azure_sample``: one untimed 17-turn support chat. It has no tags; the gold here is
  this project's own reading of it under DEFAULT_SCORECARD.md, for the criteria that are clear.
- ``calls/aws-lca``: a two-leg car-dealer service call (audio only). Per the data manifest the
  agent greets, names herself, apologises and closes: those four are `met`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# The project's reading of the Azure sample (see module docstring); empathy and apology are
# left out because "I'm sorry to hear that" about a set-up problem is a judgement call.
AZURE_GOLD: dict[str, str] = {
    "greeting": "met",  # "Hello, you're chatting with Rene."
    "agent_introduction": "met",  # Rene
    "recording_disclosure": "not_met",  # no notice (a chat)
    "identity_verification": "na",  # product help, no account looked at
    "take_action": "met",  # walks the customer through a fix
    "hold_etiquette": "met",  # "Please hold on for a minute." ... "thank you for your patient!"
    "prohibited_language": "met",
    "closing": "met",  # "Is there anything else ...", "Have a nice day!"
}

AWS_LCA_GOLD: dict[str, str] = {
    "greeting": "met",
    "agent_introduction": "met",
    "apology": "met",
    "closing": "met",
}


@dataclass(frozen=True, slots=True)
class SharedCall:
    corpus: str
    call_id: str
    transcript: dict[str, Any]  # the transcript contract
    gold: dict[str, str]  # criterion -> verdict, only where the corpus supports one
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SharedAudioCall:
    corpus: str
    call_id: str
    agent_path: Path
    customer_path: Path
    gold: dict[str, str]


def _turns(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for seg in sorted(segments, key=lambda s: s["index"]):
        text = str(seg.get("human_transcript") or "").strip()
        if not text or text.strip("[]").lower() in {"noise", "laughter", "unk"}:
            continue
        speaker = "agent" if seg["speaker_role"] == "agent" else "customer"
        start = seg["offset_ms"] / 1000.0
        end = start + seg["duration_ms"] / 1000.0
        acts = set(seg.get("dialog_acts") or ())
        if turns and turns[-1]["speaker"] == speaker:
            last = turns[-1]
            last["text"] += " " + text
            last["end_s"] = max(last["end_s"], end)
            last["acts"] |= acts
        else:
            turns.append({"speaker": speaker, "text": text, "start_s": start, "end_s": end,
                          "acts": acts})
    return turns


def _harper_gold(turns: list[dict[str, Any]], agent_name: str | None) -> dict[str, str]:
    agent = [t for t in turns if t["speaker"] == "agent"]
    opening, ending = agent[:2], agent[-3:]
    gold = {
        "greeting": "met" if any("gridspace_greeting" in t["acts"] for t in opening)
        else "not_met",
        "closing": "met" if any(t["acts"] & {"gridspace_closing", "gridspace_thanks"}
                                for t in ending) else "not_met",
    }
    if agent_name:
        said = any(agent_name.lower() in t["text"].lower() for t in agent[:3])
        gold["agent_introduction"] = "met" if said else "not_met"
    return gold


def load_harper_valley(root: Path = DEFAULT_ROOT) -> list[SharedCall]:
    folder = root / "dialogue" / "harper_valley_bank"
    calls = []
    for seg_path in sorted(folder.glob("*.segments.jsonl")):
        sid = seg_path.name.split(".")[0]
        segments = [json.loads(line) for line in seg_path.read_text(encoding="utf-8")
                    .splitlines() if line.strip()]
        meta_path = folder / f"{sid}.metadata_summary.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        turns = _turns(segments)
        transcript = {
            "call_id": f"hvb-{sid}",
            "agent_id": str(meta.get("agent_speaker_id", "")) or None,
            "metadata": {"corpus": "harper_valley_bank"},
            "utterances": [{k: t[k] for k in ("speaker", "text", "start_s", "end_s")}
                           for t in turns],
        }
        gold = _harper_gold(turns, meta.get("agent_name"))
        tags = [sorted(t["acts"]) for t in turns]
        calls.append(SharedCall("harper_valley_bank", transcript["call_id"], transcript, gold,
                                {"dialog_acts": tags}))
    return calls


def load_azure_sample(root: Path = DEFAULT_ROOT) -> list[SharedCall]:
    folder = root / "dialogue" / "azure_sample"
    calls = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for conv in data.get("analysisInput", {}).get("conversations", []):
            utterances = []
            for item in conv.get("conversationItems", []):
                role = str(item.get("participantId", "")).lower()
                speaker = "agent" if role.startswith("agent") else "customer"
                utterances.append({"speaker": speaker, "text": str(item.get("text", ""))})
            call_id = f"azure-{str(conv.get('id', path.stem))[:8]}"
            transcript = {"call_id": call_id, "agent_id": None,
                          "metadata": {"corpus": "azure_sample"}, "utterances": utterances}
            calls.append(SharedCall("azure_sample", call_id, transcript, dict(AZURE_GOLD)))
    return calls


def load_text_corpora(root: Path = DEFAULT_ROOT) -> list[SharedCall]:
    """All shared text calls with gold labels; empty when the folder is absent."""
    if not root.is_dir():
        return []
    return load_azure_sample(root) + load_harper_valley(root)


def aws_lca_call(root: Path = DEFAULT_ROOT) -> SharedAudioCall | None:
    folder = root / "calls" / "aws-lca"
    agent = folder / "Auto_Repairs_40_UTC_agent.wav"
    caller = folder / "Auto_Repairs_40_UTC_caller.wav"
    if not (agent.is_file() and caller.is_file()):
        return None
    return SharedAudioCall("aws-lca", "aws-lca-auto-repairs-40", agent, caller,
                           dict(AWS_LCA_GOLD))
