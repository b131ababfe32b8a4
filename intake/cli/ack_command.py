"""``intake ack RECEIPT.json [--legacy-sha256-ack] [--replies DIR]``: delete only what was proven
decrypted, and hand staff replies (``DIR``, default ``replies/`` next to the receipt) to the
running bot, which keeps each as a sealed record until its witness comes back."""

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
    p.add_argument(
        "--replies",
        type=Path,
        help="replies written by `intake reply` (default: replies/ next to the receipt)",
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

    asked = getattr(args, "replies", None)  # (tests build the namespace by hand)
    replies = asked or Path(args.receipt).parent / "replies"

    async def command(store: Store) -> int:
        result = await outbox.ack(store, entries, now=time.time(), legacy_sha256=legacy)
        _print(result)
        status = 1 if result.kept else 0
        if asked is not None or replies.is_dir():
            status = max(status, place_replies(store.data_dir, replies))
        return status

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


def place_replies(data_dir: Path, folder: Path) -> int:
    """Hand every reply of ``folder`` not placed yet to the bot serving ``data_dir``; 0 if all
    went, 1 if some did not (each said), 2 if none could (the folder or the bot)."""
    from intake import safefs
    from intake.followup.placement import PlacementClient, PlacementError
    from intake.followup.replystick import load_reply, mark_placed, placed_ids, read_stick

    try:
        entries, problems = read_stick(folder)
        done = placed_ids(folder)
    except (OSError, safefs.UnsafePathError) as exc:
        tui.error(f"cannot read replies in {folder}: {exc}")
        return 2
    for problem in problems:
        tui.error(problem)
    todo = [e for e in entries if e.reply_id not in done]
    if not todo:
        print(f"replies: {len(entries)} listed, none new")
        return 1 if problems else 0
    try:
        client = PlacementClient(data_dir)
    except PlacementError as exc:
        tui.error(str(exc))
        tui.hint("start the bot (`intake run`), then run `intake ack` again: nothing is lost")
        return 2
    placed: set[str] = set()
    failed = 0
    try:
        for entry in todo:
            try:
                client.place(entry.reply_id, entry.mailbox_tag, load_reply(folder, entry))
            except (OSError, safefs.UnsafePathError, PlacementError) as exc:
                tui.error(f"reply {entry.reply_id}: {exc}; not placed")
                failed += 1
                continue
            placed.add(entry.reply_id)
    finally:
        client.close()
        if placed:
            mark_placed(folder, placed)
    print(f"replies: {len(placed)} placed, {failed} not placed, {len(entries) - len(todo)} already")
    return 1 if failed or problems else 0
