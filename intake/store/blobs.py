"""Encrypted attachment blobs: streamed in, streamed out, never whole in memory.

One file per attachment, ``drafts/<draft_id>/<attachment_id>.blob``::

    magic "WIBLOB2\\n" | age STREAM: 64 KiB chunks of ChaCha20-Poly1305, counter nonces, last flag

under a key used for this one blob only, derived from the draft's record key and the attachment
id (:meth:`intake.store.sealed.SealedRecords.blob_key`; the recipe is :mod:`crypto.sealbox`), so
reordering, truncation and appending are detected, and shredding the draft's key slot makes every
copy of the blob noise. The blob is written to ``<id>.tmp``, fsynced and renamed (the same blocks,
no copy), so a crash leaves either nothing or a complete blob; size and sha256 of the plaintext are
computed on the fly. (Format v1, ``WIBLOB1``, is read only by :mod:`intake.store.migration`.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from crypto import sealbox as recipe
from intake import durable
from intake.store.exceptions import AttachmentTooLargeError, DraftCorruptError

MAGIC = b"WIBLOB2\n"
_ID_RE = re.compile(r"[0-9a-f]{24}")
CHUNK = 64 * 1024


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
    key: bytes,
    attachment_id: str,
    chunks: AsyncIterator[bytes],
    max_bytes: int,
) -> tuple[int, str]:
    """Encrypt ``chunks`` under the blob ``key``; returns (plaintext size, plaintext sha256 hex).

    Raises :class:`AttachmentTooLargeError` as soon as the stream passes ``max_bytes``; on that or
    any other failure (including cancellation) the temp file is removed: nothing is left behind.
    """
    final = blob_path(draft_dir, attachment_id)
    digest = hashlib.sha256()
    size = 0
    with durable.replacing(final, tmp=final.with_suffix(".tmp")) as sink:
        sink.write(MAGIC)
        with recipe.stream_writer(sink, key) as writer:
            async for piece in chunks:
                size += len(piece)
                if size > max_bytes:
                    raise AttachmentTooLargeError(max_bytes)
                digest.update(piece)
                writer.write(piece)
    return size, digest.hexdigest()


def read_blob(draft_dir: Path, key: bytes, attachment_id: str) -> Iterator[bytes]:
    """Yield the plaintext of a blob chunk by chunk, authenticating each chunk and the end."""
    path = blob_path(draft_dir, attachment_id)
    with path.open("rb", buffering=0) as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise DraftCorruptError(f"attachment blob {path.name} has a bad header")
        reader = recipe.stream_reader(f, key, what=f"attachment blob {path.name}")
        while True:
            try:
                piece = reader.read(CHUNK)
            except recipe.RecordError as exc:
                raise DraftCorruptError(str(exc)) from None
            if not piece:
                return
            yield piece
