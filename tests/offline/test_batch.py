"""One ``intake decrypt`` run over many files: idempotent re-runs, conflicts, one bad file among
good ones, stale temp folders, a second concurrent run, files seen before under another name."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

from tests.support.cli import run_main
from tests.support.submissions import ID, seal_submission, sha256_of, write_manifest


def test_idempotent_rerun(tmp_path: Path, staff_key: Path, staff, capsys) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", out)[0] == 0
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    rc, stdout, err = run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", out)
    assert rc == 0
    assert "already decrypted" in stdout
    assert "0 decrypted, 1 already done, 0 failed" in err
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert len((out / "index.csv").read_text("utf-8-sig").splitlines()) == 2


def test_same_id_different_file_is_a_conflict(
    tmp_path: Path, staff_key: Path, staff, capsys
) -> None:
    out = tmp_path / "out"
    first = seal_submission(tmp_path, [staff.recipient()])
    assert run_main(capsys, "decrypt", first, "-i", staff_key, "-o", out)[0] == 0
    again = tmp_path / "again"
    again.mkdir()
    second = seal_submission(again, [staff.recipient()], story="something else")
    rc, _, err = run_main(capsys, "decrypt", second, "-i", staff_key, "-o", out)
    assert rc == 1
    assert "conflicts with an earlier decryption" in err
    assert [p.name for p in out.iterdir() if p.name.startswith(".intake-tmp")] == []


def test_batch_with_one_bad_file(tmp_path: Path, staff_key: Path, staff, capsys) -> None:
    export = tmp_path / "export"
    export.mkdir()
    files = [seal_submission(export, [staff.recipient()], f"01BATCH{i:02d}") for i in range(4)]
    write_manifest(export, files)
    bad = bytearray(files[1].read_bytes())
    bad[-20] ^= 0x80
    files[1].write_bytes(bytes(bad))
    out = tmp_path / "out"
    rc, _, err = run_main(capsys, "decrypt", export, "-i", staff_key, "-o", out)
    assert rc == 1
    assert "intake: error: 01BATCH01.age: damaged or tampered" in err
    assert "3 decrypted, 0 already done, 1 failed" in err
    assert "\r" not in err  # stderr is not a terminal: plain lines, no bar
    ids = [e["id"] for e in json.loads((out / "receipt.json").read_text())["decrypted"]]
    assert ids == ["01BATCH00", "01BATCH02", "01BATCH03"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and p.name[0] != ".") == ids


def test_stale_temp_folder_is_removed(tmp_path: Path, staff_key: Path, staff, capsys) -> None:
    out = tmp_path / "out"
    (out / ".intake-tmp-dead").mkdir(parents=True)
    (out / ".intake-tmp-dead" / "submission.json").write_text("{}")
    sealed = seal_submission(tmp_path, [staff.recipient()])
    rc, _, err = run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", out)
    assert rc == 0
    assert "removed .intake-tmp-dead" in err
    assert not (out / ".intake-tmp-dead").exists()


def test_second_concurrent_run_is_refused(tmp_path: Path, staff_key: Path, staff, capsys) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running `intake decrypt` holds it
        rc, _, err = run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", out)
    finally:
        os.close(fd)
    assert rc == 2
    assert "another intake decrypt is writing into it" in err
    assert list(out.iterdir()) == []


def test_same_file_under_another_name_is_skipped(
    tmp_path: Path, staff_key: Path, staff, capsys
) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", out)[0] == 0
    copy = tmp_path / "copy.age"
    shutil.copy(sealed, copy)
    rc, stdout, _ = run_main(capsys, "decrypt", copy, "-i", staff_key, "-o", out)
    assert rc == 0
    assert f"copy.age: same file as {sealed.name}, already decrypted (skipped)" in stdout


def test_rerun_after_an_interrupted_run_adopts_released_folders(
    tmp_path: Path, staff_key: Path, staff, capsys
) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", out)[0] == 0
    (out / "receipt.json").unlink()  # as if killed after the rename, before the receipt
    (out / "index.csv").unlink()
    rc, stdout, _ = run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", out)
    assert rc == 0
    assert "same submission already in" in stdout
    receipt = json.loads((out / "receipt.json").read_text())
    assert receipt["decrypted"] == [{"id": ID, "file": sealed.name, "sha256": sha256_of(sealed)}]
    assert (out / "index.csv").exists()


def test_same_submission_sealed_again_is_recorded_not_duplicated(
    tmp_path: Path, staff_key: Path, staff, capsys
) -> None:
    first = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run_main(capsys, "decrypt", first, "-i", staff_key, "-o", out)[0] == 0
    again = tmp_path / "again"
    again.mkdir()
    second = seal_submission(again, [staff.recipient()])  # same plaintext, new file key
    assert sha256_of(second) != sha256_of(first)
    rc, _, _ = run_main(capsys, "decrypt", second, "-i", staff_key, "-o", out)
    assert rc == 0
    (entry,) = json.loads((out / "receipt.json").read_text())["decrypted"]
    assert entry["sha256"] == sha256_of(second)
    assert sorted(p.name for p in out.iterdir() if p.name[0] != ".") == [
        ID, "index.csv", "index.html", "receipt.json"
    ]  # fmt: skip
