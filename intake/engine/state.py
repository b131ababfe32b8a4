"""The draft state of one witness's conversation, and its JSON form.

The state is immutable: every transition builds a new one, so a rejected input provably leaves the
state as it was. ``rev`` grows by one on every accepted transition and is embedded in every button
token, which is how stale and forged presses are told apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, cast, get_args

from intake.channel import AttachmentRef, Outcome, Prompt, Stage
from intake.questionnaire import AnswerValue, values

FORMAT = "witness-intake/draft/v1"
_CUSTODY_KEYS = ("received_at", "received_as")  # optional keys of a file entry

#: What the witness said next to an answer's value, kept for the submission (see
#: docs/submission-format.md, "What the witness wrote"): ``written`` (the text as typed, for numbers
#: and dates), ``approximate`` (true), ``range`` ([low, high]) and ``files`` (attachment ids of the
#: voice messages of a long_text answer).
Detail: TypeAlias = str | bool | list[float] | list[str]
Details: TypeAlias = Mapping[str, Detail]
#: Confirmations the engine asks for before it throws anything away.
Confirm = Literal["cancel", "skip"]
#: What a held message (typed while its place was unclear) may become.
HeldMode = Literal["join", "join_only", "long"]


class DraftFormatError(ValueError):
    """A stored draft does not have the shape of :data:`FORMAT`; the message names the field."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A file received for a media question (kept even when later unused, so ids stay unique)."""

    question_id: str
    ref: AttachmentRef


@dataclass(frozen=True, slots=True)
class DraftState:
    """Where one conversation stands.

    ``answers`` maps question id → value (``None`` = skipped), kept in questionnaire order and only
    for questions that currently apply. ``cursor`` is the question being asked (stage
    ``question``). ``selection``/``uploads``/``date_choices`` hold unfinished input on that question
    (multi_choice toggles, files before Done, the two readings of an ambiguous date). ``editing``
    means the question was opened from the review and the review comes next. ``return_stage`` is
    where to go back after the witness changed language mid-way.

    ``details`` keeps, per answered question, what the witness said next to the value (see
    :data:`Detail`). ``confirm`` is a question the engine asked before throwing anything away
    (cancel; skip with files or choices pending); ``picking`` is the page of the review's list of
    answers to change (0: not choosing). ``held`` is a message whose place was unclear — more of the
    previous answer (``last_typed``, typed at ``last_at``), or this question's answer — until the
    witness says (``held_mode``). ``date_partial`` is a day and month (``MM-DD``) waiting for its
    year, ``written`` the text the date or number being settled was read from.
    """

    questionnaire_id: str
    questionnaire_version: int
    rev: int = 0
    stage: Stage = "language"
    language: str | None = None
    hint: str | None = None
    cursor: str | None = None
    answers: Mapping[str, AnswerValue] = field(default_factory=dict)
    selection: tuple[str, ...] = ()
    uploads: tuple[str, ...] = ()
    date_choices: tuple[str, ...] = ()
    editing: bool = False
    return_stage: Stage | None = None
    files: Mapping[str, FileEntry] = field(default_factory=dict)
    details: Mapping[str, Details] = field(default_factory=dict)
    confirm: Confirm | None = None
    picking: int = 0
    held: str | None = None
    held_mode: HeldMode | None = None
    last_typed: str | None = None
    last_at: float | None = None
    date_partial: str | None = None
    written: str | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-safe dict (versioned by ``format``)."""
        return {
            "format": FORMAT,
            "questionnaire": {"id": self.questionnaire_id, "version": self.questionnaire_version},
            "rev": self.rev,
            "stage": self.stage,
            "language": self.language,
            "hint": self.hint,
            "cursor": self.cursor,
            "answers": [[qid, _copy(value)] for qid, value in self.answers.items()],
            "selection": list(self.selection),
            "uploads": list(self.uploads),
            "date_choices": list(self.date_choices),
            "editing": self.editing,
            "return_stage": self.return_stage,
            "files": [_file_json(aid, entry) for aid, entry in self.files.items()],
            "details": [[qid, _copy_details(d)] for qid, d in self.details.items()],
            "confirm": self.confirm,
            "picking": self.picking,
            "held": self.held,
            "held_mode": self.held_mode,
            "last_typed": self.last_typed,
            "last_at": self.last_at,
            "date_partial": self.date_partial,
            "written": self.written,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> DraftState:
        """Rebuild a state from :meth:`to_json` output; :class:`DraftFormatError` if malformed."""
        if data.get("format") != FORMAT:
            raise DraftFormatError(f"draft: field 'format' is not {FORMAT!r}")
        q = _get(data, "questionnaire", dict)
        return cls(
            questionnaire_id=_get(q, "id", str),
            questionnaire_version=_get(q, "version", int),
            rev=_get(data, "rev", int),
            stage=_stage(data, "stage"),
            language=_opt(data, "language"),
            hint=_opt(data, "hint"),
            cursor=_opt(data, "cursor"),
            answers={qid: value for qid, value in _answers(data)},
            selection=_strings(data, "selection"),
            uploads=_strings(data, "uploads"),
            date_choices=_strings(data, "date_choices"),
            editing=_get(data, "editing", bool),
            return_stage=None if data.get("return_stage") is None else _stage(data, "return_stage"),
            files=dict(_files(data)),
            # added later: a draft stored before them loads with the defaults
            details=dict(_details(data)),
            confirm=_choice(data, "confirm", get_args(Confirm)),
            picking=_get(data, "picking", int) if "picking" in data else 0,
            held=_opt(data, "held"),
            held_mode=_choice(data, "held_mode", get_args(HeldMode)),
            last_typed=_opt(data, "last_typed"),
            last_at=_time(data, "last_at"),
            date_partial=_opt(data, "date_partial"),
            written=_opt(data, "written"),
        )


@dataclass(frozen=True, slots=True)
class Step:
    """The result of one engine call: the new state, what to show, and what happened."""

    state: DraftState
    prompt: Prompt
    outcome: Outcome = "continue"


def _copy(value: AnswerValue) -> AnswerValue:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return cast(AnswerValue, dict(value))
    return value


def _copy_details(details: Details) -> dict[str, Detail]:
    return {k: list(v) if isinstance(v, list) else v for k, v in details.items()}  # type: ignore[misc]


def _choice(data: Mapping[str, object], key: str, allowed: tuple[str, ...]) -> Any:
    value = data.get(key)
    if value is not None and value not in allowed:
        raise DraftFormatError(f"draft: field '{key}' is not one of {', '.join(allowed)}")
    return value


def _time(data: Mapping[str, object], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DraftFormatError(f"draft: field '{key}' must be a number or null")
    return float(value)


def _details(data: Mapping[str, object]) -> list[tuple[str, Details]]:
    out: list[tuple[str, Details]] = []
    raw = data.get("details", [])
    if not isinstance(raw, list):
        raise DraftFormatError("draft: field 'details' must be a list")
    for item in raw:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise DraftFormatError("draft: field 'details' must hold [question_id, table] pairs")
        table = item[1]
        if not isinstance(table, dict) or not all(_detail_ok(v) for v in table.values()):
            raise DraftFormatError(f"draft: details of '{item[0]}' have an unexpected shape")
        out.append((item[0], _copy_details(table)))
    return out


def _detail_ok(value: object) -> bool:
    if isinstance(value, str | bool):
        return True
    if not isinstance(value, list):
        return False
    return all(isinstance(v, str) for v in value) or all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value
    )


def _file_json(attachment_id: str, entry: FileEntry) -> dict[str, object]:
    ref = entry.ref
    out: dict[str, object] = {
        "question_id": entry.question_id,
        "attachment_id": attachment_id,
        "filename": ref.filename,
        "mime": ref.mime,
        "size": ref.size,
        "sha256": ref.sha256,
    }
    for key in _CUSTODY_KEYS:  # optional: drafts saved before they existed lack them
        if getattr(ref, key) is not None:
            out[key] = getattr(ref, key)
    if ref.caption is not None:
        out["caption"] = ref.caption
    return out


def _get(data: Mapping[str, object], key: str, kind: type[Any]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DraftFormatError(f"draft: field '{key}' must be {kind.__name__}")
    return value


def _opt(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise DraftFormatError(f"draft: field '{key}' must be a string or null")
    return value


def _stage(data: Mapping[str, object], key: str) -> Stage:
    value = data.get(key)
    if value not in get_args(Stage):
        raise DraftFormatError(f"draft: field '{key}' is not a known stage")
    return cast(Stage, value)


def _strings(data: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = _get(data, key, list)
    if not all(isinstance(item, str) for item in value):
        raise DraftFormatError(f"draft: field '{key}' must be a list of strings")
    return tuple(value)


def _answers(data: Mapping[str, object]) -> list[tuple[str, AnswerValue]]:
    out: list[tuple[str, AnswerValue]] = []
    for item in _get(data, "answers", list):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise DraftFormatError("draft: field 'answers' must hold [question_id, value] pairs")
        if not values.is_answer_value(item[1]):
            raise DraftFormatError(f"draft: answer to '{item[0]}' has an unexpected shape")
        out.append((item[0], _copy(item[1])))
    return out


def _files(data: Mapping[str, object]) -> list[tuple[str, FileEntry]]:
    out: list[tuple[str, FileEntry]] = []
    for item in _get(data, "files", list):
        if not isinstance(item, dict):
            raise DraftFormatError("draft: field 'files' must hold tables")
        ref = AttachmentRef(
            attachment_id=_get(item, "attachment_id", str),
            filename=_get(item, "filename", str),
            mime=_get(item, "mime", str),
            size=_get(item, "size", int),
            sha256=_get(item, "sha256", str),
            received_at=_opt(item, "received_at"),
            received_as=_opt(item, "received_as"),
            caption=_opt(item, "caption"),
        )
        out.append((ref.attachment_id, FileEntry(_get(item, "question_id", str), ref)))
    return out
