"""Canonical base64 as the age format uses it (RFC 4648 §4, §3.5).

The header uses unpadded base64 and must reject padding and non-canonical encodings (ones whose
unused trailing bits are not zero): otherwise the same header has several encodings and the header
MAC would not bind the bytes a parser acted on.
"""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(rb"[A-Za-z0-9+/]*")


def encode_raw(data: bytes) -> bytes:
    """Standard base64 without ``=`` padding."""
    return base64.b64encode(data).rstrip(b"=")


def decode_raw(text: bytes) -> bytes:
    """Decode unpadded canonical base64; raise ValueError on anything else."""
    if not _ALPHABET.fullmatch(text):
        raise ValueError("invalid base64 character or padding")
    if len(text) % 4 == 1:
        raise ValueError("invalid base64 length")
    padded = text + b"=" * (-len(text) % 4)
    try:
        data = base64.b64decode(padded, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"invalid base64: {exc}") from None
    if encode_raw(data) != text:
        raise ValueError("non-canonical base64 encoding")
    return data


def decode_padded(text: bytes) -> bytes:
    """Decode padded canonical base64 (used by ASCII armor); raise ValueError otherwise."""
    if len(text) % 4 != 0:
        raise ValueError("base64 length is not a multiple of 4")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"invalid base64: {exc}") from None
    if base64.b64encode(data) != text:
        raise ValueError("non-canonical base64 encoding")
    return data
