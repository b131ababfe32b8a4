"""Submit: a draft becomes one sealed, indexed ``outbox/<id>.age`` — exactly once, whatever crashes.

The document is built and validated here (:func:`build_submission`), streamed as a tar
(:mod:`intake.submission.tarwriter`) into ``crypto.encrypt`` to every staff recipient, written to
the outbox (:mod:`intake.outbox.files`), then indexed while the draft is destroyed
(:class:`Submitter`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, BinaryIO

import structlog

import crypto
from intake import engine, outbox
from intake.engine import DraftState
from intake.questionnaire import Questionnaire
from intake.store import Draft, Store
from intake.store.outbox_index import insert_op
from intake.submission.document import (
    FORMAT_V1,
    attachment_path,
    format_timestamp,
    parse_submission,
)
from intake.submission.ids import ack_hash, new_ack_secret, new_receipt, new_submission_id
from intake.submission.tarwriter import Member, write_tar

log = structlog.get_logger(__name__)


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

    ``meta`` holds what :meth:`Submitter.begin` chose (id, receipt, time, ack secret — absent in a
    draft whose submit began before ack secrets existed); ``read`` opens an attachment's plaintext
    chunks by attachment id. Media answers name their files by tar path.
    """
    refs = engine.attachments_of(state)
    attachments: list[dict[str, Any]] = []
    members: list[Member] = []
    path_of: dict[str, str] = {}
    for n, (question_id, ref) in enumerate(refs, start=1):
        path = attachment_path(n, ref.filename)
        path_of[ref.attachment_id] = path
        entry: dict[str, Any] = {
            "path": path,
            "filename": ref.filename,
            "mime": ref.mime,
            "size": ref.size,
            "sha256": ref.sha256,
            "question_id": question_id,
        }
        if ref.received_at is not None:  # chain of custody (optional keys of format v1)
            entry["received_at"] = ref.received_at
        if ref.received_as is not None:
            entry["received_as"] = ref.received_as
        if ref.caption is not None:  # the witness's words with the file
            entry["caption"] = ref.caption
        attachments.append(entry)
        members.append(Member(path, ref.size, ref.sha256, partial(read, ref.attachment_id)))
    answers = engine.answers_for_submission(q, state)
    for answer in answers:
        value, voices = answer.get("value"), answer.get("files")
        if answer.get("type") == "media" and isinstance(value, list):
            answer["value"] = [path_of.get(v, v) for v in value]
        if isinstance(voices, list):  # the files sent with a text answer (voice messages, photos)
            answer["files"] = [path_of.get(v, v) for v in voices]
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
    if "ack_secret" in meta:
        document["ack_secret"] = meta["ack_secret"]
    if "followup" in meta:  # the public parts of the witness's follow-up keys (never the code)
        document["followup"] = dict(meta["followup"])
    if "followup_of" in meta:  # an addition: the case it adds to
        document["followup_of"] = meta["followup_of"]
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

    def begin(
        self,
        draft: Draft,
        review_state: dict[str, object],
        extra: Mapping[str, object] | None = None,
    ) -> None:
        """Choose the submission id, receipt and time, and mark the draft as sealing.

        ``review_state`` (the state before Submit was pressed) is kept so that a submit that
        fails for good can put the witness back at the review instead of leaving them stuck.
        ``extra`` goes into the submission too: ``followup`` (the public parts of the witness's
        follow-up keys) or ``followup_of`` (an addition's case link). It is kept in the draft —
        sealed, and shredded with it — so that a submit finished after a crash seals it too.
        """
        now = self.clock()
        draft.sealing_id = new_submission_id()
        draft.body["submit"] = {
            "submission_id": draft.sealing_id,
            "receipt": new_receipt(),
            "ack_secret": new_ack_secret(),  # sealed, and only its hash indexed: see ids.py
            "submitted_at": format_timestamp(datetime.fromtimestamp(int(now), UTC)),
            "mtime": int(now),
            "review_state": review_state,
            **(extra or {}),
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

    async def finish(
        self,
        draft: Draft,
        channel: dict[str, Any] | None = None,
        closing: str | None = None,
        *,
        show_receipt: bool = True,
    ) -> tuple[str, str | None]:
        """Seal (unless already sealed), index and destroy the draft.

        With ``channel`` (the channel's data), a clean-up record holding it, ``closing`` and (with
        ``show_receipt``) the receipt is created in the commit that destroys the draft, so the
        channel can show the receipt even after a crash. Returns (receipt, clean-up id or None).
        """
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
        secret = meta.get("ack_secret")
        proof = ack_hash(secret) if secret else None  # None: submit began before ack secrets
        op = insert_op(submission_id, sha256, size, self.clock(), proof)
        # what the channel shows: the receipt, as the service marked it (e.g. "followup:…")
        receipt = str(meta.get("shown_as") or meta["receipt"]) if show_receipt else None
        cleanup_id = await self.store.destroy_draft(
            draft.draft_id, extra_ops=[op], cleanup=channel, closing=closing, receipt=receipt
        )
        log.info("submission_sealed", submission_id=submission_id, size=size)
        return str(meta["receipt"]), cleanup_id
