"""The layout of the indexes: what questionnaires not on this computer may add is bounded.

Anyone with the staff public key can seal a submission of an unknown questionnaire; before the
bounds, one with 150,000 answers added 150,000 columns to every row of index.csv, for good.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from intake.offline.layout import MAX_UNKNOWN_COLUMNS, MAX_UNKNOWN_OPTIONS, Layout
from intake.offline.questions import QuestionBook

BOOK = QuestionBook.load()


def _summary(rid: str, answers: list[list[Any]], q: str = "elsewhere") -> dict[str, Any]:
    row = {"id": rid, "r": "R", "t": "2026-01-01T00:00:00Z", "l": "en", "q": q, "qv": 1,
           "f": [], "c": {}, "a": answers}  # fmt: skip
    return {"row": row, "prompts": {}}


def test_questions_of_unknown_questionnaires_stop_at_the_bound() -> None:
    layout = Layout(language="en")
    texts = [[f"q{n}", "text", "x", None, False] for n in range(MAX_UNKNOWN_COLUMNS + 500)]
    layout.absorb(_summary("wide", texts), BOOK)
    assert len(layout.questions) == MAX_UNKNOWN_COLUMNS
    assert layout.capped == ["wide"]
    layout.absorb(_summary("small", [["q1", "text", "y", None, False]]), BOOK)
    assert layout.capped == ["wide"]  # nothing new: not capped


def test_options_of_an_unknown_question_stop_at_the_bound() -> None:
    layout = Layout(language="en")
    ids = [f"o{n}" for n in range(250)]
    layout.absorb(_summary("many", [["m", "multi_choice", ids, None, False]]), BOOK)
    assert len(layout.questions["m"].options) == MAX_UNKNOWN_OPTIONS
    more = [f"p{n}" for n in range(3)]
    layout.absorb(_summary("more", [["m", "multi_choice", more, None, False]]), BOOK)
    assert len(layout.questions["m"].options) == MAX_UNKNOWN_OPTIONS
    assert layout.capped == ["many", "more"]


def test_a_known_questionnaire_is_not_bounded_by_them() -> None:
    layout = Layout(language="en")
    texts = [[f"q{n}", "text", "x", None, False] for n in range(MAX_UNKNOWN_COLUMNS)]
    layout.absorb(_summary("wide", texts), BOOK)
    layout.absorb(_summary("real", [], q="detention"), BOOK)
    assert any(q.known for q in layout.questions.values())
    assert layout.capped == []


def test_a_saved_layout_beyond_the_bounds_is_not_used() -> None:
    """A cache widened by an older version is rebuilt within the bounds, not kept."""
    layout = Layout(language="en")
    layout.absorb(_summary("ok", [["q0", "text", "x", None, False]]), BOOK)
    saved = json.loads(json.dumps(layout.to_json()))
    assert Layout.from_json(saved).questions.keys() == {"q0"}
    extra = dict(saved["questions"][0])
    saved["questions"] += [{**extra, "id": f"w{n}"} for n in range(MAX_UNKNOWN_COLUMNS)]
    with pytest.raises(ValueError, match="wider than the bounds"):
        Layout.from_json(saved)
