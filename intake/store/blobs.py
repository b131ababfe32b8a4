"""Encrypted attachment blobs: streamed in, streamed out, never whole in memory.

One file per attachment, ``drafts/<draft_id>/<attachment_id>.blob``::

    magic "WIBLOB1\\n" | chunk 0 | chunk 1 | … | last chunk

Each chunk is at most 64 KiB of plaintext sealed with ChaCha20-Poly1305 under a subkey derived from
the draft key and the attachment id (HKDF), with the nonce = 11-byte big-endian counter + a byte
that is 1 only on the last chunk (the STREAM construction age uses) — so reordering, truncation and
appending are all detected. The blob is written to ``<id>.tmp``, fsynced and renamed, so a crash
leaves either nothing or a complete blob; size and sha256 of the plaintext are computed on the fly.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake.store.datadir import fsync_dir
from intake.store.exceptions import AttachmentTooLargeError, DraftCorruptError

MAGIC = b"WIBLOB1\n"
_ID_RE = re.compile(r"[0-9a-f]{24}")
CHUNK = 64 * 1024
TAG = 16


def _aead(draft_key: bytes, attachment_id: str) -> ChaCha20Poly1305:
    info = b"witness-intake/attachment/v1:" + attachment_id.encode()
    sub = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(draft_key)
    return ChaCha20Poly1305(sub)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def blob_path(draft_dir: Path, attachment_id: str) -> Path:
    """Where the blob of ``attachment_id`` lives inside its draft's folder.

    The id comes back from a channel, so it is checked to be one the store could have made
    (24 hex digits): nothing else can name a path, inside the draft's folder or out of it.
    """
    if not _ID_RE.fullmatch(attachment_id):
        raise DraftCorruptError("not an attachment id this store issued")
    return draft_dir / f"{attachment_id}.blob"


async def write_blob(
    draft_dir: Path,
    draft_key: bytes,
    attachment_id: str,
    chunks: AsyncIterator[bytes],
    max_bytes: int,
) -> tuple[int, str]:
    """Encrypt ``chunks`` into a new blob; returns (plaintext size, plaintext sha256 hex).

    Raises :class:`AttachmentTooLargeError` as soon as the stream passes ``max_bytes``; on that or
    any other failure (including cancellation) the temp file is removed: nothing is left behind.
    """
    aead = _aead(draft_key, attachment_id)
    final = blob_path(draft_dir, attachment_id)
    tmp = final.with_suffix(".tmp")
    digest = hashlib.sha256()
    size = 0
    counter = 0
    pending = bytearray()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, MAGIC)
        async for piece in chunks:
            size += len(piece)
            if size > max_bytes:
                raise AttachmentTooLargeError(max_bytes)
            digest.update(piece)
            pending += piece
            # keep at least one byte back: the last chunk must be sealed with the last flag
            while len(pending) > CHUNK:
                _write_all(fd, aead.encrypt(_nonce(counter, False), bytes(pending[:CHUNK]), None))
                del pending[:CHUNK]
                counter += 1
        _write_all(fd, aead.encrypt(_nonce(counter, True), bytes(pending), None))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, final)
    fsync_dir(draft_dir)
    return size, digest.hexdigest()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_blob(draft_dir: Path, draft_key: bytes, attachment_id: str) -> Iterator[bytes]:
    """Yield the plaintext of a blob chunk by chunk, authenticating each chunk and the end."""
    aead = _aead(draft_key, attachment_id)
    path = blob_path(draft_dir, attachment_id)
    with path.open("rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise DraftCorruptError(f"attachment blob {path.name} has a bad header")
        counter = 0
        current = f.read(CHUNK + TAG)
        while True:
            following = f.read(CHUNK + TAG)
            last = not following
            try:
                yield aead.decrypt(_nonce(counter, last), current, None)
            except InvalidTag:
                raise DraftCorruptError(f"attachment blob {path.name} chunk {counter}") from None
            if last:
                return
            current = following
            counter += 1
