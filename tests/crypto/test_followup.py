"""Follow-up keys from a code: deterministic, independent per label, bound to salt and params."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import crypto
from crypto.followup import Argon2Params, FollowupKeyError, derive_followup_keys

LOW = Argon2Params(memory_kib=64, iterations=1, lanes=1)
SALT = bytes(range(16))
CODE = b"482109375512806422907315"


def test_keys_are_argon2id_then_hkdf_with_distinct_labels() -> None:
    keys = derive_followup_keys(CODE, SALT, LOW)
    master = Argon2id(salt=SALT, length=32, iterations=1, lanes=1, memory_cost=64).derive(CODE)

    def expand(label: bytes, n: int) -> bytes:
        return HKDF(hashes.SHA256(), n, None, label).derive(master)

    assert keys.mailbox_tag == expand(b"witness-intake/followup/mailbox-tag/v1", 32)
    assert keys.case_link == expand(b"witness-intake/followup/case-link/v1", 16)
    seed = expand(b"witness-intake/followup/identity/v1", 32)
    assert str(keys.recipient) == str(crypto.HybridIdentity(seed).recipient())
    assert str(keys.recipient).startswith("age1pq1")
    assert keys.mailbox_tag[:16] != keys.case_link


def test_same_code_same_keys_other_code_salt_or_params_other_keys() -> None:
    keys = derive_followup_keys(CODE, SALT, LOW)
    assert derive_followup_keys(CODE, SALT, LOW).mailbox_tag == keys.mailbox_tag
    others = [
        derive_followup_keys(b"482109375512806422907316", SALT, LOW),
        derive_followup_keys(CODE, bytes(16), LOW),
        derive_followup_keys(CODE, SALT, Argon2Params(memory_kib=64, iterations=2, lanes=1)),
    ]
    assert all(o.mailbox_tag != keys.mailbox_tag for o in others)


def test_the_witness_identity_opens_what_is_sealed_to_its_recipient() -> None:
    keys = derive_followup_keys(CODE, SALT, LOW)
    out = io.BytesIO()
    with crypto.encrypt(out, [keys.recipient]) as w:
        w.write(b"a question from staff")
    assert crypto.decrypt(io.BytesIO(out.getvalue()), [keys.identity]).read() == (
        b"a question from staff"
    )


def test_bad_inputs_are_refused_with_the_recipe_error() -> None:
    with pytest.raises(FollowupKeyError, match="16 bytes"):
        derive_followup_keys(CODE, bytes(8), LOW)
    with pytest.raises(FollowupKeyError, match="empty"):
        derive_followup_keys(b"", SALT, LOW)
    with pytest.raises(FollowupKeyError, match="out of range"):
        Argon2Params(memory_kib=4, iterations=1, lanes=1)
    assert LOW.below_production
    assert not Argon2Params().below_production
    assert Argon2Params().describe() == "Argon2id 256 MiB, t=3, p=1"
    keys = derive_followup_keys(CODE, SALT, LOW)
    assert keys.mailbox_tag.hex() not in repr(keys)  # secrets stay out of reprs and logs
