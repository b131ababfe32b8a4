"""Questionnaire text for tests that build their own: the smallest valid header."""

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
