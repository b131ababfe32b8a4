"""Staff identity files: the passphrase is asked once, and never without a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import crypto
from intake.offline.identities import IdentityLoadError, load_identities
from tests.support.sealing import seal_bytes


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
