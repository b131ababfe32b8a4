"""``intake keygen``: passphrase rules, file mode, never overwriting, and that the key loads."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import crypto
from crypto import HybridIdentity, X25519Identity, load_identity_file, parse_recipient
from intake.cli import main as cli_main
from intake.offline import keygen
from tests.support.cli import PASSPHRASE, assert_clean_failure, run_cli

pytestmark = pytest.mark.usefixtures("fast_scrypt")  # the default work factor is deliberately slow


@pytest.fixture
def pass_file(tmp_path: Path) -> Path:
    path = tmp_path / "pass.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


def test_creates_post_quantum_key_with_mode_0600(
    tmp_path: Path, pass_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "staff.key"
    assert cli_main(["keygen", "--out", str(out), "--passphrase-file", str(pass_file)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert b"AGE-SECRET-KEY" not in data
    (ident,) = load_identity_file(data, lambda: PASSPHRASE)
    assert isinstance(ident, HybridIdentity)
    printed = capsys.readouterr().out
    recipient_line = printed.strip().splitlines()[-1]
    assert parse_recipient(recipient_line) == ident.recipient()
    assert "Fingerprint: " in printed


def test_classic_flag_makes_x25519(tmp_path: Path, pass_file: Path) -> None:
    out = tmp_path / "staff.key"
    argv = ["keygen", "--classic", "-o", str(out), "--passphrase-file", str(pass_file)]
    assert cli_main(argv) == 0
    (ident,) = load_identity_file(out.read_bytes(), lambda: PASSPHRASE)
    assert isinstance(ident, X25519Identity)


def test_never_overwrites(
    tmp_path: Path, pass_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "staff.key"
    out.write_text("precious")
    assert cli_main(["keygen", "--out", str(out), "--passphrase-file", str(pass_file)]) == 1
    assert out.read_text() == "precious"
    assert "already exists" in capsys.readouterr().err


def test_short_passphrase_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = tmp_path / "p"
    short.write_text("elevenchars\n")
    out = tmp_path / "staff.key"
    assert cli_main(["keygen", "--out", str(out), "--passphrase-file", str(short)]) == 1
    assert not out.exists()
    assert "at least 12 characters" in capsys.readouterr().err


def test_missing_passphrase_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "staff.key"
    assert cli_main(["keygen", "--out", str(out), "--passphrase-file", str(tmp_path / "no")]) == 1
    assert "cannot read passphrase file" in capsys.readouterr().err


def test_tty_prompts_twice_and_must_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSPHRASE, PASSPHRASE + "x"] * keygen.ATTEMPTS)
    monkeypatch.setattr(keygen, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(keygen.getpass, "getpass", lambda prompt: next(answers))
    out = tmp_path / "staff.key"
    assert cli_main(["keygen", "--out", str(out)]) == 1
    assert "differ" in capsys.readouterr().err
    assert not out.exists()

    answers = iter([PASSPHRASE, PASSPHRASE])
    assert cli_main(["keygen", "--out", str(out)]) == 0
    assert load_identity_file(out.read_bytes(), lambda: PASSPHRASE)


def test_no_tty_and_no_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(keygen, "_stdin_is_tty", lambda: False)
    assert cli_main(["keygen", "--out", str(tmp_path / "k")]) == 1
    assert "--passphrase-file" in capsys.readouterr().err


# --- the real console script, as a new staff member meets it (QA) ----------------------------


def test_keygen_refuses_short_passphrase_and_existing_file(tmp_path: Path) -> None:
    short = tmp_path / "short"
    short.write_text("elevenchars\n")
    proc = run_cli("keygen", "--out", tmp_path / "k", "--passphrase-file", short, cwd=tmp_path)
    assert_clean_failure(proc)
    assert not (tmp_path / "k").exists()
    existing = tmp_path / "existing.key"
    existing.write_text("precious")
    good = tmp_path / "good"
    good.write_text(PASSPHRASE + "\n")
    proc = run_cli("keygen", "--out", existing, "--passphrase-file", good, "--classic")
    assert_clean_failure(proc)
    assert existing.read_text() == "precious"


def test_keygen_then_decrypt_with_passphrase_file(tmp_path: Path, server: Path) -> None:
    passfile = tmp_path / "pass"
    passfile.write_text(PASSPHRASE + "\n")
    key = tmp_path / "new.key"
    proc = run_cli("keygen", "--out", key, "--classic", "--passphrase-file", passfile)
    assert proc.returncode == 0, proc.stderr
    assert os.stat(key).st_mode & 0o777 == 0o600
    recipient = next(w for w in proc.stdout.split() if w.startswith("age1"))
    assert crypto.parse_recipient(recipient).post_quantum is False
    # the passphrase-protected file is a real identity: seal to it, decrypt with it
    sealed = tmp_path / "one.age"
    with sealed.open("wb") as f, crypto.encrypt(f, [crypto.parse_recipient(recipient)]) as w:
        w.write(b"not a tar")
    proc = run_cli(
        "decrypt", sealed, "-i", key, "--passphrase-file", passfile, "--out", tmp_path / "o"
    )
    assert "Traceback" not in proc.stderr
    assert "no matching key" not in proc.stderr  # it opened; the payload is just not a submission
