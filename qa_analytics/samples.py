"""The bundled sample calls: scripts, and how their audio is made.

The WAV files in ``qa_analytics/data/samples`` were made from these scripts by
``python -m qa_analytics.samples`` (espeak-ng voices, mixed into 8 kHz stereo: agent left,
customer right). The scripts double as reference transcripts for word-error-rate tests.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent / "data" / "samples"

SCRIPTS: dict[str, dict] = {
    "sample_billing_complaint": {
        "agent_id": "a101", "team": "billing", "queue": "complaints",
        "started_at": "2026-11-22T09:15:00", "seed": 1,
        "script": [
            ("agent", "Good morning, thank you for calling Northwind Energy. My name is Sarah. "
                      "This call is recorded for quality and training purposes."),
            ("customer", "Hi Sarah. I have been charged twice for my bill this month and "
                         "I am really worried about my rent."),
            ("agent", "I am so sorry about that, I can imagine how stressful that is. "
                      "Before I look at the account, can you confirm your full name and "
                      "date of birth please?"),
            ("customer", "Yes, it is James Carter, fourth of March nineteen eighty."),
            ("agent", "Thank you James. Can I put you on hold for a moment while I check "
                      "the payments?"),
            ("customer", "Yes, that is fine."),
            ("agent", "[hold]"),
            ("agent", "Thank you for waiting. I can see the duplicate payment. I will refund "
                      "it today and you will see it in three working days."),
            ("customer", "That is great, thank you."),
            ("agent", "Is there anything else I can help you with today?"),
            ("customer", "No, that is all."),
            ("agent", "Thank you for calling, have a lovely day."),
        ],
    },
    "sample_rude_agent": {
        "agent_id": "a102", "team": "broadband", "queue": "technical",
        "started_at": "2026-11-22T11:40:00", "seed": 2,
        "script": [
            ("agent", "Yeah, broadband support."),
            ("customer", "Hello, my internet has been down for three days and I work from "
                         "home. This is the third time I have called."),
            ("agent", "Right. What is the account number?"),
            ("customer", "It is four four seven one two nine."),
            ("agent", "You should have read the terms, outages are not my problem."),
            ("customer", "That is not acceptable, I pay every month."),
            ("agent", "Calm down. I can log a ticket, whatever."),
            ("customer", "Fine. Goodbye."),
        ],
    },
    "sample_general_enquiry": {
        "agent_id": "a103", "team": "sales", "queue": "enquiries",
        "started_at": "2026-11-22T14:05:00", "seed": 3,
        "script": [
            ("agent", "Hello, you are through to Contoso Travel, my name is Daniel, calls are "
                      "recorded for training. How can I help?"),
            ("customer", "Hi, I just wanted to know your opening hours over the holidays."),
            ("agent", "Of course. Our branches are open nine till five every day except "
                      "Christmas Day."),
            ("customer", "Perfect, thanks very much."),
            ("agent", "You are welcome. Is there anything else I can help with?"),
            ("customer", "No, that is everything, bye."),
            ("agent", "Thanks for calling, have a great day."),
        ],
    },
}


def reference_text(call_id: str, speaker: str | None = None) -> str:
    """The words spoken in a sample call (one speaker, or both), hold markers left out."""
    lines = SCRIPTS[call_id]["script"]
    return " ".join(text for who, text in lines
                    if (speaker is None or who == speaker) and not text.startswith("["))


def make_samples(out_dir: Path = SAMPLES_DIR) -> list[Path]:
    from qa_analytics.synth import synthesize_call

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    rows = []
    for call_id, spec in SCRIPTS.items():
        path = synthesize_call(spec["script"], out_dir / f"{call_id}.wav", seed=spec["seed"])
        paths.append(path)
        rows.append({"path": path.name, "call_id": call_id, "agent_id": spec["agent_id"],
                     "team": spec["team"], "queue": spec["queue"],
                     "started_at": spec["started_at"], "channels": "agent,customer"})
    with (out_dir / "manifest.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return paths


def samples_manifest() -> Path:
    return SAMPLES_DIR / "manifest.csv"


if __name__ == "__main__":
    for made in make_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES_DIR):
        print(made)
