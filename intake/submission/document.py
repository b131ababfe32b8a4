"""Submission format v1: the ``submission.json`` sealed inside every ``<submission-id>.age``.

The server writes it (``intake.submission.seal``), the offline side reads it
(``intake.offline``). Parsing is strict because the offline side treats everything inside a sealed
file as untrusted: an unknown top-level key, a wrong type or an unknown format version is an error
that names the field. Answers may carry extra informational keys (for instance ``display``); those
are kept and round-tripped. Decoding is bounded (:data:`MAX_SUBMISSION_JSON` bytes, and
:mod:`~intake.submission.strictjson`: nesting, integer length, valid text), so a hostile file fails
with a :class:`SubmissionFormatError` naming the problem, never an error from deep inside ``json``.
The format is documented with a full example in ``docs/submission-format.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from intake.questionnaire import QUESTION_TYPES, values
from intake.submission import strictjson
from intake.submission.ids import ACK_SECRET_RE
from intake.submission.names import MIME_RE
from intake.submission.names import safe_name as safe_name  # re-exported: part of this API

FORMAT_V1 = "witness-intake/submission/v1"
_FORMAT_PREFIX = "witness-intake/submission/"

MAX_SUBMISSION_JSON = 16 * 1024 * 1024  # far above any real testimony; bounds a hostile file
# What one submission may bring (docs/submission-format.md, "Limits"). Each is several times what
# a questionnaire allows (200 questions, 30 options, 20 files a question, prompts of 3,000
# characters); without them a sealed file of 0.4 MB took a minute of CPU in the indexes.
MAX_ANSWERS = 1000
MAX_LIST_ITEMS = 256  # option ids of a multi_choice answer, files of a media answer, labels…
MAX_OPTION_ID_CHARS = 64
MAX_PROMPT_CHARS = 10_000
MAX_TEXT_CHARS = 1_000_000  # any one string of an answer (the witness's words)
MAX_ATTACHMENTS = 1000
#: Names the output folder uses for itself (compared case-insensitively: a folder named
#: ``UWAZI`` is ``uwazi`` on a case-insensitive disk); a submission cannot take them.
RESERVED_IDS = frozenset({"uwazi", "index", "receipt", "manifest"})

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_RECEIPT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
_QID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
_OPTION_RE = _QID_RE  # an option id becomes a column of the indexes, like a question id
_LANG_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_ATTACHMENT_PATH_RE = re.compile(r"attachments/([1-9][0-9]{0,5})-([A-Za-z0-9][A-Za-z0-9._-]{0,63})")
_EXTRA_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_TAG_RE = re.compile(r"[0-9a-f]{64}")
_CASE_LINK_RE = re.compile(r"[0-9a-f]{32}")
_PQ_RECIPIENT_RE = re.compile(r"age1pq1[02-9ac-hj-np-z]{1,4000}")
_FOLLOWUP_KEYS = ("recipient", "mailbox_tag", "case_link")

_TOP_KEYS = (
    "format",
    "submission_id",
    "receipt",
    "questionnaire",
    "language",
    "submitted_at",
    "answers",
    "attachments",
)
# Added to v1 later: readers accept their absence (an older reader refuses them: upgrade the
# offline laptop first). ``followup``: the witness can come back with a code; ``followup_of``:
# this is an addition made with such a code (docs/submission-format.md, "Follow-up").
_OPTIONAL_TOP_KEYS = ("ack_secret", "followup", "followup_of")
_ANSWER_KEYS = frozenset({"question_id", "type", "prompt", "value", "skipped"})
_ATTACHMENT_KEYS = ("path", "filename", "mime", "size", "sha256", "question_id")
# Chain of custody, added to v1 (optional: submissions sealed before them still open).
_ATTACHMENT_OPTIONAL = ("received_at", "received_as", "caption")
_RECEIVED_AS_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")


class SubmissionFormatError(ValueError):
    """``submission.json`` is not a valid v1 submission; the message names the field."""


@dataclass(frozen=True, slots=True)
class QuestionnaireRef:
    """Which questionnaire (and which version of it) the witness answered."""

    id: str
    version: int


@dataclass(frozen=True, slots=True)
class Answer:
    """One question as asked. ``value`` is ``None`` when ``skipped``; see the docs for its shape."""

    question_id: str
    type: str
    prompt: str
    value: Any
    skipped: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One file inside the tar at ``path``; ``filename`` is the witness's original (untrusted).

    ``sha256`` was taken by the server as the file arrived, at ``received_at`` (server clock, UTC),
    ``received_as`` says how (``photo``: recompressed by Telegram, ``document``: the original
    file…); both are ``None`` in submissions sealed before the server recorded them.
    """

    path: str
    filename: str
    mime: str
    size: int
    sha256: str
    question_id: str
    received_at: datetime | None = None
    received_as: str | None = None
    caption: str | None = None  # the witness's words sent with the file (optional, additive)


@dataclass(frozen=True, slots=True)
class Followup:
    """What staff need to answer a witness who asked for a follow-up code (all public parts of
    keys derived from the code; the code itself is nowhere): the witness's post-quantum age
    ``recipient`` (replies are sealed to it), the ``mailbox_tag`` the server files replies under
    and the ``case_link`` additions carry (hex)."""

    recipient: str
    mailbox_tag: str
    case_link: str


@dataclass(frozen=True, slots=True)
class Submission:
    """A whole v1 submission. Build with :func:`parse_submission` to get validation."""

    submission_id: str
    receipt: str
    questionnaire: QuestionnaireRef
    language: str
    submitted_at: datetime
    answers: tuple[Answer, ...]
    attachments: tuple[Attachment, ...]
    ack_secret: str | None = None  # proof of decryption for ``intake ack``; absent before 2026-12
    followup: Followup | None = None  # the witness can come back with a follow-up code
    followup_of: str | None = None  # an addition: the case link of the testimony it adds to

    @property
    def case_link(self) -> str | None:
        """The case this submission belongs to (its own, or the one it adds to), if any."""
        return self.followup.case_link if self.followup is not None else self.followup_of

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this submission (keys in the documented order)."""
        body: dict[str, Any] = {
            "format": FORMAT_V1,
            "submission_id": self.submission_id,
            "receipt": self.receipt,
            "questionnaire": {"id": self.questionnaire.id, "version": self.questionnaire.version},
            "language": self.language,
            "submitted_at": format_timestamp(self.submitted_at),
            "answers": [_answer_json(a) for a in self.answers],
            "attachments": [_attachment_json(att) for att in self.attachments],
        }
        if self.ack_secret is not None:
            body["ack_secret"] = self.ack_secret
        if self.followup is not None:
            body["followup"] = {k: getattr(self.followup, k) for k in _FOLLOWUP_KEYS}
        if self.followup_of is not None:
            body["followup_of"] = self.followup_of
        return body

    def to_bytes(self) -> bytes:
        """UTF-8 JSON as written into the tar (indented, non-ASCII kept readable)."""
        return (json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _attachment_json(att: Attachment) -> dict[str, Any]:
    out: dict[str, Any] = {k: getattr(att, k) for k in _ATTACHMENT_KEYS}
    if att.received_at is not None:
        out["received_at"] = format_timestamp(att.received_at)
    if att.received_as is not None:
        out["received_as"] = att.received_as
    if att.caption is not None:
        out["caption"] = att.caption
    return out


def _answer_json(answer: Answer) -> dict[str, Any]:
    out: dict[str, Any] = {
        "question_id": answer.question_id,
        "type": answer.type,
        "prompt": answer.prompt,
        "value": answer.value,
    }
    if answer.skipped:
        out["skipped"] = True
    out.update(answer.extra)
    return out


def format_timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with a ``Z`` suffix, e.g. ``2026-11-25T14:03:07Z``."""
    if moment.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def attachment_path(n: int, filename: str) -> str:
    """The tar path of the ``n``-th attachment (1-based): ``attachments/<n>-<safe-name>``."""
    if n < 1:
        raise ValueError("attachment numbers start at 1")
    return f"attachments/{n}-{safe_name(filename)}"


def is_attachment_path(path: str) -> bool:
    """Whether ``path`` has the shape of an attachment tar path (it cannot leave its folder)."""
    return _ATTACHMENT_PATH_RE.fullmatch(path) is not None


def parse_submission(data: bytes | Mapping[str, Any]) -> Submission:
    """Validate ``submission.json`` (raw bytes or an already decoded object) strictly.

    Raises :class:`SubmissionFormatError` naming the field, or the version for a future format.
    """
    obj = _decode(data) if isinstance(data, bytes | bytearray) else data
    if not isinstance(obj, Mapping):
        raise SubmissionFormatError("submission.json: expected a JSON object")
    fmt = obj.get("format")
    if not isinstance(fmt, str):
        raise SubmissionFormatError("format: missing; this is not a witness-intake submission")
    if fmt != FORMAT_V1:
        if fmt.startswith(_FORMAT_PREFIX):
            raise SubmissionFormatError(
                f"format: unsupported submission format version {fmt!r}; this tool reads "
                f"{FORMAT_V1!r} only (upgrade witness-intake)"
            )
        raise SubmissionFormatError(f"format: {fmt!r} is not a witness-intake submission")
    _check_keys(obj, set(_TOP_KEYS), {*_TOP_KEYS, *_OPTIONAL_TOP_KEYS}, "submission")
    submission_id = _submission_id(obj)
    answers = tuple(
        _parse_answer(a, f"answers[{i}]") for i, a in enumerate(_list(obj, "answers", MAX_ANSWERS))
    )
    attachments = tuple(
        _parse_attachment(a, f"attachments[{i}]", i + 1)
        for i, a in enumerate(_list(obj, "attachments", MAX_ATTACHMENTS))
    )
    _cross_check(answers, attachments)
    return Submission(
        submission_id=submission_id,
        receipt=_match(obj, "receipt", _RECEIPT_RE, "receipt"),
        questionnaire=_parse_questionnaire(obj["questionnaire"]),
        language=_match(obj, "language", _LANG_RE, "language"),
        submitted_at=_parse_timestamp(obj["submitted_at"]),
        answers=answers,
        attachments=attachments,
        ack_secret=_ack_secret(obj),
        followup=_followup(obj),
        followup_of=_followup_of(obj),
    )


def _submission_id(obj: Mapping[str, Any]) -> str:
    value = _match(obj, "submission_id", _ID_RE, "submission_id")
    if value.lower() in RESERVED_IDS:
        raise SubmissionFormatError(
            f"submission_id: {value!r} is a name the output folder uses for itself (reserved); "
            "the server never issues it"
        )
    return value


def _followup(obj: Mapping[str, Any]) -> Followup | None:
    if "followup" not in obj:
        return None
    value = obj["followup"]
    if not isinstance(value, Mapping):
        raise SubmissionFormatError("followup: expected an object")
    _check_keys(value, set(_FOLLOWUP_KEYS), set(_FOLLOWUP_KEYS), "followup")
    if "followup_of" in obj:
        raise SubmissionFormatError(
            "followup: an addition (followup_of) has no follow-up of its own"
        )
    checks = (
        ("recipient", _PQ_RECIPIENT_RE),
        ("mailbox_tag", _TAG_RE),
        ("case_link", _CASE_LINK_RE),
    )
    found = {key: _match(value, key, rx, f"followup.{key}") for key, rx in checks}
    return Followup(**found)


def _followup_of(obj: Mapping[str, Any]) -> str | None:
    if "followup_of" not in obj:
        return None
    return _match(obj, "followup_of", _CASE_LINK_RE, "followup_of")


def _ack_secret(obj: Mapping[str, Any]) -> str | None:
    if "ack_secret" not in obj:
        return None
    return _match(obj, "ack_secret", ACK_SECRET_RE, "ack_secret")


def _decode(data: bytes | bytearray) -> Any:
    if len(data) > MAX_SUBMISSION_JSON:
        raise SubmissionFormatError(f"submission.json: larger than {MAX_SUBMISSION_JSON} bytes")
    # Counted before decoding (each answer and attachment has one; a key written with escapes is
    # missed here and caught after decoding): 150,000 answers took 1.5 s to decode, to be refused.
    ids = bytes(data).count(b'"question_id"')
    if ids > MAX_ANSWERS + MAX_ATTACHMENTS:
        raise SubmissionFormatError(
            f"answers: {ids:,} question ids, more than the {MAX_ANSWERS:,} answers and "
            f"{MAX_ATTACHMENTS:,} attachments allowed"
        )
    try:
        return strictjson.loads(data)
    except strictjson.StrictJSONError as exc:
        raise SubmissionFormatError(f"submission.json: {exc}") from None


def _check_keys(
    obj: Mapping[str, Any], required: set[str], allowed: frozenset[str] | set[str], where: str
) -> None:
    missing = sorted(required - obj.keys())
    if missing:
        raise SubmissionFormatError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(k for k in obj if k not in allowed)
    if unknown:
        raise SubmissionFormatError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")


def _list(obj: Mapping[str, Any], key: str, most: int) -> list[Any]:
    value = obj[key]
    if not isinstance(value, list):
        raise SubmissionFormatError(f"{key}: expected a list")
    if len(value) > most:
        raise SubmissionFormatError(f"{key}: {len(value):,} items, more than the {most:,} allowed")
    return value


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj[key]
    if not isinstance(value, str) or isinstance(value, strictjson.LongNumber):
        raise SubmissionFormatError(f"{where}: expected a string")
    return value


def _match(obj: Mapping[str, Any], key: str, pattern: re.Pattern[str], where: str) -> str:
    value = _str(obj, key, where)
    if not pattern.fullmatch(value):
        raise SubmissionFormatError(f"{where}: {value[:80]!r} is not a valid {key}")
    return value


def _int(value: Any, where: str, minimum: int) -> int:
    if isinstance(value, strictjson.LongNumber):
        raise SubmissionFormatError(f"{where}: a number of {value.digits} digits is out of range")
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SubmissionFormatError(f"{where}: expected an integer ≥ {minimum}")
    return value


def _parse_questionnaire(value: Any) -> QuestionnaireRef:
    if not isinstance(value, Mapping):
        raise SubmissionFormatError("questionnaire: expected an object with id and version")
    _check_keys(value, {"id", "version"}, {"id", "version"}, "questionnaire")
    return QuestionnaireRef(
        id=_match(value, "id", _QID_RE, "questionnaire.id"),
        version=_int(value["version"], "questionnaire.version", 1),
    )


def _parse_timestamp(value: Any, where: str = "submitted_at") -> datetime:
    if not isinstance(value, str):
        raise SubmissionFormatError(f"{where}: expected a UTC ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SubmissionFormatError(f"{where}: {value[:40]!r} is not ISO 8601") from None
    if moment.utcoffset() is None or moment.utcoffset() != UTC.utcoffset(None):
        raise SubmissionFormatError(f"{where}: {value[:40]!r} is not in UTC")
    return moment.astimezone(UTC)


def _parse_answer(value: Any, where: str) -> Answer:
    if not isinstance(value, Mapping):
        raise SubmissionFormatError(f"{where}: expected an object")
    required = {"question_id", "type", "prompt", "value"}
    extra_keys = [k for k in value if k not in _ANSWER_KEYS]
    _check_keys(value, required, _ANSWER_KEYS | set(extra_keys), where)
    for key in extra_keys:
        if not _EXTRA_KEY_RE.fullmatch(key):
            raise SubmissionFormatError(f"{where}: invalid key {key[:40]!r}")
    qtype = _str(value, "type", f"{where}.type")
    if qtype not in QUESTION_TYPES:
        raise SubmissionFormatError(f"{where}.type: unknown question type {qtype[:40]!r}")
    skipped = value.get("skipped", False)
    if not isinstance(skipped, bool):
        raise SubmissionFormatError(f"{where}.skipped: expected true or false")
    answer_value = value["value"]
    if skipped:
        if answer_value is not None:
            raise SubmissionFormatError(f"{where}.value: must be null for a skipped question")
    else:
        _check_value(qtype, answer_value, f"{where}.value")
    _check_sizes(value, where)
    for key in values.DETAIL_CHECKS.keys() & set(extra_keys):  # what the witness wrote
        if not values.DETAIL_CHECKS[key](value[key]):
            raise SubmissionFormatError(f"{where}.{key}: not a valid {key}")
    return Answer(
        question_id=_match(value, "question_id", _QID_RE, f"{where}.question_id"),
        type=qtype,
        prompt=_str(value, "prompt", f"{where}.prompt"),
        value=answer_value,
        skipped=skipped,
        extra={k: value[k] for k in extra_keys},
    )


def _check_value(qtype: str, value: Any, where: str) -> None:
    """Each question type has one JSON shape for its value (:mod:`intake.questionnaire.values`)."""
    digits = _long_number(value)
    if digits:
        raise SubmissionFormatError(
            f"{where}: a number of {digits} digits is out of range "
            f"(at most {strictjson.MAX_INT_DIGITS})"
        )
    if not values.has_shape(qtype, value):
        raise SubmissionFormatError(f"{where}: not a valid {qtype} value")


def _check_sizes(answer: Mapping[str, Any], where: str) -> None:
    """Every list and string of one answer within :data:`MAX_LIST_ITEMS` and the text caps;
    option ids within :data:`MAX_OPTION_ID_CHARS` (each becomes a column of the indexes)."""
    prompt = answer["prompt"]
    if isinstance(prompt, str) and len(prompt) > MAX_PROMPT_CHARS:
        raise SubmissionFormatError(
            f"{where}.prompt: {len(prompt):,} characters, more than the "
            f"{MAX_PROMPT_CHARS:,} allowed"
        )
    for key, item in answer.items():
        items = item if isinstance(item, list) else item.values() if isinstance(item, dict) else ()
        if len(items) > MAX_LIST_ITEMS:
            raise SubmissionFormatError(
                f"{where}.{key}: {len(items):,} items, more than the {MAX_LIST_ITEMS:,} allowed"
            )
        for text in (item, *items):
            if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
                raise SubmissionFormatError(
                    f"{where}.{key}: a text of {len(text):,} characters, more than the "
                    f"{MAX_TEXT_CHARS:,} allowed"
                )
    if answer["type"] in ("choice", "multi_choice") and not answer.get("skipped"):
        ids = answer["value"] if isinstance(answer["value"], list) else [answer["value"]]
        bad = next((oid for oid in ids if not _OPTION_RE.fullmatch(oid)), None)
        if bad is not None:
            raise SubmissionFormatError(
                f"{where}.value: {bad[:80]!r} is not a valid option id (letters, digits, _ . -; "
                f"at most {MAX_OPTION_ID_CHARS} characters)"
            )


def _long_number(value: Any) -> int:
    """Digits of a too-long integer in a value or one level inside it (0: none). A LongNumber
    is a ``str``; without this a shape check for text would take it for one."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in (value, *items):
        if isinstance(item, strictjson.LongNumber):
            return item.digits
    return 0


def _parse_attachment(value: Any, where: str, n: int) -> Attachment:
    if not isinstance(value, Mapping):
        raise SubmissionFormatError(f"{where}: expected an object")
    _check_keys(value, set(_ATTACHMENT_KEYS), {*_ATTACHMENT_KEYS, *_ATTACHMENT_OPTIONAL}, where)
    path = _match(value, "path", _ATTACHMENT_PATH_RE, f"{where}.path")
    number = _ATTACHMENT_PATH_RE.fullmatch(path)
    if number is None or int(number.group(1)) != n:
        raise SubmissionFormatError(f"{where}.path: expected attachments/{n}-<name>, got {path!r}")
    return Attachment(
        path=path,
        filename=_str(value, "filename", f"{where}.filename"),
        mime=_match(value, "mime", MIME_RE, f"{where}.mime"),
        size=_int(value["size"], f"{where}.size", 0),
        sha256=_match(value, "sha256", _SHA256_RE, f"{where}.sha256"),
        question_id=_match(value, "question_id", _QID_RE, f"{where}.question_id"),
        received_at=(
            _parse_timestamp(value["received_at"], f"{where}.received_at")
            if "received_at" in value
            else None
        ),
        received_as=(
            _match(value, "received_as", _RECEIVED_AS_RE, f"{where}.received_as")
            if "received_as" in value
            else None
        ),
        caption=_str(value, "caption", f"{where}.caption") if "caption" in value else None,
    )


def _files_of(answer: Answer) -> list[str]:
    """The attachment paths an answer lists: a media answer's value, the files sent with a text
    or long_text answer (its ``files``: voice messages, photos)."""
    if answer.skipped:
        return []
    if answer.type == "media":
        return list(answer.value or [])
    files = answer.extra.get("files") if answer.type in ("text", "long_text") else None
    return list(files) if isinstance(files, list) else []


def _cross_check(answers: tuple[Answer, ...], attachments: tuple[Attachment, ...]) -> None:
    """Question ids are unique; media answers and attachments refer to each other exactly."""
    seen: dict[str, Answer] = {}
    for i, answer in enumerate(answers):
        if answer.question_id in seen:
            raise SubmissionFormatError(
                f"answers[{i}].question_id: {answer.question_id!r} answered twice"
            )
        seen[answer.question_id] = answer
    by_path = {att.path: att for att in attachments}
    for i, att in enumerate(attachments):
        owner = seen.get(att.question_id)
        if owner is None or att.path not in _files_of(owner):
            raise SubmissionFormatError(
                f"attachments[{i}]: not listed by a media answer (or a text answer's files) "
                f"to {att.question_id!r}"
            )
    listed: set[str] = set()
    for i, answer in enumerate(answers):
        if not answer.skipped:
            for path in _files_of(answer):
                if path in listed:
                    raise SubmissionFormatError(f"answers[{i}].value: {path[:80]!r} listed twice")
                listed.add(path)
                if path not in by_path:
                    raise SubmissionFormatError(
                        f"answers[{i}].value: {path[:80]!r} is not in attachments"
                    )
