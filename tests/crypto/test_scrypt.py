"""Passphrase (scrypt) recipients and identities."""

from __future__ import annotations

import pytest

from crypto import NoIdentityMatchError, PassphraseIdentity, PassphraseRecipient
from tests.support.sealing import open_bytes as open_all
from tests.support.sealing import seal_bytes as seal


def test_passphrase_round_trip_and_wrong_passphrase() -> None:
    sealed = seal(b"secret", [PassphraseRecipient("correct horse battery", work_factor=4)])
    assert open_all(sealed, [PassphraseIdentity("correct horse battery")]) == b"secret"
    with pytest.raises(NoIdentityMatchError):
        open_all(sealed, [PassphraseIdentity("wrong horse battery")])
