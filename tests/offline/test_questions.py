"""Which questionnaire a submission was answered on, in the staff language, or the fallback."""

from __future__ import annotations

import pytest

from intake.offline.labels import StaffLanguageError, staff_language
from intake.offline.questions import QuestionBook
from tests.support.paths import SAMPLE_TOML


def test_known_questionnaire_in_the_staff_language() -> None:
    book = QuestionBook.load()
    questions = {q.id: q for q in book.staff_questions("detention", 1, "uk") or []}
    assert questions["treatment"].sensitive
    assert questions["treatment"].label("beaten") == "Били"
    assert questions["use_consent"].purpose == "consent_scope"
    assert all(q.known for q in questions.values())


def test_unknown_version_or_id_is_not_guessed() -> None:
    book = QuestionBook.load()
    assert book.staff_questions("detention", 2, "en") is None
    assert book.staff_questions("other", 1, "en") is None


def test_more_questionnaires_from_files() -> None:
    book = QuestionBook.load([SAMPLE_TOML])
    assert book.find("sample", 2) is not None
    staff = book.staff_questions("sample", 2, "be")  # not one of its languages: its default
    assert staff is not None
    assert staff[0].text == book.find("sample", 2).questions[0].prompt["en"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("requested", "env", "expected"),
    [(None, {}, "en"), ("ru", {}, "ru"), ("be-BY", {}, "be"),
     (None, {"INTAKE_STAFF_LANGUAGE": "pl, uk,ru"}, "uk"),
     (None, {"INTAKE_STAFF_LANGUAGE": "pl"}, "en"), ("uk", {"INTAKE_STAFF_LANGUAGE": "ru"}, "uk")],
)  # fmt: skip
def test_staff_language(requested: str | None, env: dict[str, str], expected: str) -> None:
    assert staff_language(requested, env) == expected


def test_unknown_staff_language_lists_the_choices() -> None:
    with pytest.raises(StaffLanguageError, match="available: be, en, ru, uk"):
        staff_language("pl", {})
