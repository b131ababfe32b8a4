"""Bech32 without the BIP 173 length limit (post-quantum recipients are long)."""

from __future__ import annotations

from crypto import bech32


def test_bech32_round_trip_long_data() -> None:
    data = bytes(range(256)) * 5
    assert bech32.decode(bech32.encode("age1pq", data)) == ("age1pq", data)
