"""Identity files: as ``age-keygen`` writes them, and passphrase-protected (``intake keygen``)."""

from __future__ import annotations

import io
import subprocess

import pytest

from crypto import (
    NoIdentityMatchError,
    PassphraseRecipient,
    encrypt,
    generate_identity,
    load_identity_file,
)


def test_age_keygen_file_loads() -> None:
    try:
        out = subprocess.run(["age-keygen"], capture_output=True, check=True, text=True).stdout
    except FileNotFoundError:
        pytest.skip("age-keygen not installed")
    (ident,) = load_identity_file(out.encode(), lambda: pytest.fail("no passphrase needed"))
    public = next(line for line in out.splitlines() if line.startswith("# public key:"))
    assert public.endswith(str(ident.recipient()))


def test_passphrase_protected_identity_file() -> None:
    ident = generate_identity()
    buf = io.BytesIO()
    with encrypt(buf, [PassphraseRecipient("twelve chars!", work_factor=4)]) as w:
        w.write(f"# created\n{ident}\n".encode())
    loaded = load_identity_file(buf.getvalue(), lambda: "twelve chars!")
    assert [str(i) for i in loaded] == [str(ident)]
    with pytest.raises(NoIdentityMatchError, match="wrong passphrase"):
        load_identity_file(buf.getvalue(), lambda: "wrong")
