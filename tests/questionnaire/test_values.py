"""One value shape per question type: whatever the engine accepts seals, opens and parses back.

The engine, the repair step and the submission validator all read ``intake.questionnaire.values``;
these tests hold them to it end to end — through real sealing (``build_submission`` + ``seal`` to
a real age recipient), ``crypto.decrypt`` and ``parse_submission`` — for every question type,
typed and shared locations, dates of every precision, numbers and media included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crypto
from intake.channel import AttachmentRef, Event, Location, Media, Press, Text
from intake.engine import DraftState, Step, apply, start
from intake.engine import tokens as tk
from intake.engine.repair import problems, value_fits
from intake.questionnaire import Question, Questionnaire, loads, values
from intake.submission.document import SubmissionFormatError, parse_submission
from intake.submission.seal import build_submission, seal

TODAY = dt.date(2026, 11, 25)
STAFF = crypto.generate_identity(post_quantum=False)  # classic: fast, and stock age opens it
META = {
    "submission_id": "01TESTVALUES0001",
    "receipt": "K7QX-29MD",
    "submitted_at": "2026-11-25T14:03:07Z",
}

EVERY_TYPE = loads(
    """
id = "every-type"
version = 1
languages = ["en"]
default_language = "en"

[consent]
text.en = "Sealed for staff only."
accept.en = "I agree"
decline.en = "Not now"

[[questions]]
id = "line"
type = "text"
max_length = 80
prompt.en = "A line?"

[[questions]]
id = "story"
type = "long_text"
prompt.en = "What happened?"

[[questions]]
id = "kind"
type = "choice"
prompt.en = "Where?"
options = [{ id = "street", label.en = "Street" }, { id = "home", label.en = "Home" }]

[[questions]]
id = "treatment"
type = "multi_choice"
prompt.en = "What was done?"
options = [
  { id = "beaten", label.en = "Beaten" },
  { id = "threatened", label.en = "Threatened" },
  { id = "none", label.en = "None" },
]

[[questions]]
id = "detained"
type = "yes_no"
prompt.en = "Detained?"

[[questions]]
id = "when"
type = "date"
prompt.en = "When?"

[[questions]]
id = "days"
type = "number"
min = -5
max = 1000
prompt.en = "How many days?"

[[questions]]
id = "where"
type = "location"
prompt.en = "Where did it happen?"

[[questions]]
id = "held"
type = "location"
max_length = 40
prompt.en = "Where were you held?"

[[questions]]
id = "photos"
type = "media"
max_files = 3
prompt.en = "Photos?"
""",
    "every-type.toml",
)


# --- driving the engine ------------------------------------------------------------------------


def _content(n: int) -> bytes:
    return f"attachment {n} ".encode() * (n + 1)


def _ref(n: int) -> AttachmentRef:
    data = _content(n)
    sha256 = hashlib.sha256(data).hexdigest()
    return AttachmentRef(f"att{n}", f"фото {n}.jpg", "image/jpeg", len(data), sha256)


def _read(attachment_id: str) -> Iterator[bytes]:
    yield _content(int(attachment_id.removeprefix("att")))


def _apply(q: Questionnaire, step: Step, event: Event) -> Step:
    after = apply(q, step.state, event, today=TODAY)
    assert problems(q, after.state) == [], (event, problems(q, after.state))
    if after.outcome == "rejected":
        assert after.state == step.state
    return after


def _press(q: Questionnaire, step: Step, action: str, arg: str | int = "") -> Step:
    return _apply(q, step, Press(tk.make(step.state.rev, action, arg)))


def _at_first_question(q: Questionnaire) -> Step:
    step = start(q, None)  # one language: the draft starts at the consent
    return _press(q, step, tk.ACCEPT)


DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
DATE_TEXTS = st.one_of(
    DATES.map(lambda d: d.isoformat()),
    DATES.map(lambda d: d.strftime("%d.%m.%Y")),
    DATES.map(lambda d: f"{d.day} {d.strftime('%B')} {d.year}"),
    DATES.map(lambda d: d.strftime("%m.%Y")),  # month and year
    DATES.map(lambda d: str(d.year)),  # a year
    DATES.map(lambda d: d.strftime("%d/%m/%Y")),  # maybe ambiguous: the engine asks which
    st.text(max_size=20),
)
NUMBER_TEXTS = st.one_of(
    st.integers(-10, 2000).map(str),
    st.decimals(-10, 2000, places=2).map(lambda d: str(d).replace(".", ",")),
    st.floats(-10, 2000, allow_nan=False).map(str),
    st.text(max_size=12),
)
ANY_TEXT = st.text(max_size=120)  # hypothesis includes controls, bidi marks, blanks, surrogates


def _events_for(question: Question, step: Step) -> st.SearchStrategy[list[Event]]:
    """What a witness might do at ``question`` (some of it refused by the engine)."""
    rev = step.state.rev
    kind = question.type
    if kind in ("text", "long_text"):
        return st.lists(ANY_TEXT.map(Text), min_size=1, max_size=1)
    if kind == "location":
        shared = st.builds(Location, st.floats(-95, 95), st.floats(-185, 185))
        return st.lists(st.one_of(shared, ANY_TEXT.map(Text)), min_size=1, max_size=1)
    if kind == "date":
        return st.lists(DATE_TEXTS.map(Text), min_size=1, max_size=1)
    if kind == "number":
        return st.lists(NUMBER_TEXTS.map(Text), min_size=1, max_size=1)
    if kind == "yes_no":
        return st.sampled_from([tk.YES, tk.NO]).map(lambda a: [Press(tk.make(rev, a))])
    if kind == "choice":
        return st.integers(0, len(question.options) - 1).map(
            lambda i: [Press(tk.make(rev, tk.OPTION, i))]
        )
    if kind == "multi_choice":
        return st.sets(st.integers(0, len(question.options) - 1), min_size=1).map(
            lambda chosen: [
                *(Press(tk.make(rev + n, tk.OPTION, i)) for n, i in enumerate(sorted(chosen))),
                Press(tk.make(rev + len(chosen), tk.DONE)),
            ]
        )
    return st.integers(1, 3).map(  # media: files, then Done
        lambda count: [
            *(Media(_ref(rev * 10 + n)) for n in range(count)),
            Press(tk.make(rev + count, tk.DONE)),
        ]
    )


def _answer_all(q: Questionnaire, data: st.DataObject) -> Step:
    """Answer every question with drawn input; whatever the engine refuses is skipped."""
    step = _at_first_question(q)
    while step.state.stage == "question":
        question = q.question(step.state.cursor or "")
        before = step
        if data.draw(st.integers(0, 9), label="skip?") == 0:
            step = _press(q, step, tk.SKIP)
            continue
        for event in data.draw(_events_for(question, step), label=question.id):
            step = _apply(q, step, event)
        if step.state.date_choices:  # "03/04/2020": the witness picks one of the two readings
            pick = data.draw(st.integers(0, 1), label="reading")
            step = _press(q, step, tk.DATE, pick)
        if step.state.cursor == question.id and step.state.stage == "question":
            step = _press(q, before, tk.SKIP)  # refused: the witness skips instead
    assert step.state.stage == "review"
    return step


def _submit(q: Questionnaire, step: Step) -> DraftState:
    done = _press(q, step, tk.SUBMIT)
    assert done.outcome == "submit", done.prompt.notice
    return done.state


# --- sealing and opening -----------------------------------------------------------------------


def _seal_and_open(q: Questionnaire, state: DraftState) -> tuple[bytes, dict[str, bytes]]:
    """Seal ``state`` as the server does; open it as staff do: (submission.json, attachments)."""
    document, members = build_submission(q, state, META, _read)
    sealed = io.BytesIO()
    seal(sealed, [STAFF.recipient()], document, members, mtime=1_764_079_387)
    sealed.seek(0)
    plaintext = crypto.decrypt(sealed, [STAFF]).read()
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(plaintext), mode="r:") as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member)
            assert extracted is not None
            files[member.name] = extracted.read()
    opened = files.pop("submission.json")
    assert opened == document
    return opened, files


def _check_round_trip(q: Questionnaire, state: DraftState) -> None:
    opened, files = _seal_and_open(q, state)
    submission = parse_submission(opened)
    by_id = {a.question_id: a for a in submission.answers}
    assert list(by_id) == [qid for qid in state.answers]  # every question asked, in order
    paths = {att.path: att for att in submission.attachments}
    for qid, value in state.answers.items():
        answer = by_id[qid]
        question = q.question(qid)
        assert answer.type == question.type
        assert answer.skipped == (value is None)
        if value is None:
            assert answer.value is None
        elif question.type == "media":
            assert isinstance(value, list)
            assert len(answer.value) == len(value)
            for path, attachment_id in zip(answer.value, value, strict=True):
                assert files[path] == _content(int(attachment_id.removeprefix("att")))
                assert paths[path].sha256 == hashlib.sha256(files[path]).hexdigest()
        else:
            assert answer.value == value  # the very value the witness gave, shape and all
            assert values.has_shape(question.type, answer.value)
            assert values.fits(question, answer.value)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_state_the_engine_accepts_seals_opens_and_parses(data: st.DataObject) -> None:
    step = _answer_all(EVERY_TYPE, data)
    _check_round_trip(EVERY_TYPE, _submit(EVERY_TYPE, step))


# --- one of each, named, so a regression says which shape broke ------------------------------

EXAMPLES: list[tuple[str, Event, object]] = [
    ("line", Text("  Okrestina \x07prison "), "Okrestina prison"),
    ("story", Text("They came at night.\r\nWe were taken."), "They came at night.\nWe were taken."),
    ("when", Text("10.08.2020"), "2020-08-10"),
    ("when", Text("August 2020"), "2020-08"),
    ("when", Text("2020"), "2020"),
    ("days", Text("2,5"), 2.5),
    ("days", Text("-3"), -3),
    ("days", Text("1 000"), 1000),
    ("where", Location(53.9, 27.56), {"latitude": 53.9, "longitude": 27.56}),
    ("where", Text("Akrestsina street 36, Minsk"), {"text": "Akrestsina street 36, Minsk"}),
    ("held", Text("вул. Акрэсціна, 36"), {"text": "вул. Акрэсціна, 36"}),
]


@pytest.mark.parametrize(("question_id", "event", "expected"), EXAMPLES)
def test_each_shape_seals_and_parses(question_id: str, event: Event, expected: object) -> None:
    q = EVERY_TYPE
    step = _at_first_question(q)
    while step.state.cursor != question_id:
        step = _press(q, step, tk.SKIP)
    step = _apply(q, step, event)
    assert step.outcome == "continue", step.prompt.notice
    while step.state.stage == "question":
        step = _press(q, step, tk.SKIP)
    state = _submit(q, step)
    assert state.answers[question_id] == expected
    _check_round_trip(q, state)


def test_media_and_choices_seal_with_their_files_and_labels() -> None:
    q = EVERY_TYPE
    step = _at_first_question(q)
    while step.state.cursor != "kind":
        step = _press(q, step, tk.SKIP)
    step = _press(q, step, tk.OPTION, 1)  # choice: home
    step = _press(q, step, tk.OPTION, 0)  # multi_choice: beaten …
    step = _press(q, step, tk.OPTION, 1)  # … and threatened
    step = _press(q, step, tk.DONE)
    step = _press(q, step, tk.YES)
    while step.state.cursor != "photos":
        step = _press(q, step, tk.SKIP)
    step = _apply(q, step, Media(_ref(1)))
    step = _apply(q, step, Media(_ref(2)))
    step = _press(q, step, tk.DONE)
    state = _submit(q, step)
    opened, files = _seal_and_open(q, state)
    doc = json.loads(opened)
    answers = {a["question_id"]: a for a in doc["answers"]}
    assert answers["kind"]["value"] == "home"
    assert answers["treatment"]["labels"] == ["Beaten", "Threatened"]
    assert answers["detained"]["value"] is True
    assert answers["photos"]["value"] == ["attachments/1-foto_1.jpg", "attachments/2-foto_2.jpg"]
    assert files["attachments/2-foto_2.jpg"] == _content(2)


@pytest.mark.parametrize(
    "value",
    [
        {"text": "Minsk"},
        {"latitude": 90, "longitude": -180},
        {"latitude": 53.9, "longitude": 27.56},
    ],
)
def test_the_validator_and_the_repair_step_agree_on_location(value: object) -> None:
    question = EVERY_TYPE.question("where")
    assert values.has_shape("location", value)
    assert value_fits(question, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        {"text": 5},
        {"text": "x", "latitude": 1.0},
        {"latitude": 91.0, "longitude": 0.0},
        {"latitude": True, "longitude": 0.0},
        {"latitude": 1.0},
        "Minsk",
        [53.9, 27.56],
    ],
)
def test_what_no_location_is_refused_by_both(value: object) -> None:
    assert not values.has_shape("location", value)
    assert not value_fits(EVERY_TYPE.question("where"), value)  # type: ignore[arg-type]
    doc = json.loads(_submission_with("location", value))
    with pytest.raises(SubmissionFormatError, match=r"answers\[0\]\.value: not a valid location"):
        parse_submission(doc)


def test_a_hostile_huge_integer_is_a_format_error_not_a_crash() -> None:
    raw = _submission_with("number", 0).replace(b'"value": 0', b'"value": 1' + b"0" * 400)
    with pytest.raises(SubmissionFormatError, match="a number of 401 digits is out of range"):
        parse_submission(raw)


def test_a_typed_place_longer_than_the_question_allows_no_longer_fits() -> None:
    held = EVERY_TYPE.question("held")  # max_length = 40
    assert value_fits(held, values.place("x" * 40))
    assert not value_fits(held, values.place("x" * 41))
    assert not value_fits(held, values.place(""))


def _submission_with(qtype: str, value: object) -> bytes:
    doc = {
        "format": "witness-intake/submission/v1",
        **{k: META[k] for k in ("submission_id", "receipt", "submitted_at")},
        "questionnaire": {"id": "every-type", "version": 1},
        "language": "en",
        "answers": [{"question_id": "q", "type": qtype, "prompt": "?", "value": value}],
        "attachments": [],
    }
    return json.dumps(doc).encode()


def test_an_integer_too_long_for_python_is_a_format_error_not_a_crash() -> None:
    raw = _submission_with("number", 0).replace(b'"value": 0', b'"value": 1' + b"0" * 5000)
    with pytest.raises(SubmissionFormatError, match="a number of 5001 digits is out of range"):
        parse_submission(raw)
