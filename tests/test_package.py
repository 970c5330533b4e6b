from __future__ import annotations

import subprocess
import sys


def test_import_is_light() -> None:
    code = ("import sys, qa_analytics, qa_analytics.cli; "
            "heavy = [m for m in ('ctranslate2', 'faster_whisper', 'spacy', 'onnxruntime', "
            "'sklearn', 'fastapi', 'torch') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api() -> None:
    import qa_analytics

    assert qa_analytics.__version__
    for name in qa_analytics.__all__:
        assert hasattr(qa_analytics, name)
