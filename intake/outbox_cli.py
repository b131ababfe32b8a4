"""``intake export``, ``intake ack`` and ``intake status``: the operator's view of the queue.

Plain lines on stdout, problems as ``intake: error: …`` on stderr. Exit codes: 0 everything
done, 1 done but something needs attention (a copy failed, an ack entry was kept, a sealed file is
missing), 2 could not run (configuration, missing data dir, unreadable receipt). Nothing here
prints or reads testimony: only ids, sizes, hashes, counts and times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from intake import outbox
from intake.store import Store, StoreError
from intake.store.datadir import DB_NAME

Command = Callable[[Store], Awaitable[int]]


def _data_dir() -> Path | None:
    """The configured data dir, or None after printing the configuration problems."""
    from intake.config import ConfigError, load_config, print_config_error

    try:
        return load_config(require_telegram=False, require_recipients=False).data_dir
    except ConfigError as exc:
        print_config_error(exc)
        return None


def _run(command: Command) -> int:
    data_dir = _data_dir()
    if data_dir is None:
        return 2
    if not (data_dir / DB_NAME).is_file():
        print(f"intake: error: no intake data dir at {data_dir}", file=sys.stderr)
        print("intake: hint: set INTAKE_DATA_DIR to the folder the bot uses", file=sys.stderr)
        return 2

    async def go() -> int:
        store = await Store.open(data_dir)
        try:
            return await command(store)
        finally:
            await store.close()

    try:
        return asyncio.run(go())
    except StoreError as exc:
        print(f"intake: error: {exc}", file=sys.stderr)
        return 2


def export_main(args: argparse.Namespace) -> int:
    """``intake export --out DIR [--all]``."""
    out = Path(args.out)

    async def command(store: Store) -> int:
        result = await outbox.export(store, out, include_all=bool(args.all), now=time.time())
        for row in result.copied:
            print(f"exported {row.filename}  {row.size} bytes  sha256 {row.sha256}")
        for submission_id, reason in result.failed:
            print(f"intake: error: {submission_id}: {reason}; not exported", file=sys.stderr)
        print(f"{len(result.copied)} submission(s) exported to {out} (manifest.json written)")
        return 1 if result.failed else 0

    return _run(command)


def ack_main(args: argparse.Namespace) -> int:
    """``intake ack RECEIPT.json``: delete only what the offline side verified."""
    try:
        pairs = outbox.parse_receipt(json.loads(Path(args.receipt).read_text("utf-8")))
    except (OSError, ValueError) as exc:
        print(f"intake: error: cannot use receipt {args.receipt}: {exc}", file=sys.stderr)
        return 2

    async def command(store: Store) -> int:
        result = await outbox.ack(store, pairs, now=time.time())
        for submission_id in result.deleted:
            print(f"deleted {submission_id}")
        for submission_id in result.already:
            print(f"already acknowledged {submission_id}")
        for submission_id in result.mismatched:
            print(
                f"intake: error: {submission_id}: sha256 differs from the sealed file; kept",
                file=sys.stderr,
            )
        for submission_id in result.unknown:
            print(f"intake: error: {submission_id}: not known on this server", file=sys.stderr)
        print(
            f"{len(result.deleted)} deleted, {len(result.already)} already acknowledged, "
            f"{len(result.mismatched)} mismatched (kept), {len(result.unknown)} unknown"
        )
        return 1 if result.mismatched or result.unknown else 0

    return _run(command)


def status_main(args: argparse.Namespace) -> int:
    """``intake status``: counts, oldest unexported age, free disk — never content."""

    async def command(store: Store) -> int:
        counts = await store.outbox.counts()
        drafts = await store.count_drafts()
        queued = await store.outbox.rows(("queued",))
        missing = await outbox.missing_files(store)
        print(f"open drafts: {drafts}")
        for state in ("queued", "exported", "acknowledged"):
            print(f"{state}: {counts[state]}")
        if queued:
            oldest = queued[0].created_at
            age = _duration(time.time() - oldest)
            print(f"oldest unexported: {age} (sealed {outbox.iso(oldest)})")
        else:
            print("oldest unexported: none")
        free = shutil.disk_usage(store.data_dir).free
        print(f"free disk: {free / 2**30:.1f} GiB in {store.data_dir}")
        for row in missing:
            print(
                f"intake: error: sealed file of {row.submission_id} ({row.state}) is missing",
                file=sys.stderr,
            )
        return 1 if missing else 0

    return _run(command)


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"
