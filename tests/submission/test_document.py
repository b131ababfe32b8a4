"""Submission format v1: strict parsing, round trip, clear errors naming the field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from intake.submission.document import (
    FORMAT_V1,
    SubmissionFormatError,
    format_timestamp,
    parse_submission,
)
from intake.submission.strictjson import MAX_NESTING

SHA = "ab" * 32


def sample() -> dict[str, Any]:
    """A valid submission touching every question type."""
    return {
        "format": FORMAT_V1,
        "submission_id": "01JDX4K7QX29MD5R",
        "receipt": "K7QX-29MD",
        "questionnaire": {"id": "detention", "version": 3},
        "language": "be",
        "submitted_at": "2026-11-25T14:03:07Z",
        "answers": [
            {
                "question_id": "detained",
                "type": "yes_no",
                "prompt": "Вас затрымалі?",
                "value": True,
            },
            {"question_id": "place", "type": "text", "prompt": "Where?", "value": "Акрэсціна"},
            {"question_id": "story", "type": "long_text", "prompt": "Tell", "value": "a\nb"},
            {"question_id": "kind", "type": "choice", "prompt": "Kind", "value": "street"},
            {
                "question_id": "treatment",
                "type": "multi_choice",
                "prompt": "What?",
                "value": ["beaten", "threatened"],
                "labels": ["Beaten", "Threatened"],
            },
            {"question_id": "when", "type": "date", "prompt": "When?", "value": "2020-08-10"},
            {"question_id": "days", "type": "number", "prompt": "Days?", "value": 3},
            {
                "question_id": "where",
                "type": "location",
                "prompt": "Where?",
                "value": {"latitude": 53.9, "longitude": 27.56},
            },
            {
                "question_id": "age",
                "type": "number",
                "prompt": "Age?",
                "value": None,
                "skipped": True,
            },
            {
                "question_id": "photos",
                "type": "media",
                "prompt": "Photos?",
                "value": ["attachments/1-bruise.jpg"],
            },
        ],
        "attachments": [
            {
                "path": "attachments/1-bruise.jpg",
                "filename": "bruise.jpg",
                "mime": "image/jpeg",
                "size": 1234,
                "sha256": SHA,
                "question_id": "photos",
            }
        ],
    }


def test_round_trip_bytes_and_dict() -> None:
    data = sample()
    sub = parse_submission(json.dumps(data).encode())
    assert sub.to_json() == data
    assert parse_submission(sub.to_bytes()) == sub
    assert sub.submitted_at == datetime(2026, 11, 25, 14, 3, 7, tzinfo=UTC)
    assert sub.answers[8].skipped
    assert sub.answers[4].extra == {"labels": ["Beaten", "Threatened"]}


def test_future_version_refused_naming_it() -> None:
    data = sample()
    data["format"] = "witness-intake/submission/v2"
    with pytest.raises(SubmissionFormatError, match=r"submission/v2"):
        parse_submission(data)


def _mutate(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(sample())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("format",), "something/else", "format"),
        (("format",), _DELETE, "format"),
        (("extra",), 1, "unknown key"),
        (("receipt",), _DELETE, "missing receipt"),
        (("submission_id",), "../etc", "submission_id"),
        (("questionnaire", "version"), True, "questionnaire.version"),
        (("language",), "English", "language"),
        (("submitted_at",), "2026-11-25T14:03:07+03:00", "UTC"),
        (("submitted_at",), "2026-11-25T14:03:07", "UTC"),
        (("submitted_at",), "yesterday", "ISO 8601"),
        (("answers", 0, "value"), "yes", r"answers\[0\]\.value"),
        (("answers", 5, "value"), "10/08/2020", r"answers\[5\]\.value"),
        (("answers", 5, "value"), "2020-13", r"answers\[5\]\.value"),
        (("answers", 5, "value"), "2020-02-30", r"answers\[5\]\.value"),
        (("answers", 5, "value"), "0000", r"answers\[5\]\.value"),
        (("answers", 5, "value"), "20", r"answers\[5\]\.value"),
        (("answers", 5, "value"), "2020-8", r"answers\[5\]\.value"),
        (("answers", 5, "value"), "２０２０", r"answers\[5\]\.value"),
        (("answers", 6, "value"), float("inf"), r"answers\[6\]\.value"),
        (("answers", 7, "value"), {"latitude": 91, "longitude": 0}, r"answers\[7\]"),
        (("answers", 8, "value"), 5, "skipped"),
        (("answers", 1, "type"), "essay", "unknown question type"),
        (("answers", 1, "question_id"), "detained", "answered twice"),
        (("answers", 1, "Bad-Key"), 1, "invalid key"),
        (("attachments", 0, "path"), "attachments/2-bruise.jpg", "attachments/1-"),
        (("attachments", 0, "path"), "../bruise.jpg", r"attachments\[0\]\.path"),
        (("attachments", 0, "sha256"), "AB" * 32, "sha256"),
        (("attachments", 0, "size"), -1, "size"),
        (("attachments", 0, "question_id"), "place", "media answer"),
        (("answers", 9, "value"), ["attachments/1-bruise.jpg", "attachments/2-x"], "not in"),
    ],
)
def test_invalid_fields_named(path: tuple[Any, ...], value: Any, field: str) -> None:
    with pytest.raises(SubmissionFormatError, match=field):
        parse_submission(_mutate(path, value))


@pytest.mark.parametrize("value", ["2020", "2020-08", "2020-08-10", "2024-02-29"])
def test_partial_dates_accepted(value: str) -> None:
    """The engine stores year-only and month+year answers as they were given."""
    sub = parse_submission(_mutate(("answers", 5, "value"), value))
    assert sub.answers[5].value == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "UTF-8"),
        (b"{", "invalid JSON"),
        (b"[]", "JSON object"),
        (b'{"format": 1, "format": 2}', "duplicate key"),
        (b'{"x": NaN}', "NaN"),
    ],
)
def test_bad_bytes(raw: bytes, message: str) -> None:
    with pytest.raises(SubmissionFormatError, match=message):
        parse_submission(raw)


def test_format_timestamp_requires_aware() -> None:
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    with pytest.raises(ValueError, match="timezone"):
        format_timestamp(datetime(2026, 1, 2))


# hostile JSON: bounded nesting and numbers, valid text; the optional ack secret


def _doc(**extra: Any) -> dict[str, Any]:
    return {
        "format": "witness-intake/submission/v1",
        "submission_id": "S1",
        "receipt": "K7QX-29MD",
        "questionnaire": {"id": "q", "version": 1},
        "language": "en",
        "submitted_at": "2026-11-25T14:03:07Z",
        "answers": [{"question_id": "n", "type": "number", "prompt": "How many?", "value": 3}],
        "attachments": [],
        **extra,
    }


def _raw(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def _with_value(text: str) -> bytes:
    return _raw(_doc()).replace(b'"value": 3', b'"value": ' + text.encode())


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[" * 200_000 + b"]" * 200_000, f"nested deeper than {MAX_NESTING} levels"),
        (_with_value("[" * 40 + "]" * 40), f"nested deeper than {MAX_NESTING} levels"),
        (_with_value("9" * 400), "answers[0].value: a number of 400 digits is out of range"),
        (_with_value("-" + "9" * 5_000), "a number of 5000 digits is out of range"),
        (_with_value("1e400"), "answers[0].value: not a valid number value"),
        (
            _raw(_doc()).replace(b'"version": 1', b'"version": 1' + b"0" * 4_400),
            "questionnaire.version: a number of 4401 digits is out of range",
        ),
        (_raw(_doc()).replace(b"How many?", b"\\udc00"), "lone UTF-16 surrogate"),
        (_raw(_doc()).replace(b'"prompt"', b'"\\ud800"'), "lone UTF-16 surrogate"),
        (_with_value("NaN"), "NaN is not valid JSON"),
        (  # kept as text, yet never taken for a text answer
            _raw(_doc())
            .replace(b'"type": "number"', b'"type": "text"')
            .replace(b'"value": 3', b'"value": ' + b"5" * 70),
            "answers[0].value: a number of 70 digits is out of range",
        ),
    ],
)
def test_hostile_json_is_a_format_error_naming_the_problem(raw: bytes, reason: str) -> None:
    with pytest.raises(SubmissionFormatError) as caught:
        parse_submission(raw)
    assert reason in str(caught.value)


def test_depth_limit_leaves_room_for_informational_keys() -> None:
    nested = "[" * (MAX_NESTING - 3) + "]" * (MAX_NESTING - 3)  # object, answers, answer: 3 more
    raw = _raw(_doc()).replace(b'"prompt"', f'"display": {nested}, "prompt"'.encode())
    assert parse_submission(raw).answers[0].extra["display"]


def test_a_long_integer_in_an_informational_key_is_kept_as_text() -> None:
    raw = _raw(_doc()).replace(b'"prompt"', b'"display": ' + b"1" * 5_000 + b', "prompt"')
    extra = parse_submission(raw).answers[0].extra["display"]
    assert extra == "1" * 5_000
    assert json.dumps(extra)  # still serialisable (it is a str)


def test_an_integer_answer_of_sixty_digits_is_finite_and_kept() -> None:
    """math.isfinite(int) overflows past ~309 digits; ints are finite by nature."""
    assert parse_submission(_with_value("9" * 60)).answers[0].value == int("9" * 60)


def test_ack_secret_is_optional_validated_and_round_tripped() -> None:
    assert parse_submission(_raw(_doc())).ack_secret is None
    secret = "ab" * 32
    sub = parse_submission(_raw(_doc(ack_secret=secret)))
    assert sub.ack_secret == secret
    assert sub.to_json()["ack_secret"] == secret
    assert parse_submission(sub.to_bytes()) == sub
    for bad in ("AB" * 32, "ab" * 31, 7):
        with pytest.raises(SubmissionFormatError, match="ack_secret"):
            parse_submission(_raw(_doc(ack_secret=bad)))
    with pytest.raises(SubmissionFormatError, match="unknown key"):
        parse_submission(_raw(_doc(other="x")))


@pytest.mark.parametrize("reserved", ["uwazi", "Uwazi", "index", "receipt", "manifest"])
def test_ids_the_output_folder_uses_are_reserved(reserved: str) -> None:
    doc = sample()
    doc["submission_id"] = reserved
    with pytest.raises(SubmissionFormatError, match="uses for itself"):
        parse_submission(doc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["answers"].extend(d["answers"][:1] * 1000), "more than the 1,000 allowed"),
        (lambda d: d["answers"][0].update(prompt="p" * 10_001), "prompt: 10,001 characters"),
        (lambda d: d["answers"][1].update(value="w" * 1_000_001), "a text of 1,000,001"),
        (lambda d: d["answers"][0].update(labels=["x"] * 257), "labels: 257 items"),
    ],
)
def test_what_one_submission_may_bring_is_bounded(change: Any, message: str) -> None:
    doc = sample()
    change(doc)
    with pytest.raises(SubmissionFormatError, match=message):
        parse_submission(json.dumps(doc).encode())


def _recipient() -> str:
    from crypto import HybridIdentity

    return str(HybridIdentity(bytes(32)).recipient())


def test_followup_fields_round_trip() -> None:
    followup = {"recipient": _recipient(), "mailbox_tag": "ab" * 32, "case_link": "cd" * 16}
    original = parse_submission({**sample(), "followup": followup})
    assert original.followup is not None
    assert original.case_link == "cd" * 16
    assert parse_submission(original.to_bytes()) == original
    addition = parse_submission({**sample(), "followup_of": "cd" * 16})
    assert addition.followup is None
    assert addition.case_link == "cd" * 16
    assert parse_submission(addition.to_bytes()).followup_of == "cd" * 16


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"followup": {"recipient": "age1abc", "mailbox_tag": "ab" * 32, "case_link": "cd" * 16}},
         "followup.recipient"),
        ({"followup": {"mailbox_tag": "ab" * 32, "case_link": "cd" * 16}}, "followup"),
        ({"followup_of": "CD" * 16}, "followup_of"),
        ({"followup_of": "cd" * 16, "followup": {
            "recipient": "x", "mailbox_tag": "ab" * 32, "case_link": "cd" * 16}}, "followup"),
    ],
)  # fmt: skip
def test_bad_followup_fields_are_named(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(SubmissionFormatError, match=field):
        parse_submission({**sample(), **extra})
