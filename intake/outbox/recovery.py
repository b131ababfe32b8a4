"""Start-up recovery of the outbox: temp files removed, sealed files indexed, missing ones named."""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from intake.outbox.files import SUFFIX, TMP_SUFFIX, file_sha256
from intake.store import DraftCorruptError, OutboxRow, Store
from intake.store.datadir import fsync_dir

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class Recovery:
    """What start-up recovery found and did."""

    temp_removed: int = 0
    ack_completed: int = 0
    indexed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # sealed, left to their draft's submit


async def _pending_submissions(store: Store) -> set[str]:
    """Submission ids of drafts whose submit began: their files are theirs to index, with the
    hash of the ack secret only the draft knows (indexed here, a file would be 'legacy' for good:
    deletable only on its public sha256)."""
    ids: set[str] = set()
    for draft_id in await store.sealing_draft_ids():
        try:
            draft = await store.load_draft_by_id(draft_id)
        except DraftCorruptError:
            continue  # it can never finish: its file is indexed like any orphan
        if draft is not None and draft.sealing_id is not None:
            ids.add(draft.sealing_id)
    return ids


async def recover(store: Store) -> Recovery:
    """Remove leftover temp files, index sealed files without a row, report rows without a file.

    Call only at service start-up (never while a submit may be writing a temp file), and after the
    service has finished drafts whose submit was interrupted (they own their sealed files). A file
    whose draft could not finish (e.g. the disk was full) is left to the draft's next attempt.
    """
    report = Recovery()
    outbox = store.outbox_dir
    for tmp in outbox.glob(f"*{TMP_SUFFIX}"):
        tmp.unlink(missing_ok=True)
        report.temp_removed += 1
    if report.temp_removed:
        fsync_dir(outbox)
    known = {row.submission_id: row for row in await store.outbox.rows()}
    pending = await _pending_submissions(store)
    for path in sorted(outbox.glob(f"*{SUFFIX}")):
        submission_id = path.name[: -len(SUFFIX)]
        if submission_id in known and known[submission_id].state == "acknowledged":
            path.unlink()  # an ack interrupted between marking and deleting
            report.ack_completed += 1
        elif submission_id in pending and submission_id not in known:
            report.pending.append(submission_id)
            log.warning("outbox_file_awaits_its_submit", submission_id=submission_id)
        elif submission_id not in known:
            sha256, size = file_sha256(path)
            await store.outbox.add(submission_id, sha256, size, path.stat().st_mtime)
            report.indexed.append(submission_id)
            log.warning("outbox_file_indexed", submission_id=submission_id)
    report.missing = [row.submission_id for row in await missing_files(store)]
    for submission_id in report.missing:
        log.error("outbox_file_missing", submission_id=submission_id)
    return report


async def missing_files(store: Store) -> list[OutboxRow]:
    """Indexed queued/exported submissions whose sealed file is gone."""
    rows = await store.outbox.rows(("queued", "exported"))
    return [r for r in rows if not (store.outbox_dir / r.filename).exists()]
