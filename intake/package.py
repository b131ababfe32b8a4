"""Streaming a submission into age: a POSIX tar built on the fly, fed to ``crypto.encrypt``.

The tar (PAX format, uncompressed) holds ``submission.json`` first, then each attachment at
``attachments/<n>-<safe-name>``. Attachments are decrypted from the draft store chunk by chunk and
fed straight into the age writer: the plaintext never touches disk and is never whole in memory.
Member metadata says nothing about the server (uid/gid 0, no user or group names, mode 0600, mtime
= the submission time).
"""

from __future__ import annotations

import asyncio
import hashlib
import queue
import tarfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, BinaryIO, Protocol

import structlog

import crypto
from intake import engine, outbox
from intake.engine import DraftState
from intake.questionnaire import Questionnaire
from intake.receipt_code import new_receipt, new_submission_id
from intake.store import Draft, Store
from intake.store.outbox_index import insert_op
from intake.submission import FORMAT_V1, attachment_path, format_timestamp, parse_submission

log = structlog.get_logger(__name__)


class PackageError(Exception):
    """An attachment did not match what the draft recorded (size or sha256)."""


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass(frozen=True, slots=True)
class Member:
    """One attachment to pack: its tar path, expected size and sha256, and its plaintext chunks."""

    path: str
    size: int
    sha256: str
    chunks: Callable[[], Iterator[bytes]]


_NUL_BLOCK = bytes(tarfile.BLOCKSIZE)
_THREAD_HASH = 256 * 1024  # attachments larger than this are hashed on a worker thread


def _info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _header(name: str, size: int, mtime: int) -> bytes:
    """The member's header block(s), exactly as ``tarfile`` writes them in PAX format."""
    return _info(name, size, mtime).tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _padding(size: int) -> bytes:
    return _NUL_BLOCK[: -size % tarfile.BLOCKSIZE]


class _Digest:
    """sha256 of one attachment, on a worker thread once it is large: hashlib releases the GIL,
    so the check overlaps encryption instead of adding to it. Chunks must not change afterwards
    (they are ``bytes`` from the draft store)."""

    def __init__(self, size: int) -> None:
        self._digest = hashlib.sha256()
        self._queue: queue.Queue[bytes | memoryview | None] | None = None
        self._thread: threading.Thread | None = None
        if size > _THREAD_HASH:
            self._queue = queue.Queue(8)
            self._thread = threading.Thread(target=self._work, name="sha256", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        assert self._queue is not None
        while (data := self._queue.get()) is not None:
            self._digest.update(data)

    def update(self, data: bytes | memoryview) -> None:
        if self._queue is None:
            self._digest.update(data)
        else:
            self._queue.put(data)

    def close(self) -> None:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None

    def hexdigest(self) -> str:
        self.close()
        return self._digest.hexdigest()


def _write_member(out: _Writable, member: Member) -> None:
    """Stream one attachment into ``out``, checking it against the draft's record (size, sha256)."""
    digest = _Digest(member.size)
    seen = 0
    try:
        for chunk in member.chunks():
            digest.update(chunk)
            room = member.size - seen
            seen += len(chunk)
            if seen > member.size:
                if room:
                    out.write(chunk[:room])
                raise PackageError(f"attachment {member.path} is longer than recorded")
            out.write(chunk)
        sha256 = digest.hexdigest()
    finally:
        digest.close()
    if seen != member.size or sha256 != member.sha256:
        raise PackageError(f"attachment {member.path} does not match its recorded size/sha256")
    out.write(_padding(member.size))


def write_tar(
    out: _Writable, submission_json: bytes, members: Sequence[Member], mtime: int
) -> None:
    """Write the submission tar to ``out`` (anything with ``write``), streaming every member.

    The bytes are exactly what ``tarfile``'s ``w|`` stream mode writes (PAX format), built
    directly: headers from ``TarInfo.tobuf``, attachment chunks passed to ``out`` as they come
    (no 10 KiB re-buffering and 16 KiB re-reads), the end padded to a whole 10 KiB record.
    """
    header = _header("submission.json", len(submission_json), mtime)
    out.write(header)
    out.write(submission_json)
    out.write(_padding(len(submission_json)))
    total = len(header) + len(submission_json) + len(_padding(len(submission_json)))
    for member in members:
        header = _header(member.path, member.size, mtime)
        out.write(header)
        _write_member(out, member)
        total += len(header) + member.size + len(_padding(member.size))
    end = 2 * tarfile.BLOCKSIZE  # two zero blocks, then zeros up to a whole record
    out.write(bytes(end + (-(total + end) % tarfile.RECORDSIZE)))


def seal(
    dst: BinaryIO,
    recipients: Sequence[crypto.Recipient],
    submission_json: bytes,
    members: Sequence[Member],
    mtime: int,
) -> None:
    """Encrypt the submission tar to every recipient, writing the age file to ``dst``."""
    with crypto.encrypt(dst, recipients) as writer:
        write_tar(writer, submission_json, members, mtime)


def build_submission(
    q: Questionnaire,
    state: DraftState,
    meta: Mapping[str, Any],
    read: Callable[[str], Iterator[bytes]],
) -> tuple[bytes, list[Member]]:
    """``submission.json`` (validated against format v1) and the attachment members to pack.

    ``meta`` holds what :meth:`Submitter.begin` chose (id, receipt, time); ``read`` opens an
    attachment's plaintext chunks by attachment id. Media answers name their files by tar path.
    """
    refs = engine.attachments_of(state)
    attachments: list[dict[str, Any]] = []
    members: list[Member] = []
    path_of: dict[str, str] = {}
    for n, (question_id, ref) in enumerate(refs, start=1):
        path = attachment_path(n, ref.filename)
        path_of[ref.attachment_id] = path
        attachments.append(
            {
                "path": path,
                "filename": ref.filename,
                "mime": ref.mime,
                "size": ref.size,
                "sha256": ref.sha256,
                "question_id": question_id,
            }
        )
        members.append(Member(path, ref.size, ref.sha256, partial(read, ref.attachment_id)))
    answers = engine.answers_for_submission(q, state)
    for answer in answers:
        value = answer.get("value")
        if answer.get("type") == "media" and isinstance(value, list):
            answer["value"] = [path_of.get(v, v) for v in value]
    document = {
        "format": FORMAT_V1,
        "submission_id": meta["submission_id"],
        "receipt": meta["receipt"],
        "questionnaire": {"id": q.id, "version": q.version},
        "language": state.language or q.default_language,
        "submitted_at": meta["submitted_at"],
        "answers": answers,
        "attachments": attachments,
    }
    return parse_submission(document).to_bytes(), members


class SubmitFailedError(Exception):
    """Sealing failed before anything reached the outbox; the draft is back at the review."""


class Submitter:
    """Turns a draft into a sealed, indexed outbox file — exactly once, whatever crashes when.

    1. :meth:`begin` puts a fresh submission id, receipt and time into the draft; the caller saves
       (commits) it. Until then a crash leaves an ordinary draft at review.
    2. :meth:`finish` seals to ``outbox/<id>.age.tmp``, fsyncs, renames to ``<id>.age`` (complete by
       construction), fsyncs the folder; a crash leaves a temp file (removed, sealed again with the
       same id) or a complete file (kept: hashed and indexed as is).
    3. One transaction indexes the file and deletes the draft and its key; the blobs go after.
       Before that commit the draft still says "sealing", so :meth:`finish` runs again on the next
       event or at recovery — and reuses the id, so there is never a second copy.
    """

    def __init__(
        self,
        store: Store,
        questionnaire: Questionnaire,
        recipients: list[crypto.Recipient],
        clock: Callable[[], float],
    ) -> None:
        """Seal drafts of ``store`` answered on ``questionnaire`` to ``recipients``."""
        self.store = store
        self.questionnaire = questionnaire
        self.recipients = recipients
        self.clock = clock

    def begin(self, draft: Draft, review_state: dict[str, object]) -> None:
        """Choose the submission id, receipt and time, and mark the draft as sealing.

        ``review_state`` (the state before Submit was pressed) is kept so that a submit that
        fails for good can put the witness back at the review instead of leaving them stuck.
        """
        now = self.clock()
        draft.sealing_id = new_submission_id()
        draft.body["submit"] = {
            "submission_id": draft.sealing_id,
            "receipt": new_receipt(),
            "submitted_at": format_timestamp(datetime.fromtimestamp(int(now), UTC)),
            "mtime": int(now),
            "review_state": review_state,
        }

    async def _abort(self, draft: Draft) -> None:
        """Nothing was sealed and retrying cannot help: back to the review, committed."""
        meta = draft.body.pop("submit")
        draft.body["state"] = meta.get("review_state", draft.body["state"])
        draft.sealing_id = None
        await self.store.save_draft(draft)

    def _sealed(self, draft: Draft, meta: Mapping[str, Any]) -> tuple[str, int]:
        """(sha256, size) of ``<id>.age``, sealing it unless it exists (runs in a worker thread).

        An existing ``<id>.age`` is complete (it was renamed into place after fsync) and is kept as
        it is: a crash after the rename must not produce a second, different file.
        """
        final = outbox.final_path(self.store.outbox_dir, meta["submission_id"])
        if final.exists():
            return outbox.file_sha256(final)
        state = DraftState.from_json(draft.body["state"])
        read = partial(self.store.read_attachment, draft)
        document, members = build_submission(self.questionnaire, state, meta, read)

        def produce(dst: BinaryIO) -> None:
            seal(dst, self.recipients, document, members, meta["mtime"])

        return outbox.write_sealed(self.store.outbox_dir, meta["submission_id"], produce)

    async def finish(self, draft: Draft) -> str:
        """Seal (unless already sealed), index and destroy the draft; return the receipt."""
        meta = draft.body["submit"]
        submission_id = meta["submission_id"]
        try:
            sha256, size = await asyncio.to_thread(self._sealed, draft, meta)
        except Exception as exc:
            if outbox.final_path(self.store.outbox_dir, submission_id).exists():
                raise  # sealed: only indexing is left, which recovery or a retry completes
            log.error("submit_failed", submission_id=submission_id, error=type(exc).__name__)
            await self._abort(draft)
            raise SubmitFailedError(f"could not seal submission {submission_id}") from exc
        op = insert_op(submission_id, sha256, size, self.clock())
        await self.store.destroy_draft(draft.draft_id, extra_ops=[op])
        log.info("submission_sealed", submission_id=submission_id, size=size)
        return str(meta["receipt"])
