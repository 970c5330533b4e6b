"""Shared fixtures. Third-party data lives in ../shared/data; tests using it skip without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture()
def db(tmp_path: Path):
    from qa_analytics.store import open_database

    return open_database(tmp_path / "qa.db")


@pytest.fixture(scope="session")
def scorer():
    """The default scorecard, built once for every test module that scores calls."""
    from qa_analytics.scorer import load_scorer

    return load_scorer().build()


def call(*lines: str):
    """An untimed transcript from 'A: ...' (agent) / 'C: ...' (customer) lines."""
    from qa_analytics.records import Transcript, Utterance

    speaker = {"A": "agent", "C": "customer"}
    return Transcript("t", tuple(Utterance(speaker[line[0]], line[2:].strip())
                                 for line in lines))
