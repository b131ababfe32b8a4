"""Sealing and opening with our age library, and staff key files, as the tests need them."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Sequence
from pathlib import Path

import crypto
from intake.store import Store


def seal_bytes(
    plaintext: bytes, recipients: Sequence[crypto.Recipient], *, armor: bool = False, step: int = 0
) -> bytes:
    """``plaintext`` sealed to ``recipients``; written ``step`` bytes at a time when given."""
    out = io.BytesIO()
    with crypto.encrypt(out, recipients, armor=armor) as writer:
        if step:
            for i in range(0, len(plaintext), step):
                writer.write(plaintext[i : i + step])
        else:
            writer.write(plaintext)
    return out.getvalue()


def open_bytes(sealed: bytes, identities: Sequence[crypto.Identity]) -> bytes:
    """The whole plaintext of ``sealed``, opened with ``identities``."""
    return crypto.decrypt(io.BytesIO(sealed), identities).read()


def open_members(path: Path, identity: crypto.Identity) -> list[tuple[tarfile.TarInfo, bytes]]:
    """Decrypt a sealed submission with the library; its tar members in order."""
    with path.open("rb") as f:
        plain = crypto.decrypt(f, [identity]).read()
    members: list[tuple[tarfile.TarInfo, bytes]] = []
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
        for info in tar:
            extracted = tar.extractfile(info)
            members.append((info, extracted.read() if extracted else b""))
    return members


def open_sealed(path: Path, identity: crypto.Identity) -> dict[str, bytes]:
    """Decrypt a sealed submission; its tar members (all regular files) by name, in order."""
    members = open_members(path, identity)
    assert all(info.isfile() for info, _ in members), [info.name for info, _ in members]
    return {info.name: data for info, data in members}


def write_identity(path: Path, identity: crypto.Identity) -> Path:
    """A plain identity file as ``age-keygen`` writes it (comments, the key), mode 0600."""
    path.write_text(
        f"# created: by the test suite\n# public key: {identity.recipient()}\n{identity}\n", "utf-8"
    )
    path.chmod(0o600)
    return path


def sealed_files(store: Store) -> list[Path]:
    """The sealed files in the store's outbox, by name."""
    return sorted(store.outbox_dir.glob("*.age"))
