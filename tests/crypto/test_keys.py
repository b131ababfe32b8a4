"""Parsing recipients and identities, recipient lists and files, fingerprints, safe reprs."""

from __future__ import annotations

import pytest

from crypto import (
    HybridIdentity,
    KeyFormatError,
    X25519Identity,
    fingerprint,
    generate_identity,
    parse_identities,
    parse_identity,
    parse_recipient,
    parse_recipients,
)

# From the C2SP age spec.
# From the C2SP age spec.
SPEC_X25519_IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"


SPEC_X25519_RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"


SPEC_PQ_IDENTITY = "AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR"


SPEC_PQ_RECIPIENT_PREFIX = "age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9rdelkjuh3y235jzxshfg87pzf5"


def test_spec_x25519_key_pair() -> None:
    assert str(parse_identity(SPEC_X25519_IDENTITY).recipient()) == SPEC_X25519_RECIPIENT


def test_spec_post_quantum_key_pair() -> None:
    ident = parse_identity(SPEC_PQ_IDENTITY)
    assert isinstance(ident, HybridIdentity)
    recipient = str(ident.recipient())
    assert recipient.startswith(SPEC_PQ_RECIPIENT_PREFIX)
    assert parse_recipient(recipient) == ident.recipient()
    assert str(ident) == SPEC_PQ_IDENTITY


@pytest.mark.parametrize(
    "text",
    [
        "",
        "age1",
        SPEC_X25519_RECIPIENT.upper(),
        SPEC_X25519_RECIPIENT[:-1] + "q",  # checksum
        "ssh-ed25519 AAAA",
        "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwJ",  # mixed case
    ],
)
def test_bad_recipients(text: str) -> None:
    with pytest.raises(KeyFormatError):
        parse_recipient(text)


def test_recipients_list_and_file_formats() -> None:
    a = str(generate_identity(post_quantum=False).recipient())
    b = str(generate_identity(post_quantum=False).recipient())
    assert [str(r) for r in parse_recipients(f"{a}, {b}")] == [a, b]
    text = f"# staff keys\n{a}  # anna\n\n{b}\n"
    assert [str(r) for r in parse_recipients(text, source="keys.txt")] == [a, b]


def test_recipient_file_error_names_source_and_line() -> None:
    a = str(generate_identity(post_quantum=False).recipient())
    with pytest.raises(KeyFormatError, match=r"keys.txt: line 3: "):
        parse_recipients(f"# c\n{a}\nage1broken\n", source="keys.txt")


def test_secret_key_in_recipients_is_refused_without_echoing_it() -> None:
    secret = str(X25519Identity.generate())
    with pytest.raises(KeyFormatError, match="line 2: contains a secret key") as info:
        parse_recipients(f"# keys\n{secret}\n", source="INTAKE_RECIPIENTS")
    assert secret not in str(info.value)
    assert secret[20:] not in str(info.value)


def test_empty_recipients_is_an_error() -> None:
    with pytest.raises(KeyFormatError, match="no recipients"):
        parse_recipients("# nothing\n")


def test_identity_file_errors_do_not_leak_secrets() -> None:
    secret = str(X25519Identity.generate())
    broken = secret[:-1] + ("Q" if secret[-1] != "Q" else "P")
    with pytest.raises(KeyFormatError, match=r"key\.txt: line 2") as info:
        parse_identities(f"# created\n{broken}\n", source="key.txt")
    assert broken[15:] not in str(info.value)


def test_fingerprint_is_short_and_stable() -> None:
    r = parse_recipient(SPEC_X25519_RECIPIENT)
    fp = fingerprint(r)
    assert fp == fingerprint(parse_recipient(SPEC_X25519_RECIPIENT))
    assert len(fp) == 19
    assert fp.count("-") == 3
    assert fp != fingerprint(generate_identity(post_quantum=False).recipient())


def test_repr_never_shows_secrets() -> None:
    ident = generate_identity()
    assert str(ident) not in repr(ident)
    assert "secret" in repr(ident)
