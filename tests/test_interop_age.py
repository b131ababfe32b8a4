"""Interop with the stock ``age`` CLI (Debian's 1.1.x: X25519 and passphrases), both directions.

Real subprocesses on real files. Passphrase prompts are answered through a pseudo-terminal, since
age reads passphrases only from the terminal. Skips when ``age`` is missing locally; fails under CI,
where ``.ci/run`` installs it.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from interop.tty import run_with_tty

from crypto import (
    PassphraseIdentity,
    PassphraseRecipient,
    X25519Identity,
    decrypt,
    encrypt,
    load_identity_file,
    parse_identities,
    parse_recipient,
)
from intake.cli import main as cli_main
from intake.offline import keygen

DATA = os.urandom(3 * 64 * 1024 + 123)
PHRASE = "correct horse battery staple"


def age_bin(name: str = "age") -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"`{name}` is not installed in CI (.ci/run should apt-get install age)")
        pytest.skip(f"`{name}` CLI is not installed")
    return path


def run(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, capture_output=True, timeout=60, check=False)


def seal(data: bytes, recipients: list, armor: bool = False) -> bytes:
    out = io.BytesIO()
    with encrypt(out, recipients, armor=armor) as writer:
        writer.write(data)
    return out.getvalue()


@pytest.fixture
def age_key(tmp_path: Path) -> Path:
    key = tmp_path / "age.key"
    result = run(age_bin("age-keygen"), "-o", str(key))
    assert result.returncode == 0, result.stderr
    return key


@pytest.mark.parametrize("armor", [False, True])
def test_we_seal_age_opens(tmp_path: Path, age_key: Path, armor: bool) -> None:
    (ident,) = parse_identities(age_key.read_text())
    others = [X25519Identity.generate().recipient() for _ in range(2)]
    sealed = tmp_path / "sealed.age"
    sealed.write_bytes(seal(DATA, [others[0], ident.recipient(), others[1]], armor))
    result = run(age_bin(), "-d", "-i", str(age_key), str(sealed))
    assert result.returncode == 0, result.stderr
    assert result.stdout == DATA


@pytest.mark.parametrize("armor", [False, True])
def test_age_seals_we_open(tmp_path: Path, age_key: Path, armor: bool) -> None:
    ours = X25519Identity.generate()
    (theirs,) = parse_identities(age_key.read_text())
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(f"# staff\n{theirs.recipient()}\n{ours.recipient()}\n")
    plain = tmp_path / "plain"
    plain.write_bytes(DATA)
    sealed = tmp_path / "sealed.age"
    flags = ["-a"] if armor else []
    result = run(age_bin(), "-e", *flags, "-R", str(recipients), "-o", str(sealed), str(plain))
    assert result.returncode == 0, result.stderr
    for ident in (ours, theirs):
        with sealed.open("rb") as f:
            assert decrypt(f, [ident]).read() == DATA


def test_age_rejects_our_tampered_file(tmp_path: Path, age_key: Path) -> None:
    (ident,) = parse_identities(age_key.read_text())
    sealed = bytearray(seal(DATA, [ident.recipient()]))
    sealed[-1] ^= 0x80
    (tmp_path / "bad.age").write_bytes(bytes(sealed))
    result = run(age_bin(), "-d", "-i", str(age_key), str(tmp_path / "bad.age"))
    assert result.returncode != 0


def test_passphrase_we_seal_age_opens(tmp_path: Path) -> None:
    sealed = tmp_path / "p.age"
    sealed.write_bytes(seal(DATA, [PassphraseRecipient(PHRASE, work_factor=10)]))
    out = tmp_path / "out"
    code, text = run_with_tty([age_bin(), "-d", "-o", str(out), str(sealed)], [PHRASE])
    assert code == 0, text
    assert out.read_bytes() == DATA


def test_passphrase_age_seals_we_open(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(DATA)
    sealed = tmp_path / "p.age"
    argv = [age_bin(), "-p", "-o", str(sealed), str(plain)]
    code, text = run_with_tty(argv, [PHRASE, PHRASE])
    assert code == 0, text
    with sealed.open("rb") as f:
        assert decrypt(f, [PassphraseIdentity(PHRASE)]).read() == DATA


def test_keygen_file_opens_with_stock_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`intake keygen --classic` output: `age -d` reveals the key, `age -d -i` uses it."""
    monkeypatch.setattr(keygen, "WORK_FACTOR", 10)
    pass_file = tmp_path / "pass"
    pass_file.write_text(PHRASE + "\n")
    key = tmp_path / "staff.key"
    argv = ["keygen", "--classic", "--out", str(key), "--passphrase-file", str(pass_file)]
    assert cli_main(argv) == 0
    recipient = parse_recipient(capsys.readouterr().out.strip().splitlines()[-1])

    revealed = tmp_path / "revealed.txt"
    code, text = run_with_tty([age_bin(), "-d", "-o", str(revealed), str(key)], [PHRASE])
    assert code == 0, text
    (ident,) = load_identity_file(revealed.read_bytes(), lambda: pytest.fail("plain file"))
    assert ident.recipient() == recipient

    sealed = tmp_path / "sub.age"
    sealed.write_bytes(seal(DATA, [recipient]))
    out = tmp_path / "out"
    argv = [age_bin(), "-d", "-i", str(key), "-o", str(out), str(sealed)]
    code, text = run_with_tty(argv, [PHRASE])
    assert code == 0, text
    assert out.read_bytes() == DATA
