"""Files received on the question being asked: evidence at a media question, voice messages and
photos sent with the answer at a text or long_text question. Nothing received is dropped without
the witness saying so: every file is listed with a ✕ to remove it, editing an answer starts from
its files, and Skip with files pending asks first (see :mod:`intake.engine.answering`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from intake import i18n
from intake.channel import AttachmentRef, Media
from intake.engine.state import DraftState, FileEntry
from intake.questionnaire import Question, values

Result = DraftState | str
SPOKEN_KINDS = ("voice", "video_note")  # how a channel says a file was recorded in the chat


def is_spoken(ref: AttachmentRef) -> bool:
    """Whether a file is a voice (or round video) message recorded in the chat, named "🎤 Voice
    message" wherever it is listed; files from before ``received_as`` go by their type."""
    if ref.received_as is not None:
        return ref.received_as in SPOKEN_KINDS
    return ref.mime.startswith("audio/")


def limit(question: Question) -> int:
    """How many files the question takes (sent with a text answer: 10)."""
    return question.max_files or (1 if question.type == "media" else 10)


def add(state: DraftState, question: Question, event: Media, ui: Mapping[str, str]) -> Result:
    """Keep ``event``'s file as pending on ``question``: a media question's, or one sent with a
    text answer (a voice message spoken instead of typing, a photo sent at the question)."""
    ref = event.attachment
    fits = question.type == "media" or question.type in values.ATTACHING
    if not fits or ref.attachment_id in state.files:
        return i18n.render(ui, "error.not_here")
    if len(state.uploads) >= limit(question):
        return i18n.render_count(ui, "error.too_many_files", limit(question))
    files = dict(state.files)
    files[ref.attachment_id] = FileEntry(question.id, ref)
    return replace(state, uploads=(*state.uploads, ref.attachment_id), files=files)


def remove(state: DraftState, arg: str, ui: Mapping[str, str]) -> Result:
    """Drop pending file number ``arg`` (0-based). Its blob stays in the draft (ids stay unique)
    and is destroyed with it; it is not submitted."""
    if not arg.isdigit() or int(arg) >= len(state.uploads):
        return i18n.render(ui, "error.stale")
    index = int(arg)
    return replace(state, uploads=state.uploads[:index] + state.uploads[index + 1 :])


def removed_name(before: DraftState, arg: str) -> str:
    """The name of the file :func:`remove` took out (for the notice)."""
    entry = before.files.get(before.uploads[int(arg)])
    return short_name(entry.ref.filename) if entry else "?"


def short_name(filename: str) -> str:
    """A file name as listed back: printable, at most 40 characters."""
    name = "".join(c for c in filename if c.isprintable()).strip() or "file"
    return name if len(name) <= 40 else name[:25] + "…" + name[-12:]


def size_text(size: int, ui: Mapping[str, str]) -> str:
    """A file size as people read it: ``512 bytes``, ``88 KB``, ``2.4 MB``."""
    if size < 1024:
        return i18n.render_count(ui, "size.bytes", size)
    if size < 1024 * 1024:
        return i18n.render(ui, "size.kb", n=max(1, round(size / 1024)))
    return i18n.render(ui, "size.mb", n=f"{size / (1024 * 1024):.1f}")


def listing(state: DraftState, question: Question, ui: Mapping[str, str]) -> str:
    """The files pending on ``question``, numbered, with what to do next."""
    lines = [i18n.render(ui, "question.files_received")]
    for n, attachment_id in enumerate(state.uploads, start=1):
        entry = state.files.get(attachment_id)
        if entry is None:  # pragma: no cover - problems() forbids it
            continue
        size = size_text(entry.ref.size, ui)
        if is_spoken(entry.ref):  # (its file name, "voice.ogg", means nothing to the witness)
            lines.append(i18n.render(ui, "question.voice_line", n=n, size=size))
        else:
            name = short_name(entry.ref.filename)
            lines.append(i18n.render(ui, "question.file_line", n=n, name=name, size=size))
    key = "question.files_done"
    if question.type in values.ATTACHING:  # files go with a text answer: voice, or others too
        spoken = all(
            e is not None and is_spoken(e.ref) for e in map(state.files.get, state.uploads)
        )
        key = "question.voice_done" if spoken else "question.attached_done"
    lines.append(i18n.render(ui, key))
    return "\n".join(lines)
