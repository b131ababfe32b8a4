"""Progress output: a bar on a terminal, plain lines otherwise; the passphrase is asked once."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_offline_support import seal_bytes

import crypto
from intake.offline.identities import IdentityLoadError, load_identities
from intake.offline.progress import Progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_only_on_a_terminal_and_lines_stay_readable() -> None:
    out, err = io.StringIO(), _Tty()
    ui = Progress(3, out=out, err=err)
    ui.advance()
    ui.say("a.age: decrypted")
    ui.say("intake: error: b.age: damaged or tampered", error=True)
    ui.advance()
    ui.close()
    assert out.getvalue() == "a.age: decrypted\n"
    assert "[##########....................] 1/3" in err.getvalue()
    assert "\r\x1b[2Kintake: error: b.age: damaged or tampered\n" in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[2K")  # the bar is removed at the end

    plain = io.StringIO()
    quiet = Progress(3, out=out, err=plain)
    quiet.advance()
    quiet.say("x", error=True)
    assert plain.getvalue() == "x\n"


def test_single_file_has_no_bar() -> None:
    err = _Tty()
    ui = Progress(1, out=io.StringIO(), err=err)
    ui.advance()
    assert err.getvalue() == ""


def _protected(path: Path, identity: crypto.Identity, passphrase: str) -> Path:
    recipient = crypto.PassphraseRecipient(passphrase, work_factor=10)
    path.write_bytes(seal_bytes(f"{identity}\n".encode(), [recipient]))
    return path


def test_passphrase_asked_once_for_several_protected_keys(tmp_path: Path) -> None:
    keys = [crypto.generate_identity(post_quantum=False) for _ in range(2)]
    files = [_protected(tmp_path / f"k{i}", k, "one passphrase") for i, k in enumerate(keys)]
    plain = tmp_path / "plain.key"
    plain.write_text(f"{crypto.generate_identity(post_quantum=False)}\n")
    asked: list[int] = []

    def ask() -> str:
        asked.append(1)
        return "one passphrase"

    loaded = load_identities([*files, plain], ask=ask)
    assert len(loaded) == 3
    assert asked == [1]
    assert len(load_identities([plain], ask=ask)) == 1
    assert asked == [1]  # not asked again, and never for plain keys


def test_no_terminal_and_no_passphrase_file(tmp_path: Path, monkeypatch) -> None:
    key = _protected(tmp_path / "k", crypto.generate_identity(post_quantum=False), "pw")
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(IdentityLoadError, match="use --passphrase-file"):
        load_identities([key])
