"""Round trips through encrypt/decrypt: sizes around chunk boundaries, armor, many recipients."""

from __future__ import annotations

import io
import os

import pytest

from crypto import (
    HybridIdentity,
    NoIdentityMatchError,
    PassphraseIdentity,
    PassphraseRecipient,
    PayloadError,
    RecipientMixError,
    X25519Identity,
    decrypt,
    encrypt,
    generate_identity,
)

CHUNK = 64 * 1024


def seal(data: bytes, recipients: list, *, armor: bool = False, step: int = 0) -> bytes:
    out = io.BytesIO()
    with encrypt(out, recipients, armor=armor) as writer:
        if step:
            for i in range(0, len(data), step):
                writer.write(data[i : i + step])
        else:
            writer.write(data)
    return out.getvalue()


def open_all(sealed: bytes, identities: list) -> bytes:
    return decrypt(io.BytesIO(sealed), identities).read()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7])
@pytest.mark.parametrize("armor", [False, True])
def test_sizes_round_trip(size: int, armor: bool) -> None:
    data = os.urandom(size)
    ident = X25519Identity.generate()
    assert open_all(seal(data, [ident.recipient()], armor=armor), [ident]) == data


@pytest.mark.parametrize("step", [1000, CHUNK, CHUNK + 3])
def test_small_writes_give_same_plaintext(step: int) -> None:
    data = os.urandom(2 * CHUNK + 5)
    ident = X25519Identity.generate()
    assert open_all(seal(data, [ident.recipient()], step=step), [ident]) == data


def test_full_last_chunk_is_final_not_followed_by_empty_chunk() -> None:
    ident = X25519Identity.generate()
    sealed = seal(os.urandom(CHUNK), [ident.recipient()])
    header_end = sealed.index(b"\n--- ") + len(b"\n--- ") + 44
    assert len(sealed) - header_end == 16 + CHUNK + 16  # nonce + one full final chunk


def test_post_quantum_round_trip_default() -> None:
    ident = generate_identity()
    assert isinstance(ident, HybridIdentity)
    assert str(ident).startswith("AGE-SECRET-KEY-PQ-1")
    assert str(ident.recipient()).startswith("age1pq1")
    data = os.urandom(100_000)
    sealed = seal(data, [ident.recipient()])
    assert b"-> mlkem768x25519 " in sealed
    assert open_all(sealed, [ident]) == data


@pytest.mark.parametrize("post_quantum", [True, False])
def test_each_staff_key_alone_opens_a_multi_recipient_file(post_quantum: bool) -> None:
    staff = [generate_identity(post_quantum=post_quantum) for _ in range(3)]
    data = os.urandom(70_000)
    sealed = seal(data, [s.recipient() for s in staff])
    for ident in staff:
        assert open_all(sealed, [ident]) == data
    with pytest.raises(NoIdentityMatchError):
        open_all(sealed, [generate_identity(post_quantum=post_quantum)])


def test_mixing_post_quantum_and_classic_is_refused() -> None:
    pq = generate_identity().recipient()
    classic = generate_identity(post_quantum=False).recipient()
    with pytest.raises(RecipientMixError, match="post-quantum"):
        encrypt(io.BytesIO(), [pq, classic])


def test_passphrase_must_be_alone() -> None:
    with pytest.raises(RecipientMixError, match="only recipient"):
        encrypt(io.BytesIO(), [PassphraseRecipient("a passphrase!!", work_factor=2)] * 2)


def test_no_recipients_is_an_error() -> None:
    with pytest.raises(ValueError, match="no recipients"):
        encrypt(io.BytesIO(), [])


def test_passphrase_round_trip_and_wrong_passphrase() -> None:
    sealed = seal(b"secret", [PassphraseRecipient("correct horse battery", work_factor=4)])
    assert open_all(sealed, [PassphraseIdentity("correct horse battery")]) == b"secret"
    with pytest.raises(NoIdentityMatchError):
        open_all(sealed, [PassphraseIdentity("wrong horse battery")])


def test_encrypt_does_not_close_destination_and_close_is_idempotent() -> None:
    out = io.BytesIO()
    writer = encrypt(out, [X25519Identity.generate().recipient()])
    writer.write(b"x")
    writer.close()
    writer.close()
    assert not out.closed
    with pytest.raises(ValueError, match="closed"):
        writer.write(b"y")


def test_failed_block_writes_no_final_chunk() -> None:
    ident = X25519Identity.generate()
    out = io.BytesIO()

    def produce() -> None:
        with encrypt(out, [ident.recipient()]) as writer:
            writer.write(os.urandom(CHUNK * 2))
            raise RuntimeError("producer failed")

    with pytest.raises(RuntimeError):
        produce()
    reader = decrypt(io.BytesIO(out.getvalue()), [ident])
    with pytest.raises(PayloadError, match=r"truncated|final"):
        reader.read()


def test_reader_supports_readinto_and_iteration_over_bytes() -> None:
    ident = X25519Identity.generate()
    data = b"line one\nline two\n" * 5000
    reader = decrypt(io.BytesIO(seal(data, [ident.recipient()])), [ident])
    buf = bytearray(10)
    assert reader.readinto(buf) == 10
    assert bytes(buf) == data[:10]
    rest = b"".join(reader)
    assert data[10:] == rest


def test_readline_and_line_iteration() -> None:
    ident = X25519Identity.generate()
    lines = [b"x" * n + b"\n" for n in (0, 5, CHUNK, 70_000, 3)] + [b"no newline"]
    data = b"".join(lines)
    reader = decrypt(io.BytesIO(seal(data, [ident.recipient()])), [ident])
    assert reader.readline(3) == b"\n"
    assert list(reader) == lines[1:]


def test_payload_error_is_sticky() -> None:
    ident = X25519Identity.generate()
    sealed = bytearray(seal(os.urandom(3 * CHUNK), [ident.recipient()]))
    sealed[-(CHUNK + 16) - 100] ^= 1  # damage the second-to-last chunk
    reader = decrypt(io.BytesIO(bytes(sealed)), [ident])
    reader.read(CHUNK)
    with pytest.raises(PayloadError):
        reader.read(CHUNK)
    with pytest.raises(PayloadError):
        reader.read(CHUNK)


def test_passphrase_beside_classic_names_the_passphrase_rule() -> None:
    classic = X25519Identity.generate().recipient()
    with pytest.raises(RecipientMixError, match="passphrase"):
        encrypt(io.BytesIO(), [classic, PassphraseRecipient("a passphrase!!", work_factor=2)])
