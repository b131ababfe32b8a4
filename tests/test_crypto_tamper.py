"""Property tests: any byte flip, truncation or extension of a sealed file is rejected."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import AgeError, Identity, X25519Identity, decrypt, encrypt, generate_identity

CHUNK = 64 * 1024
IDENTITIES: list[Identity] = [X25519Identity.generate(), generate_identity()]


def _seal(ident: Identity, data: bytes, armor: bool = False) -> bytes:
    out = io.BytesIO()
    with encrypt(out, [ident.recipient()], armor=armor) as writer:
        writer.write(data)
    return out.getvalue()


# A fixed set of sealed files (sealing per example would make the suite slow for no gain).
SEALED = {
    (kind, size, armor): _seal(IDENTITIES[kind], bytes(range(256)) * (size // 256) + b"x", armor)
    for kind in (0, 1)
    for size in (0, 1000, CHUNK + 10)
    for armor in (False, True)
}
KEYS = sorted(SEALED)


def _open(sealed: bytes, ident: Identity) -> bytes:
    return decrypt(io.BytesIO(sealed), [ident]).read()


def test_untampered_files_open() -> None:
    for (kind, _, _), sealed in SEALED.items():
        _open(sealed, IDENTITIES[kind])


settings_ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(key=st.sampled_from(KEYS), where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_any_byte_flip_is_rejected(key: tuple[int, int, bool], where: float, mask: int) -> None:
    sealed = bytearray(SEALED[key])
    pos = int(where * len(sealed))
    sealed[pos] ^= mask
    with pytest.raises(AgeError):
        _open(bytes(sealed), IDENTITIES[key[0]])


@settings_
@given(key=st.sampled_from(KEYS), where=st.floats(0, 1, exclude_max=True))
def test_any_truncation_is_rejected(key: tuple[int, int, bool], where: float) -> None:
    sealed = SEALED[key]
    keep = int(where * len(sealed))
    if key[2] and keep == len(sealed) - 1:
        keep -= 1  # dropping only the armor's final newline is allowed by the spec
    with pytest.raises(AgeError):
        _open(sealed[:keep], IDENTITIES[key[0]])


@settings_
@given(key=st.sampled_from(KEYS), extra=st.binary(min_size=1, max_size=100))
def test_trailing_data_is_rejected(key: tuple[int, int, bool], extra: bytes) -> None:
    sealed = SEALED[key]
    if key[2] and not extra.strip(b" \t\r\n"):
        extra += b"x"  # whitespace after the armor is allowed by the spec
    with pytest.raises(AgeError):
        _open(sealed + extra, IDENTITIES[key[0]])
