"""Submission ids and the short receipt code a witness is shown.

The receipt uses an alphabet without look-alikes (no 0/O, 1/I/L): 8 characters of 31 give ~39 bits,
shown as ``XXXX-XXXX`` — short enough to write down, too many to guess which ones exist.
"""

from __future__ import annotations

import base64
import os
import secrets

RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_receipt() -> str:
    """A random receipt code such as ``7KQ3-M9XD``."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def new_submission_id() -> str:
    """A random submission id: 128 bits as 26 lowercase base32 characters."""
    return base64.b32encode(os.urandom(16)).decode().rstrip("=").lower()
