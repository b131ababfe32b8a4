"""The two roles of the format: a Recipient wraps a file key, an Identity unwraps it.

Mirrors age's Go interfaces. An identity ignores stanzas of other types (returns None), rejects
malformed stanzas of its own type (HeaderError), and treats a failed decryption as "not for me".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from crypto.format import Stanza

FILE_KEY_SIZE = 16
WRAPPED_KEY_SIZE = FILE_KEY_SIZE + 16  # ChaCha20-Poly1305 tag


class Recipient(ABC):
    """Something a file can be encrypted to; ``str()`` gives its public encoding."""

    #: True for recipients that resist a quantum computer (must not be mixed with classic ones).
    post_quantum: bool = False
    #: True for passphrase (scrypt) recipients, which must be alone in a file.
    is_passphrase: bool = False

    @abstractmethod
    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Stanzas carrying ``file_key`` for this recipient."""

    @abstractmethod
    def __str__(self) -> str: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)[:16]}…)"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and str(other) == str(self)

    def __hash__(self) -> int:
        return hash(str(self))


class Identity(ABC):
    """A secret that can open files sent to its recipient."""

    @abstractmethod
    def unwrap_stanza(self, stanza: Stanza) -> bytes | None:
        """The file key if ``stanza`` is for us; None if not; HeaderError if it is malformed."""

    @abstractmethod
    def recipient(self) -> Recipient:
        """The public recipient matching this identity."""

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Try every stanza in order; the first file key found, or None."""
        for stanza in stanzas:
            key = self.unwrap_stanza(stanza)
            if key is not None:
                return key
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<secret>)"
