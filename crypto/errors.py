"""The exceptions of the age implementation.

Every failure is an :class:`AgeError`; the subclasses say which part of a file (or which key string)
was wrong, so callers can report "not an age file" / "no matching key" / "damaged or tampered"
without parsing messages. Messages never contain key material or plaintext.
"""

from __future__ import annotations


class AgeError(Exception):
    """Base of every error raised by :mod:`crypto`."""


class HeaderError(AgeError):
    """Malformed or unsupported header: version line, stanza syntax, encoding, or stanza rules."""


class HeaderMACError(AgeError):
    """The header MAC does not match: the header was modified after it was written."""


class PayloadError(AgeError):
    """The encrypted payload (STREAM) is tampered, truncated, or has trailing data."""


class ArmorError(AgeError):
    """The ASCII armor (PEM) around an age file is malformed."""


class NoIdentityMatchError(AgeError):
    """None of the given identities could unwrap the file key."""


class KeyFormatError(AgeError, ValueError):
    """A recipient or identity string is malformed; the message names its source and line."""


class RecipientMixError(AgeError, ValueError):
    """Recipients that must not share a file were combined (post-quantum with classic, scrypt)."""
