"""The STREAM payload: 64 KiB chunks of ChaCha20-Poly1305 under a key derived from file key + nonce.

Chunk nonce = 11-byte big-endian counter || 0x01 for the final chunk, 0x00 otherwise. The final
chunk may be full but must not be empty unless the whole payload is empty. Streaming decryption
must fail if the input ends without a valid final chunk, or continues after it.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.errors import PayloadError
from crypto.source import Source

CHUNK = 64 * 1024
TAG = 16
ENC_CHUNK = CHUNK + TAG
NONCE_SIZE = 16
_MAX_COUNTER = 1 << 88


def payload_key(file_key: bytes, nonce: bytes) -> bytes:
    """payload key = HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload")."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=nonce, info=b"payload").derive(file_key)


def _nonce(counter: int, last: bool) -> bytes:
    if counter >= _MAX_COUNTER:
        raise PayloadError("payload too large: STREAM chunk counter overflow")
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class ChunkSealer:
    """Encrypts successive chunks; the caller decides which one is last."""

    def __init__(self, key: bytes) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._counter = 0
        self.finished = False

    def seal(self, chunk: bytes | memoryview, last: bool) -> bytes:
        """Encrypt one chunk (exactly CHUNK bytes unless last)."""
        if self.finished:
            raise PayloadError("STREAM already finished")
        out = self._aead.encrypt(_nonce(self._counter, last), chunk, None)
        self._counter += 1
        self.finished = last
        return out


class ChunkOpener:
    """Reads and authenticates chunks from a :class:`Source`, one look-ahead byte at a time."""

    def __init__(self, key: bytes, src: Source) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._src = src
        self._counter = 0
        self.finished = False

    def _read(self) -> tuple[memoryview, int, bool]:
        """The next sealed chunk (a view, not copied), its number, and whether it is the last."""
        data = self._src.read_view(ENC_CHUNK)
        n = self._counter
        if len(data) < ENC_CHUNK:
            last = True  # a short read is only possible at EOF
            if len(data) < TAG or (len(data) == TAG and n > 0):
                raise PayloadError(f"payload truncated or final chunk empty (chunk {n})")
        else:
            last = not self._src.peek(1)  # a full chunk is final only if nothing follows
        return data, n, last

    def _failed(self, data: memoryview, n: int, last: bool) -> PayloadError:
        if last and len(data) == ENC_CHUNK:
            return PayloadError(f"payload truncated: no final chunk (chunk {n})")
        return PayloadError(f"payload chunk {n} failed authentication")

    def _done(self, last: bool) -> None:
        self._counter += 1
        self.finished = last

    def next_chunk(self) -> bytes:
        """The next plaintext chunk; ``b""`` once the final chunk was returned."""
        if self.finished:
            return b""
        data, n, last = self._read()
        try:
            plain = self._aead.decrypt(_nonce(n, last), data, None)
        except InvalidTag:
            raise self._failed(data, n, last) from None
        self._done(last)
        return plain

    def next_chunk_into(self, buf: memoryview) -> int:
        """Decrypt the next chunk straight into ``buf`` (at least CHUNK bytes); 0 once finished.

        On a failure nothing of the unauthenticated plaintext is left in ``buf``.
        """
        if self.finished:
            return 0
        data, n, last = self._read()
        size = len(data) - TAG
        out = buf[:size]
        try:
            self._aead.decrypt_into(_nonce(n, last), data, None, out)
        except InvalidTag:
            out[:] = bytes(size)  # the cipher wrote plaintext before checking the tag: wipe it
            raise self._failed(data, n, last) from None
        self._done(last)
        return size
