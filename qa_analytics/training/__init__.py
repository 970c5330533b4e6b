"""Offline training of the utterance classifiers (never imported when scoring)."""
