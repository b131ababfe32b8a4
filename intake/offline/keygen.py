"""``intake keygen``: create a staff identity, passphrase-protected, on the offline laptop.

The file is the age-keygen text format (``# created``, ``# public key``, the secret key line),
itself age-encrypted (ASCII-armored) to an scrypt passphrase recipient, so stock
``age -d staff.key`` opens it with the passphrase. It is created with O_EXCL and mode 0600: an
existing file is never overwritten. Prints the public recipient (for the server's
INTAKE_RECIPIENTS) and a fingerprint staff can compare aloud.
"""

from __future__ import annotations

import datetime
import getpass
import io
import os
import sys
from pathlib import Path

from crypto import Identity, PassphraseRecipient, encrypt

MIN_PASSPHRASE = 12
WORK_FACTOR = 18  # scrypt log2(N): ~1 s and 256 MiB here, age's own default; tests lower it


class KeygenError(Exception):
    """A problem the user can fix; printed as one ``intake: error:`` line."""


def read_passphrase_file(path: Path) -> str:
    """The first line of ``path`` without its line ending."""
    try:
        with path.open("r", encoding="utf-8") as f:
            line = f.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeygenError(f"cannot read passphrase file {path}: {exc}") from None
    return line.rstrip("\r\n")


def _stdin_is_tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask_passphrase() -> str:
    """Ask twice on the terminal; the two entries must match."""
    if not _stdin_is_tty():
        raise KeygenError("no terminal to ask for a passphrase: use --passphrase-file FILE")
    first = getpass.getpass("Passphrase for the new staff key: ")
    second = getpass.getpass("Same passphrase again: ")
    if first != second:
        raise KeygenError("the two passphrases differ")
    return first


def check_passphrase(passphrase: str) -> None:
    """Refuse short passphrases: the file may be seized along with the laptop."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeygenError(f"passphrase too short: use at least {MIN_PASSPHRASE} characters")


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


def write_new_file(path: Path, data: bytes) -> None:
    """Create ``path`` exclusively with mode 0600; remove it again if writing fails."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeygenError(f"{path} already exists; refusing to overwrite a key file") from None
    except OSError as exc:
        raise KeygenError(f"cannot create {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
