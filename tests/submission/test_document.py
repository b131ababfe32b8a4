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
