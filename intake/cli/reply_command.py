"""``intake reply SUBMISSION_DIR --text … [--file …] [--out DIR]``: answer a witness, offline.

Run on the offline laptop, in a folder ``intake decrypt`` wrote. The testimony's
``submission.json`` says where a reply goes (``followup``: the witness's recipient and mailbox
tag); the reply is sealed to the witness alone and written to ``DIR/replies/`` (default: the
decrypt output folder that holds SUBMISSION_DIR, next to ``receipt.json``), which travels to the
server with the receipt: ``intake ack`` places it. Staff keep what they sent, in clear, with the
testimony: ``SUBMISSION_DIR/replies/<reply-id>/`` (the stick's copy is sealed).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
from datetime import UTC, datetime
from pathlib import Path

from intake import tui

MAX_TEXT_FILE = 64 * 1024


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``reply`` to the parser."""
    p = sub.add_parser("reply", help="seal a reply to a witness who took a follow-up code")
    p.add_argument("submission", type=Path, help="a testimony's folder written by `intake decrypt`")
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="what to tell the witness")
    text.add_argument("--text-file", type=Path, help="read the text from this UTF-8 file")
    p.add_argument(
        "--file", type=Path, action="append", default=[], help="a file to send (repeatable)"
    )
    p.add_argument(
        "--out", type=Path, help="where replies/ goes (default: the folder holding SUBMISSION)"
    )
    p.set_defaults(func=reply)


def reply(args: argparse.Namespace) -> int:
    """Seal one reply; 0 done, 2 could not (the reason printed)."""
    from intake import safefs
    from intake.followup.replyfile import MAX_PLAIN, ReplyFormatError

    folder = Path(args.submission)
    try:
        target = _target(folder)
        text = args.text if args.text is not None else _text_file(Path(args.text_file))
        files = [_attachment(Path(p), MAX_PLAIN) for p in args.file]
        reply_id, path = _seal(folder, target, text, files, args.out)
    except (OSError, safefs.UnsafePathError, ValueError, ReplyFormatError) as exc:
        tui.error(str(exc))
        return 2
    print(f"reply {reply_id}: {path}")
    print(f"kept in clear with the testimony: {folder / 'replies' / reply_id}")
    tui.hint(
        f"carry {path.parent} to the server with receipt.json; `intake ack` places the replies"
    )
    return 0


def _target(folder: Path) -> tuple[str, str, str]:
    """(submission id, recipient, mailbox tag) of the testimony in ``folder``."""
    from intake import safefs
    from intake.submission.document import SubmissionFormatError, parse_submission

    raw = safefs.read_bounded(folder / "submission.json", 16 * 1024 * 1024)
    try:
        doc = parse_submission(raw)
    except SubmissionFormatError as exc:
        raise ValueError(f"{folder / 'submission.json'}: not a valid submission ({exc})") from None
    if doc.followup is None:
        if doc.followup_of is not None:
            raise ValueError(
                f"{folder} is an addition: reply in the folder of the testimony it adds to"
            )
        raise ValueError(f"{folder}: the witness took no follow-up code; there is no way to reply")
    return doc.submission_id, doc.followup.recipient, doc.followup.mailbox_tag


def _text_file(path: Path) -> str:
    from intake import safefs

    try:
        return safefs.read_bounded(path, MAX_TEXT_FILE).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None


def _attachment(path: Path, limit: int) -> tuple[str, str, bytes]:
    from intake import safefs

    data = safefs.read_bounded(path, limit)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return path.name, mime, data


def _seal(
    folder: Path,
    target: tuple[str, str, str],
    text: str,
    files: list[tuple[str, str, bytes]],
    out: Path | None,
) -> tuple[str, Path]:
    import crypto
    from intake.followup.replyfile import Reply, ReplyAttachment, seal_reply
    from intake.followup.replystick import add_to_stick

    _, recipient, tag = target
    reply_id = os.urandom(16).hex()
    message = Reply(
        reply_id,
        datetime.now(UTC).replace(microsecond=0),
        text,
        tuple(ReplyAttachment(n, m, d) for n, m, d in files),
    )
    sealed = seal_reply(message, crypto.parse_recipient(recipient))
    _keep(folder / "replies" / reply_id, message)  # the staff's own record, first
    stick = (out if out is not None else folder.resolve().parent) / "replies"
    return reply_id, add_to_stick(stick, reply_id, tag, sealed)


def _keep(where: Path, message: object) -> None:
    """``reply.json`` and the files, as sent, under the testimony (mode 0600 in 0700)."""
    from intake.followup.replyfile import Reply

    assert isinstance(message, Reply)
    where.mkdir(parents=True, mode=0o700)
    files = where / "files"
    files.mkdir(mode=0o700)
    for path, item in zip(message.paths(), message.files, strict=True):
        target = where / path
        with open(target, "xb", opener=lambda p, f: os.open(p, f, 0o600)) as out:
            out.write(item.data)
    doc = json.dumps(message.document(), ensure_ascii=False, indent=2) + "\n"
    with open(
        where / "reply.json", "x", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)
    ) as out:
        out.write(doc)
