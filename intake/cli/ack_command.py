"""``intake ack RECEIPT.json``: delete only what the offline side confirmed it decrypted."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from intake import tui
from intake.cli.server_store import with_store

if TYPE_CHECKING:
    from intake.store import Store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``ack`` to the parser."""
    p = sub.add_parser("ack", help="delete submissions the offline side confirmed decrypting")
    p.add_argument("receipt", type=Path, help="receipt.json written by `intake decrypt`")
    p.set_defaults(func=ack)


def ack(args: argparse.Namespace) -> int:
    """Delete the receipt's verified submissions; report unknown and mismatched ones (kept)."""
    from intake import outbox

    try:
        pairs = outbox.parse_receipt(json.loads(Path(args.receipt).read_text("utf-8")))
    except (OSError, ValueError) as exc:
        tui.error(f"cannot use receipt {args.receipt}: {exc}")
        return 2

    async def command(store: Store) -> int:
        result = await outbox.ack(store, pairs, now=time.time())
        for submission_id in result.deleted:
            print(f"deleted {submission_id}")
        for submission_id in result.already:
            print(f"already acknowledged {submission_id}")
        for submission_id in result.mismatched:
            tui.error(f"{submission_id}: sha256 differs from the sealed file; kept")
        for submission_id in result.unknown:
            tui.error(f"{submission_id}: not known on this server")
        print(
            f"{len(result.deleted)} deleted, {len(result.already)} already acknowledged, "
            f"{len(result.mismatched)} mismatched (kept), {len(result.unknown)} unknown"
        )
        return 1 if result.mismatched or result.unknown else 0

    return with_store(command)
