"""Sealing: sizes around chunk boundaries, armor, many recipients, the rules on mixing them."""

from __future__ import annotations

import io
import os

import pytest

from crypto import (
    NoIdentityMatchError,
    PassphraseRecipient,
    PayloadError,
    RecipientMixError,
    X25519Identity,
    decrypt,
    encrypt,
    generate_identity,
)
from crypto.stream import CHUNK
from tests.support.sealing import open_bytes as open_all
from tests.support.sealing import seal_bytes as seal


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


def test_passphrase_beside_classic_names_the_passphrase_rule() -> None:
    classic = X25519Identity.generate().recipient()
    with pytest.raises(RecipientMixError, match="passphrase"):
        encrypt(io.BytesIO(), [classic, PassphraseRecipient("a passphrase!!", work_factor=2)])


def test_no_recipients_is_an_error() -> None:
    with pytest.raises(ValueError, match="no recipients"):
        encrypt(io.BytesIO(), [])


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
