"""``intake keygen``: create a staff identity, passphrase-protected, on the offline laptop.

The file is the age-keygen text format (``# created``, ``# public key``, the secret key line),
itself age-encrypted (ASCII-armored) to an scrypt passphrase recipient, so stock
``age -d staff.key`` opens it with the passphrase. It is created with O_EXCL and mode 0600: an
existing file is never overwritten. Next to it, ``<key>.pub`` holds the public recipient in the
age recipients-file format (for the server's INTAKE_RECIPIENTS_FILE); the recipient and a
fingerprint staff can compare aloud are printed too.
"""

from __future__ import annotations

import datetime
import getpass
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

from crypto import Identity, PassphraseRecipient, encrypt, fingerprint
from intake.offline import passphrase as passphrase_file

MIN_PASSPHRASE = 12
WORK_FACTOR = 18  # scrypt log2(N): ~1 s and 256 MiB here, age's own default; tests lower it
ATTEMPTS = 3  # tries on the terminal before giving up (a typo should not end the command)


class KeygenError(Exception):
    """A problem the user can fix; printed as one ``intake: error:`` line."""


def read_passphrase_file(path: Path) -> str:
    """The passphrase in ``path``, read as every command reads it
    (:func:`intake.offline.passphrase.read_passphrase_file`)."""
    try:
        return passphrase_file.read_passphrase_file(path)
    except passphrase_file.PassphraseFileError as exc:
        raise KeygenError(str(exc)) from None


def _stdin_is_tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask_passphrase(
    ask: Callable[[str], str] | None = None, say: Callable[[str], None] | None = None
) -> str:
    """Ask on the terminal: the rules are checked on the first entry, before the confirmation;
    a too-short entry or a mismatch says why and starts again, up to :data:`ATTEMPTS` times."""
    ask = ask or getpass.getpass
    say = say or (lambda text: print(f"{text}", file=sys.stderr))
    if not _stdin_is_tty():
        raise KeygenError("no terminal to ask for a passphrase: use --passphrase-file FILE")
    problem = ""
    for _ in range(ATTEMPTS):
        first = ask("Passphrase for the new staff key: ")
        problem = passphrase_problem(first)
        if problem:
            say(f"{problem}; try again")
            continue
        if ask("Same passphrase again: ") == first:
            return first
        problem = "the two passphrases differ"
        say(f"{problem}; try again")
    raise KeygenError(f"{problem} ({ATTEMPTS} attempts)")


def passphrase_problem(passphrase: str) -> str:
    """Why ``passphrase`` is refused, or ``""``: the file may be seized along with the laptop."""
    if len(passphrase) < MIN_PASSPHRASE:
        return f"passphrase too short: use at least {MIN_PASSPHRASE} characters"
    return ""


def check_passphrase(passphrase: str) -> None:
    """Raise :class:`KeygenError` for a passphrase :func:`passphrase_problem` refuses."""
    problem = passphrase_problem(passphrase)
    if problem:
        raise KeygenError(problem)


def public_path(key: Path) -> Path:
    """Where the recipient of ``key`` is written: ``<key>.pub``."""
    return key.with_name(key.name + ".pub")


def recipient_text(identity: Identity, now: datetime.datetime) -> bytes:
    """``<key>.pub``: the recipient in the age recipients-file format, with comments."""
    recipient = identity.recipient()
    created = now.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    return (
        f"# witness-intake staff recipient, created {created.replace('+00:00', 'Z')}\n"
        f"# fingerprint: {fingerprint(recipient)}\n{recipient}\n"
    ).encode("ascii")


def identity_text(identity: Identity, now: datetime.datetime) -> bytes:
    """The age-keygen file format for ``identity``."""
    created = now.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    created = created.replace("+00:00", "Z")
    return (f"# created: {created}\n# public key: {identity.recipient()}\n{identity}\n").encode(
        "ascii"
    )


def seal_identity(identity: Identity, passphrase: str, now: datetime.datetime) -> bytes:
    """The identity file encrypted to ``passphrase`` (scrypt), ASCII-armored."""
    buf = io.BytesIO()
    with encrypt(
        buf, [PassphraseRecipient(passphrase, work_factor=WORK_FACTOR)], armor=True
    ) as writer:
        writer.write(identity_text(identity, now))
    return buf.getvalue()


def write_new_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Create ``path`` exclusively with ``mode``; remove it again if writing fails."""
    try:
        fd = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode
        )
    except FileExistsError:
        raise KeygenError(f"{path} already exists; refusing to overwrite a key file") from None
    except OSError as exc:
        raise KeygenError(f"cannot create {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
