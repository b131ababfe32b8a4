"""The post-quantum recipient type (ML-KEM-768 + X25519) is the default."""

from __future__ import annotations

import os

from crypto import HybridIdentity, generate_identity
from tests.support.sealing import open_bytes as open_all
from tests.support.sealing import seal_bytes as seal


def test_post_quantum_round_trip_default() -> None:
    ident = generate_identity()
    assert isinstance(ident, HybridIdentity)
    assert str(ident).startswith("AGE-SECRET-KEY-PQ-1")
    assert str(ident.recipient()).startswith("age1pq1")
    data = os.urandom(100_000)
    sealed = seal(data, [ident.recipient()])
    assert b"-> mlkem768x25519 " in sealed
    assert open_all(sealed, [ident]) == data
