"""Staff identity files for ``intake decrypt``: plain ``age-keygen`` files or passphrase-protected.

A protected file (what ``intake keygen`` writes) is an age file encrypted to an scrypt recipient;
``crypto.load_identity_file`` opens both kinds. The passphrase is asked once per run (or read from
``--passphrase-file``) and reused for every protected identity file given.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import crypto
from intake.offline import passphrase as passphrase_file

_MAX_IDENTITY_FILE = 1024 * 1024


class IdentityLoadError(Exception):
    """An identity file cannot be used; the message names it and says why."""


def read_passphrase_file(path: Path) -> str:
    """The passphrase in ``path``, read as every command reads it (first line, see
    :mod:`intake.offline.passphrase`)."""
    try:
        return passphrase_file.read_passphrase_file(path)
    except passphrase_file.PassphraseFileError as exc:
        raise IdentityLoadError(str(exc)) from None


def ask_tty() -> str:
    """Ask for the passphrase on the terminal (never echoed)."""
    if not sys.stdin.isatty():
        raise IdentityLoadError("the identity is passphrase-protected: use --passphrase-file")
    return getpass.getpass("Passphrase for the staff identity: ")


def load_identities(
    paths: Sequence[Path],
    *,
    passphrase_file: Path | None = None,
    ask: Callable[[], str] = ask_tty,
) -> list[crypto.Identity]:
    """Load every identity in ``paths``; the passphrase is obtained at most once."""
    cached: list[str] = []
    if passphrase_file is not None:
        cached.append(read_passphrase_file(passphrase_file))

    def passphrase() -> str:
        if not cached:
            cached.append(ask())
        return cached[0]

    identities: list[crypto.Identity] = []
    for path in paths:
        try:
            with path.open("rb") as f:
                data = f.read(_MAX_IDENTITY_FILE + 1)
        except OSError as exc:
            raise IdentityLoadError(f"{path}: cannot read identity file ({exc.strerror})") from None
        if len(data) > _MAX_IDENTITY_FILE:
            raise IdentityLoadError(f"{path}: too large to be an identity file")
        try:
            identities.extend(crypto.load_identity_file(data, passphrase, source=str(path)))
        except crypto.NoIdentityMatchError as exc:
            raise IdentityLoadError(str(exc)) from None
        except crypto.KeyFormatError as exc:
            raise IdentityLoadError(str(exc)) from None
        except crypto.AgeError as exc:
            raise IdentityLoadError(f"{path}: damaged identity file ({exc})") from None
    if not identities:
        raise IdentityLoadError("no identities found in the given files")
    return identities
