"""How much more a draft may take: files for the question being asked, bytes for the whole draft.

Checked *before* a file is downloaded (the channel asks with the size Telegram announces) and again
under the witness's lock as it is stored, so a file past a question's ``max_files`` or past the
draft's total size is never written to disk at all — before, 14 extra files on a 10-file question
left 16 blobs, and one account could fill the disk at 30 files × 20 MB a minute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intake import i18n
from intake.engine import DraftState, uploads
from intake.questionnaire import Questionnaire, values

MB = 1024 * 1024
DEFAULT_MAX_DRAFT_BYTES = 100 * MB


@dataclass(frozen=True)
class Room:
    """What one more file may be: at most ``max_bytes`` — or refused, ``refusal`` saying why in
    the witness's language."""

    max_bytes: int
    refusal: str | None = None


def stored_bytes(body: Mapping[str, Any]) -> int:
    """Bytes of every file the draft holds (accepted or not: all of them are on disk)."""
    blobs = body.get("blobs") or {}
    return sum(int(v[0]) for v in blobs.values() if isinstance(v, list) and v)


def room(
    q: Questionnaire,
    body: Mapping[str, Any],
    *,
    max_file_bytes: int,
    max_draft_bytes: int,
    size: int | None = None,
    asked: bool = True,
) -> Room:
    """Whether the draft ``body`` takes one more file (of ``size`` bytes, if known). With
    ``asked``, only while a question that takes files is asked — a media question, or a text one
    (the files go with its answer) — the engine refuses a file anywhere else."""
    state = DraftState.from_json(body["state"])
    ui = q.strings(state.language)
    question = q.question(state.cursor) if state.stage == "question" and state.cursor else None
    if question is None or question.type not in ("media", *values.ATTACHING):
        if asked:
            return Room(0, i18n.render(ui, "error.not_here"))
    elif len(state.uploads) >= uploads.limit(question):
        return Room(0, i18n.render_count(ui, "error.too_many_files", uploads.limit(question)))
    left = max_draft_bytes - stored_bytes(body)
    if left <= 0 or (size is not None and left < size <= max_file_bytes):
        return Room(0, draft_full(q, body, max_draft_bytes))
    return Room(min(max_file_bytes, left))


def draft_full(q: Questionnaire, body: Mapping[str, Any], max_draft_bytes: int) -> str:
    """The refusal of a file that would take the draft past ``max_draft_bytes``."""
    ui = q.strings(DraftState.from_json(body["state"]).language)
    return i18n.render(ui, "trouble.draft_full", mb=max(1, max_draft_bytes // MB))
