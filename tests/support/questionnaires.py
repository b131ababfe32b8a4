"""Questionnaire text for tests that build their own, and scripts for the QA questionnaires."""

from __future__ import annotations

# id, version, one language and a consent: append ``[[questions]]`` tables to make a questionnaire.
MINIMAL = """
id = "t"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "t"
accept.en = "a"
decline.en = "d"
"""

# A script for qa_every_type.toml: it happened to me, and I was detained.
VICTIM = {"role": ("choice", "victim"), "detained": True}
