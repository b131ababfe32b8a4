"""The C2SP CCTV age test vectors: every file must give exactly its expected outcome."""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crypto import (
    ArmorError,
    HeaderError,
    HeaderMACError,
    Identity,
    NoIdentityMatchError,
    PassphraseIdentity,
    PayloadError,
    decrypt,
    parse_identity,
)
from tests.support.paths import VECTORS

EXPECTED_ERRORS: dict[str, type[Exception]] = {
    "header failure": HeaderError,
    "HMAC failure": HeaderMACError,
    "payload failure": PayloadError,
    "armor failure": ArmorError,
    "no match": NoIdentityMatchError,
}


@dataclass
class Vector:
    expect: str
    body: bytes
    payload: str | None = None
    identities: list[Identity] = field(default_factory=list)
    armored: bool = False


def load(path: Path) -> Vector:
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    fields = [line.split(": ", 1) for line in head.decode().splitlines()]
    vec = Vector(expect="", body=body)
    for key, value in fields:
        if key == "expect":
            vec.expect = value
        elif key == "payload":
            vec.payload = value
        elif key == "identity":
            vec.identities.append(parse_identity(value))
        elif key == "passphrase":
            vec.identities.append(PassphraseIdentity(value))
        elif key == "armored":
            vec.armored = value == "yes"
        elif key == "compressed":
            assert value == "zlib"
            vec.body = zlib.decompress(body)
    return vec


def vector_files() -> list[Path]:
    return sorted(p for p in VECTORS.iterdir() if p.name != "LICENSE")


def test_all_vectors_present() -> None:
    assert len(vector_files()) == 143


def _open_all(vec: Vector) -> bytes:
    reader = decrypt(io.BytesIO(vec.body), vec.identities)
    out = hashlib.sha256()
    while chunk := reader.read(10_000):
        out.update(chunk)
    return out.digest()


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.name)
def test_vector(path: Path) -> None:
    vec = load(path)
    if vec.expect == "success":
        assert _open_all(vec).hex() == vec.payload
    else:
        with pytest.raises(EXPECTED_ERRORS[vec.expect]):
            _open_all(vec)
