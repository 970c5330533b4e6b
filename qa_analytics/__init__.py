"""qa-analytics: offline contact-centre quality assurance.

Importing the package is light: no ctranslate2, spaCy or onnxruntime until a stage needs them.
"""

from qa_analytics.errors import QAError
from qa_analytics.records import (
    Call,
    CheckResult,
    CriterionScore,
    Evidence,
    ProvisionalScore,
    ReviewDecision,
    Transcript,
    Utterance,
    Word,
)

__version__ = "0.1.0"

__all__ = [
    "Call",
    "CheckResult",
    "CriterionScore",
    "Evidence",
    "ProvisionalScore",
    "QAError",
    "ReviewDecision",
    "Transcript",
    "Utterance",
    "Word",
    "__version__",
]
