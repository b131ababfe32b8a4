"""The server key: where it comes from, and the keys derived from it.

One random 32-byte secret. Where it is read from, best first (the caller decides, see
:func:`intake.config` and docs/operations.md, "Server key"):

1. a systemd credential, ``$CREDENTIALS_DIRECTORY/server.key`` (``LoadCredentialEncrypted=``):
   kept in RAM by systemd, never written to the data disk;
2. ``INTAKE_SERVER_KEY_FILE``, e.g. on a tmpfs: RAM only, gone at power-off;
3. ``<data>/server.key`` beside the data — the fallback, with a warning: a seized disk then holds
   the key that opens every *open* draft.

Derived with HKDF-SHA-256 under separate labels (none computable from another):

* the **slot-wrap key** seals every key slot (:mod:`intake.store.sealed`);
* the **slot check value** in the key-slot file's header, so a wrong key is refused, not taken for
  a file of torn slots;
* the **witness secret** keys HMAC-SHA-256 over ``"<channel>:<user_id>"``: the lookup tag that
  exists on disk only inside live slots. Its label is the one before key slots, so drafts carried
  over are still found by their witness;
* the **v1 wrap key**, only to carry drafts from before key slots over
  (:mod:`intake.store.migration`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from crypto import sealbox as records
from intake.store.datadir import check_private_file, write_new_file
from intake.store.exceptions import StoreError
from intake.store.mounts import on_memory_fs

KEY_SIZE = records.KEY_SIZE
CHECK_SIZE = 16


@dataclass(frozen=True, slots=True)
class ServerKeys:
    """The keys derived from the server key. Memory only; never logged."""

    slot_wrap: bytes
    slot_check: bytes
    witness_secret: bytes
    v1_wrap: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> ServerKeys:
        """Derive every key from the 32-byte server secret."""
        if len(secret) != KEY_SIZE:
            raise StoreError(f"server key must be {KEY_SIZE} bytes, got {len(secret)}")
        derive = records.derive_key
        return cls(
            slot_wrap=derive(secret, b"witness-intake/key-slot-wrap/v2"),
            slot_check=derive(secret, b"witness-intake/key-slot-check/v2")[:CHECK_SIZE],
            witness_secret=derive(secret, b"witness-intake/witness-hmac/v1"),
            v1_wrap=derive(secret, b"witness-intake/draft-key-wrap/v1"),
        )

    def witness_key(self, channel: str, user_id: int | str) -> str:
        """HMAC-SHA-256 of ``"<channel>:<user_id>"`` under the witness secret, as hex."""
        return records.keyed_tag(self.witness_secret, f"{channel}:{user_id}".encode()).hex()


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where the server key is read from: ``path``, and how it was configured (``origin``)."""

    path: Path
    origin: str  # "systemd credential" | "INTAKE_SERVER_KEY_FILE" | "data dir"

    @property
    def creatable(self) -> bool:
        """A systemd credential is provided by systemd; never made up here."""
        return self.origin != "systemd credential"

    def warning(self) -> str | None:
        """Why this source is weaker than it should be, or None."""
        if on_memory_fs(self.path):
            return None
        return (
            f"the server key is read from {self.path}, on a disk: whoever seizes that disk can "
            "open every open draft; load it as a systemd credential (LoadCredentialEncrypted=) "
            "or set INTAKE_SERVER_KEY_FILE to a tmpfs path (docs/operations.md, 'Server key')"
        )


def load(source: KeySource, *, may_create: bool) -> ServerKeys:
    """Read the key from ``source``; create it (0600, atomically) only if ``may_create``."""
    path = source.path
    if not path.exists():
        if not (may_create and source.creatable):
            raise StoreError(
                f"the server key ({source.origin}: {path}) is missing but this data dir has open "
                "records sealed with one: restore the server key, or move the key slots file "
                "(keyslots) away to start over (open drafts are lost; the outbox is kept)"
            )
        try:
            write_new_file(path, os.urandom(KEY_SIZE))
        except OSError as exc:
            raise StoreError(
                f"cannot create the server key {path} ({source.origin}): {exc.strerror}; "
                "see docs/operations.md, 'Server key'"
            ) from None
    if source.origin != "systemd credential":  # systemd owns and protects its credential files
        check_private_file(path)
    secret = path.read_bytes()
    if len(secret) != KEY_SIZE:
        raise StoreError(f"server key {path} is {len(secret)} bytes, expected {KEY_SIZE}")
    return ServerKeys.from_secret(secret)
