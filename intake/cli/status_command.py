"""``intake status``: counts of drafts and queued submissions, oldest unexported, free disk.

The lines are the bot's ``/queue`` lines (:func:`intake.ops.status.queue_lines`, one reader and
one wording for both), plus what only the server's shell can act on: the data dir, missing files.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from intake import tui
from intake.cli.server_store import with_store

if TYPE_CHECKING:
    from intake.store import Store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``status`` to the parser."""
    p = sub.add_parser("status", help="counts of drafts and queued submissions (never content)")
    p.set_defaults(func=status)


def status(args: argparse.Namespace) -> int:
    """Print the queue's counts and ages (never content); 1 if a sealed file is missing."""
    from intake import outbox
    from intake.ops.status import disk_line, queue_counts, queue_lines

    async def command(store: Store) -> int:
        now = time.time()
        counts = await queue_counts(store, now)
        missing = await outbox.missing_files(store)
        oldest = counts.oldest_unexported_age
        sealed = None if oldest is None else outbox.iso(now - oldest)
        for line in queue_lines(counts, sealed_at=sealed):
            print(line)
        print(f"{disk_line(counts.disk_free_bytes)} in {store.data_dir}")
        for row in missing:
            tui.error(f"sealed file of {row.submission_id} ({row.state}) is missing")
        for warning in store.warnings:
            tui.warning(warning)
        return 1 if missing else 0

    return with_store(command)
