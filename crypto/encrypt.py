"""Encryption: header for every recipient, then the payload streamed in 64 KiB chunks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import TracebackType
from typing import BinaryIO, Protocol

from crypto.armor import ArmorWriter
from crypto.base import FILE_KEY_SIZE, Recipient
from crypto.errors import AgeError, RecipientMixError
from crypto.format import Stanza, marshal_header
from crypto.stream import CHUNK, NONCE_SIZE, ChunkSealer, payload_key


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def check_recipients(recipients: Sequence[Recipient]) -> None:
    """Refuse an empty list, PQ mixed with classic, and a passphrase beside anything else."""
    if not recipients:
        raise ValueError("no recipients given")
    if len(recipients) > 1 and any(r.is_passphrase for r in recipients):
        raise RecipientMixError("a passphrase (scrypt) recipient must be the only recipient")
    kinds = {r.post_quantum for r in recipients}
    if len(kinds) > 1:
        classic = sum(1 for r in recipients if not r.post_quantum)
        raise RecipientMixError(
            f"refusing to mix post-quantum (age1pq1…) and classic recipients in one file "
            f"({len(recipients) - classic} post-quantum, {classic} classic): the classic ones "
            "would make the file breakable by a future quantum computer; use only age1pq1… keys"
        )


class EncryptWriter:
    """Write plaintext; ``close()`` emits the final chunk (``dst`` itself stays open)."""

    def __init__(self, dst: _Sink, sealer: ChunkSealer, armor: ArmorWriter | None = None) -> None:
        self._dst = dst
        self._sealer = sealer
        self._buf = bytearray()
        self._closed = False
        self._armor = armor

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Buffer ``data``; encrypt and write every full chunk known not to be the last."""
        if self._closed:
            raise ValueError("write to a closed EncryptWriter")
        view = memoryview(data).cast("B")
        n = len(view)
        if self._buf:
            take = min(CHUNK - len(self._buf), n)
            self._buf += view[:take]
            view = view[take:]
            if not view:
                return n
            self._dst.write(self._sealer.seal(bytes(self._buf), last=False))
            self._buf.clear()
        # Keep at least one byte back: the final chunk may be full but never empty.
        while len(view) > CHUNK:
            self._dst.write(self._sealer.seal(view[:CHUNK], last=False))
            view = view[CHUNK:]
        self._buf += view
        return n

    def close(self) -> None:
        """Encrypt and write the final chunk. Idempotent; does not close ``dst``."""
        if self._closed:
            return
        self._closed = True
        self._dst.write(self._sealer.seal(bytes(self._buf), last=True))
        self._buf.clear()
        if self._armor is not None:
            self._armor.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    def __enter__(self) -> EncryptWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._closed = True  # never write a valid final chunk after a failure


def encrypt(
    dst: BinaryIO, recipients: Sequence[Recipient], *, armor: bool = False
) -> EncryptWriter:
    """Start an age file on ``dst`` for ``recipients``; write plaintext to the returned writer."""
    check_recipients(recipients)
    file_key = os.urandom(FILE_KEY_SIZE)
    stanzas: list[Stanza] = []
    for i, r in enumerate(recipients, 1):
        try:
            stanzas.extend(r.wrap(file_key))
        except AgeError as exc:
            raise type(exc)(f"failed to wrap key for recipient #{i}: {exc}") from exc
    armor_writer = ArmorWriter(dst) if armor else None
    sink: _Sink = armor_writer if armor_writer is not None else dst
    nonce = os.urandom(NONCE_SIZE)
    sink.write(marshal_header(stanzas, file_key) + nonce)
    return EncryptWriter(sink, ChunkSealer(payload_key(file_key, nonce)), armor_writer)
