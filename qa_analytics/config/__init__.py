"""Scorecard configuration: schema and loader (errors name the file and the key path)."""

from qa_analytics.config.loader import BUNDLED_DEFAULT, LoadedScorecard, load_scorecard
from qa_analytics.config.schema import Criterion, Scorecard, Section

__all__ = ["BUNDLED_DEFAULT", "Criterion", "LoadedScorecard", "Scorecard", "Section",
           "load_scorecard"]
