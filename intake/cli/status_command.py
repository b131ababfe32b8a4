"""``intake status``: counts of drafts and queued submissions, oldest unexported, free disk."""

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
    from intake.ops.status import age, queue_counts

    async def command(store: Store) -> int:
        now = time.time()
        counts = await queue_counts(store, now)
        missing = await outbox.missing_files(store)
        print(f"open drafts: {counts.open_drafts}")
        print(f"queued: {counts.queued}")
        print(f"exported: {counts.exported}")
        print(f"acknowledged: {counts.acknowledged}")
        if counts.oldest_unexported_age is not None:
            sealed = outbox.iso(now - counts.oldest_unexported_age)
            print(f"oldest unexported: {age(counts.oldest_unexported_age)} (sealed {sealed})")
        else:
            print("oldest unexported: none")
        free = counts.disk_free_bytes
        shown = "unknown" if free is None else f"{free / 2**30:.1f} GiB"
        print(f"free disk: {shown} in {store.data_dir}")
        for row in missing:
            tui.error(f"sealed file of {row.submission_id} ({row.state}) is missing")
        return 1 if missing else 0

    return with_store(command)
