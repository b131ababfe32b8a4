"""Reading and making keys: recipient lists and files, age-keygen identity files, fingerprints."""

from __future__ import annotations

import hashlib
import re

from crypto import bech32
from crypto.base import Identity, Recipient
from crypto.errors import KeyFormatError
from crypto.hybrid import HybridIdentity, HybridRecipient
from crypto.x25519 import X25519Identity, X25519Recipient

_SECRET_MARK = "AGE-SECRET-KEY-"  # noqa: S105 - a prefix we refuse, not a password
_SEPARATORS = re.compile(r"[\s,]+")


def _shown(text: str) -> str:
    """A short, safe excerpt of a bad key string for error messages."""
    return repr(text[:12] + "…") if len(text) > 12 else repr(text)


def parse_recipient(text: str) -> Recipient:
    """One ``age1…`` (X25519) or ``age1pq1…`` (hybrid) recipient; KeyFormatError otherwise."""
    if _SECRET_MARK in text.upper():
        raise KeyFormatError("this is a secret key (AGE-SECRET-KEY-…), not a recipient")
    try:
        hrp, data = bech32.decode(text)
    except ValueError as exc:
        raise KeyFormatError(f"malformed recipient {_shown(text)}: {exc}") from None
    if text != text.lower():
        raise KeyFormatError(f"malformed recipient {_shown(text)}: must be lowercase")
    try:
        if hrp == "age":
            return X25519Recipient(data)
        if hrp == "age1pq":
            return HybridRecipient(data)
    except ValueError as exc:
        raise KeyFormatError(f"malformed recipient {_shown(text)}: {exc}") from None
    raise KeyFormatError(f"unsupported recipient type {hrp!r} in {_shown(text)}")


def parse_recipients(text: str, *, source: str = "recipients") -> list[Recipient]:
    """Recipients separated by commas, whitespace or newlines; ``#`` starts a comment.

    Accepts a plain list (e.g. an environment variable) and the age recipients-file format alike.
    Any secret key in the text is refused, since a staff key must never live on the server.
    """
    if _SECRET_MARK in text.upper():
        where = next(i for i, ln in enumerate(text.splitlines(), 1) if _SECRET_MARK in ln.upper())
        raise KeyFormatError(
            f"{source}: line {where}: contains a secret key (AGE-SECRET-KEY-…); only public "
            "recipients (age1…) belong here — a staff key must never be on the server"
        )
    out: list[Recipient] = []
    for n, line in enumerate(text.splitlines(), 1):
        for item in _SEPARATORS.split(line.split("#", 1)[0]):
            if not item:
                continue
            try:
                out.append(parse_recipient(item))
            except KeyFormatError as exc:
                raise KeyFormatError(f"{source}: line {n}: {exc}") from None
    if not out:
        raise KeyFormatError(f"{source}: no recipients found")
    return out


def parse_identity(text: str) -> Identity:
    """One identity string: classic ``AGE-SECRET-KEY-…`` or post-quantum ``AGE-SECRET-KEY-PQ-…``."""
    try:
        hrp, data = bech32.decode(text)
    except ValueError as exc:
        raise KeyFormatError(f"malformed identity: {exc}") from None  # never echo a secret
    if text != text.upper():
        raise KeyFormatError("malformed identity: must be uppercase")
    try:
        if hrp == "age-secret-key-":
            return X25519Identity(data)
        if hrp == "age-secret-key-pq-":
            return HybridIdentity(data)
    except ValueError as exc:
        raise KeyFormatError(f"malformed identity: {exc}") from None
    raise KeyFormatError(f"unsupported identity type {hrp.upper()!r}")


def parse_identities(text: str, *, source: str = "identity") -> list[Identity]:
    """Identities from an age-keygen file: one per line, ``#`` comment lines, blank lines."""
    out: list[Identity] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            out.append(parse_identity(line))
        except KeyFormatError as exc:
            raise KeyFormatError(f"{source}: line {n}: {exc}") from None
    if not out:
        raise KeyFormatError(f"{source}: no identities found")
    return out


def generate_identity(*, post_quantum: bool = True) -> Identity:
    """A new identity: the MLKEM768-X25519 hybrid by default, X25519 if ``post_quantum=False``."""
    if post_quantum:
        return HybridIdentity.generate()
    return X25519Identity.generate()


def fingerprint(recipient: Recipient) -> str:
    """A short human-comparable digest of a recipient, e.g. ``3F2A-91C0-5B7E-0D14``."""
    digest = hashlib.sha256(str(recipient).encode("ascii")).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))
