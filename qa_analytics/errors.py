"""One exception hierarchy for qa-analytics.

    QAError                      base: every error the engine raises on purpose
    ├── ConfigError              a scorecard or settings file is invalid (names file and key path)
    ├── InputError               an input (recording, transcript, manifest) cannot be used
    │   ├── ManifestError        a manifest CSV is malformed (names file and row)
    │   ├── AudioError           a recording cannot be decoded or has an unsupported layout
    │   └── TranscriptFormatError a transcript file is not in the contract
    ├── ModelError               a model cannot be found or loaded (offline resolution failed)
    ├── TranscriptionError       the model failed on one recording (that call fails, not the batch)
    ├── StoreError               the database cannot be opened or migrated
    └── ReviewError              a review action is refused
        ├── PermissionDenied     the user's role does not allow the action
        └── ConflictError        someone else changed the call since it was read

The CLI turns these into a message and an exit code in one place (`qa_analytics.cli`).
Messages say what was expected and what was got, and name the file when there is one.
"""

from __future__ import annotations


class QAError(Exception):
    """Base class for errors qa-analytics raises on purpose."""


class ConfigError(QAError):
    """A scorecard or settings file is invalid."""


class InputError(QAError):
    """An input file cannot be used."""


class ManifestError(InputError):
    """A manifest CSV is malformed."""


class AudioError(InputError):
    """A recording cannot be decoded or has an unsupported layout."""


class TranscriptFormatError(InputError):
    """A transcript file does not follow the transcript contract."""


class ModelError(QAError):
    """A model cannot be resolved or loaded."""


class TranscriptionError(QAError):
    """Transcribing one recording failed after it was decoded."""


class StoreError(QAError):
    """The database cannot be opened or migrated."""


class ReviewError(QAError):
    """A review action is refused."""


class PermissionDenied(ReviewError):
    """The user's role does not allow the action."""


class ConflictError(ReviewError):
    """The call changed since the reviewer loaded it."""
