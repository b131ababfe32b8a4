"""Staff key files: how the passphrase file is read."""

from __future__ import annotations

from pathlib import Path

from intake.offline import keygen


def test_passphrase_file_first_line_only_crlf_stripped(tmp_path: Path) -> None:
    path = tmp_path / "p"
    path.write_bytes(b"twelve chars ok\r\nsecond line\n")
    assert keygen.read_passphrase_file(path) == "twelve chars ok"
