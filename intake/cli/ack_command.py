"""``intake ack RECEIPT.json [--legacy-sha256-ack]``: delete only what was proven decrypted."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from intake import tui
from intake.cli.server_store import with_store

if TYPE_CHECKING:
    from intake.outbox import AckResult
    from intake.store import Store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``ack`` to the parser."""
    p = sub.add_parser("ack", help="delete submissions the offline side confirmed decrypting")
    p.add_argument("receipt", type=Path, help="receipt.json written by `intake decrypt`")
    p.add_argument(
        "--legacy-sha256-ack",
        action="store_true",
        help="also delete submissions sealed before proofs of decryption existed, on the "
        "ciphertext sha256 alone (which anyone holding the export's manifest.json knows)",
    )
    p.set_defaults(func=ack)


def ack(args: argparse.Namespace) -> int:
    """Delete the receipt's proven submissions; report unknown, mismatched, unproven (kept)."""
    from intake import outbox

    try:
        entries = outbox.read_receipt(Path(args.receipt))
    except ValueError as exc:
        tui.error(f"cannot use receipt {args.receipt}: {exc}")
        return 2
    legacy = bool(getattr(args, "legacy_sha256_ack", False))

    async def command(store: Store) -> int:
        result = await outbox.ack(store, entries, now=time.time(), legacy_sha256=legacy)
        _print(result)
        return 1 if result.kept else 0

    return with_store(command)


def _print(result: AckResult) -> None:
    for submission_id in result.deleted:
        if submission_id in result.legacy_deleted:
            print(f"deleted {submission_id} (sealed before proofs of decryption: on sha256 alone)")
        else:
            print(f"deleted {submission_id}")
    for submission_id in result.already:
        print(f"already acknowledged {submission_id}")
    for submission_id in result.mismatched:
        tui.error(f"{submission_id}: sha256 differs from the sealed file; kept")
    for submission_id in result.unknown:
        tui.error(f"{submission_id}: not known on this server")
    for submission_id in result.unproven:
        tui.error(
            f"{submission_id}: the receipt does not prove it was decrypted "
            "(its ack_secret is missing or wrong); kept"
        )
    for submission_id in result.legacy:
        tui.warning(f"{submission_id}: sealed before proofs of decryption existed; kept")
    if result.unproven:
        tui.hint("use the receipt.json that `intake decrypt` wrote, not one made by hand")
    if result.legacy:
        tui.hint(
            "once staff confirm they decrypted it, run again with --legacy-sha256-ack "
            "to delete it on its sha256 alone"
        )
    print(
        f"{len(result.deleted)} deleted, {len(result.already)} already acknowledged, "
        f"{len(result.mismatched)} mismatched (kept), {len(result.unproven)} unproven (kept), "
        f"{len(result.legacy)} legacy (kept), {len(result.unknown)} unknown"
    )
