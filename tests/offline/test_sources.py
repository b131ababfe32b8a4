"""What ``intake decrypt`` reads: an export folder is checked against its manifest first."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import run_main
from tests.support.submissions import seal_submission, write_manifest


def test_manifest_mismatches(tmp_path: Path, staff_key: Path, staff, capsys) -> None:
    export = tmp_path / "export"
    export.mkdir()
    files = [seal_submission(export, [staff.recipient()], f"01MANI{i:02d}") for i in range(3)]
    write_manifest(export, files)
    files[0].unlink()  # listed but missing
    with files[1].open("ab") as f:  # size differs
        f.write(b"\0")
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(seal_submission(other, [staff.recipient()], "01MANI02"), files[2])  # same size
    rc, _, err = run_main(capsys, "decrypt", export, "-i", staff_key, "-o", tmp_path / "out")
    assert rc == 1
    assert "01MANI00.age: listed in manifest.json but missing" in err
    assert "01MANI01.age: does not match manifest.json (size" in err
    assert "01MANI02.age: does not match manifest.json (sha256" in err
    assert not (tmp_path / "out").exists()
