"""``intake keygen``: passphrase rules, file mode, never overwriting, and that the key loads."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from crypto import HybridIdentity, X25519Identity, load_identity_file, parse_recipient
from intake.cli import main as cli_main
from intake.offline import keygen

PASSPHRASE = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keygen, "WORK_FACTOR", 10)  # the default is deliberately slow


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


def test_passphrase_file_first_line_only_crlf_stripped(tmp_path: Path) -> None:
    path = tmp_path / "p"
    path.write_bytes(b"twelve chars ok\r\nsecond line\n")
    assert keygen.read_passphrase_file(path) == "twelve chars ok"


def test_missing_passphrase_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "staff.key"
    assert cli_main(["keygen", "--out", str(out), "--passphrase-file", str(tmp_path / "no")]) == 1
    assert "cannot read passphrase file" in capsys.readouterr().err


def test_tty_prompts_twice_and_must_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSPHRASE, PASSPHRASE + "x"])
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
