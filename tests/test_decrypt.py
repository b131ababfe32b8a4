"""``intake decrypt`` end to end: real sealed files in tmp dirs, one clear line per bad file."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_offline_support import (
    PHOTO,
    seal_bytes,
    seal_submission,
    submission_dict,
    submission_tar,
    write_identity,
)

import crypto
from intake.cli import main as cli

ID = "01TESTSUBMISSION01"


@pytest.fixture(scope="module")
def staff() -> crypto.Identity:
    return crypto.generate_identity(post_quantum=False)


@pytest.fixture
def key(tmp_path: Path, staff: crypto.Identity) -> Path:
    return write_identity(tmp_path / "staff.key", staff)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    rc = cli(["decrypt", *map(str, argv)])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_round_trip(tmp_path: Path, key: Path, staff: crypto.Identity, capsys) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    rc, stdout, _ = run(capsys, sealed, "-i", key, "--out", out)
    assert rc == 0
    folder = out / ID
    assert sorted(p.name for p in out.iterdir()) == [ID, "index.csv", "receipt.json"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "attachments",
        "report.html",
        "submission.json",
    ]
    assert (folder / "attachments/1-photo.png").read_bytes() == PHOTO
    assert json.loads((folder / "submission.json").read_text())["submission_id"] == ID
    assert "report.html" in stdout
    receipt = json.loads((out / "receipt.json").read_text())
    assert receipt["format"] == "witness-intake/receipt/v1"
    assert receipt["decrypted"] == [
        {"id": ID, "file": sealed.name, "sha256": _sha(sealed)},
    ]
    rows = list(csv.reader((out / "index.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["submission_id", "receipt", "submitted_at", "language",
                       "detained", "story", "age", "photos"]  # fmt: skip
    assert rows[1][:4] == [ID, "K7QX-29MD", "2026-11-25T14:03:07Z", "en"]


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_post_quantum_key_protected_by_passphrase(tmp_path: Path, capsys) -> None:
    identity = crypto.generate_identity(post_quantum=True)
    protected = tmp_path / "staff.key"
    protected.write_bytes(
        seal_bytes(
            f"{identity}\n".encode(),
            [crypto.PassphraseRecipient("correct horse battery", work_factor=10)],
        )
    )
    (tmp_path / "pass").write_text("correct horse battery\n")
    sealed = seal_submission(tmp_path, [identity.recipient()])
    rc, _, err = run(capsys, sealed, "-i", protected, "--passphrase-file", tmp_path / "pass",
                     "-o", tmp_path / "out")  # fmt: skip
    assert rc == 0, err
    (tmp_path / "pass").write_text("wrong passphrase!!\n")
    rc, _, err = run(capsys, sealed, "-i", protected, "--passphrase-file", tmp_path / "pass",
                     "-o", tmp_path / "out2")  # fmt: skip
    assert rc == 2
    assert "staff.key: wrong passphrase" in err
    assert not (tmp_path / "out2").exists()


def _assert_one_failure(rc: int, err: str, name: str, kind: str, out: Path) -> None:
    assert rc == 1
    lines = [ln for ln in err.splitlines() if ln.startswith("intake: error:")]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"intake: error: {name}: {kind}"), lines[0]
    assert not out.exists() or list(out.iterdir()) == []


def test_wrong_key(tmp_path: Path, key: Path, capsys) -> None:
    other = crypto.generate_identity(post_quantum=False)
    sealed = seal_submission(tmp_path, [other.recipient()])
    rc, _, err = run(capsys, sealed, "-i", key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, sealed.name, "no matching key", tmp_path / "out")


def test_not_an_age_file(tmp_path: Path, key: Path, capsys) -> None:
    bogus = tmp_path / "x.age"
    bogus.write_bytes(b"PK\x03\x04 this is a zip file" * 10)
    (tmp_path / "out").mkdir()
    rc, _, err = run(capsys, bogus, "-i", key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, "x.age", "not an age file", tmp_path / "out")


@pytest.mark.parametrize("damage", ["truncate", "flip_payload", "flip_header", "armor"])
def test_damaged_files(tmp_path: Path, key: Path, staff, damage: str, capsys) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    data = bytearray(sealed.read_bytes())
    if damage == "truncate":
        data = data[:-100]
    elif damage == "flip_payload":
        data[-50] ^= 1
    elif damage == "flip_header":
        data[data.index(b"\n---") + 8] ^= 1  # inside the header MAC
    else:
        armored = tmp_path / "a.age"
        with armored.open("wb") as f, crypto.encrypt(f, [staff.recipient()], armor=True) as w:
            w.write(submission_tar(submission_dict()))
        lines = armored.read_bytes().split(b"\n")
        lines[3] = lines[3][:-2] + b"!!"
        data = bytearray(b"\n".join(lines))
    sealed.write_bytes(bytes(data))
    rc, _, err = run(capsys, sealed, "-i", key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, sealed.name, "damaged or tampered", tmp_path / "out")


def test_hostile_archive_sealed_with_staff_key(tmp_path: Path, key: Path, staff, capsys) -> None:
    from test_offline_extract import HOSTILE, make_tar

    sealed = tmp_path / "h.age"
    sealed.write_bytes(seal_bytes(make_tar(HOSTILE["symlink attachment"]), [staff.recipient()]))
    rc, _, err = run(capsys, sealed, "-i", key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, "h.age", "not a valid submission", tmp_path / "out")
    assert "symbolic link refused" in err


def test_idempotent_rerun(tmp_path: Path, key: Path, staff, capsys) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run(capsys, sealed, "-i", key, "-o", out)[0] == 0
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    rc, stdout, err = run(capsys, sealed, "-i", key, "-o", out)
    assert rc == 0
    assert "already decrypted" in stdout
    assert "0 decrypted, 1 already done, 0 failed" in err
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert len((out / "index.csv").read_text("utf-8-sig").splitlines()) == 2


def test_same_id_different_file_is_a_conflict(tmp_path: Path, key: Path, staff, capsys) -> None:
    out = tmp_path / "out"
    first = seal_submission(tmp_path, [staff.recipient()])
    assert run(capsys, first, "-i", key, "-o", out)[0] == 0
    again = tmp_path / "again"
    again.mkdir()
    second = seal_submission(again, [staff.recipient()], story="something else")
    rc, _, err = run(capsys, second, "-i", key, "-o", out)
    assert rc == 1
    assert "conflicts with an earlier decryption" in err
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def _export(folder: Path, files: list[Path]) -> None:
    manifest = {
        "format": "witness-intake/export/v1",
        "submissions": [
            {"id": f.stem, "file": f.name, "sha256": _sha(f), "size": f.stat().st_size}
            for f in files
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_batch_with_one_bad_file(tmp_path: Path, key: Path, staff, capsys) -> None:
    export = tmp_path / "export"
    export.mkdir()
    files = [seal_submission(export, [staff.recipient()], f"01BATCH{i:02d}") for i in range(4)]
    _export(export, files)
    bad = bytearray(files[1].read_bytes())
    bad[-20] ^= 0x80
    files[1].write_bytes(bytes(bad))
    out = tmp_path / "out"
    rc, _, err = run(capsys, export, "-i", key, "-o", out)
    assert rc == 1
    assert "intake: error: 01BATCH01.age: damaged or tampered" in err
    assert "3 decrypted, 0 already done, 1 failed" in err
    assert "\r" not in err  # stderr is not a terminal: plain lines, no bar
    ids = [e["id"] for e in json.loads((out / "receipt.json").read_text())["decrypted"]]
    assert ids == ["01BATCH00", "01BATCH02", "01BATCH03"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ids


def test_manifest_mismatches(tmp_path: Path, key: Path, staff, capsys) -> None:
    export = tmp_path / "export"
    export.mkdir()
    files = [seal_submission(export, [staff.recipient()], f"01MANI{i:02d}") for i in range(3)]
    _export(export, files)
    files[0].unlink()  # listed but missing
    with files[1].open("ab") as f:  # size differs
        f.write(b"\0")
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(seal_submission(other, [staff.recipient()], "01MANI02"), files[2])  # same size
    rc, _, err = run(capsys, export, "-i", key, "-o", tmp_path / "out")
    assert rc == 1
    assert "01MANI00.age: listed in manifest.json but missing" in err
    assert "01MANI01.age: does not match manifest.json (size" in err
    assert "01MANI02.age: does not match manifest.json (sha256" in err
    assert not (tmp_path / "out").exists()


def test_stale_temp_folder_is_removed(tmp_path: Path, key: Path, staff, capsys) -> None:
    out = tmp_path / "out"
    (out / ".intake-tmp-dead").mkdir(parents=True)
    (out / ".intake-tmp-dead" / "submission.json").write_text("{}")
    sealed = seal_submission(tmp_path, [staff.recipient()])
    rc, _, err = run(capsys, sealed, "-i", key, "-o", out)
    assert rc == 0
    assert "removed .intake-tmp-dead" in err
    assert not (out / ".intake-tmp-dead").exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing_src", "no such file or folder"),
        ("missing_key", "cannot read identity file"),
        ("bad_key", "staff.key"),
        ("empty_folder", "no .age files"),
    ],
)
def test_usage_errors(tmp_path: Path, key: Path, setup: str, message: str, capsys) -> None:
    src, ident = tmp_path / "x.age", key
    if setup == "missing_src":
        pass
    elif setup == "missing_key":
        src.write_bytes(b"x")
        ident = tmp_path / "nope.key"
    elif setup == "bad_key":
        src.write_bytes(b"x")
        key.write_text("AGE-SECRET-KEY-1NOTAKEY\n")
    else:
        src = tmp_path / "empty"
        src.mkdir()
    rc, _, err = run(capsys, src, "-i", ident, "-o", tmp_path / "out")
    assert rc == 2
    assert err.startswith("intake: error:")
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(shutil.which("age") is None, reason="Debian age CLI not installed")
def test_stock_age_interop_both_ways(tmp_path: Path, key: Path, staff, capsys) -> None:
    # stock age seals a tar we made; intake decrypt opens it
    plain = tmp_path / "s.tar"
    plain.write_bytes(submission_tar(submission_dict("01STOCKAGE")))
    sealed = tmp_path / "01STOCKAGE.age"
    subprocess.run(["age", "-e", "-r", str(staff.recipient()), "-o", str(sealed), str(plain)],
                   check=True)  # fmt: skip
    assert run(capsys, sealed, "-i", key, "-o", tmp_path / "out")[0] == 0
    # our sealed file opens with `age -d -i KEY FILE | tar -x`
    ours = seal_submission(tmp_path, [staff.recipient()])
    dest = tmp_path / "tarx"
    dest.mkdir()
    age = subprocess.Popen(["age", "-d", "-i", str(key), str(ours)], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(dest)], stdin=age.stdout, check=True)
    assert age.wait() == 0
    assert (dest / "attachments/1-photo.png").read_bytes() == PHOTO


def test_second_concurrent_run_is_refused(tmp_path: Path, key: Path, staff, capsys) -> None:
    import fcntl
    import os

    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running `intake decrypt` holds it
        rc, _, err = run(capsys, sealed, "-i", key, "-o", out)
    finally:
        os.close(fd)
    assert rc == 2
    assert "another intake decrypt is writing into it" in err
    assert list(out.iterdir()) == []


def test_same_file_under_another_name_is_skipped(tmp_path: Path, key: Path, staff, capsys) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run(capsys, sealed, "-i", key, "-o", out)[0] == 0
    copy = tmp_path / "copy.age"
    shutil.copy(sealed, copy)
    rc, stdout, _ = run(capsys, copy, "-i", key, "-o", out)
    assert rc == 0
    assert f"copy.age: same file as {sealed.name}, already decrypted (skipped)" in stdout


def test_rerun_after_an_interrupted_run_adopts_released_folders(
    tmp_path: Path, key: Path, staff, capsys
) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run(capsys, sealed, "-i", key, "-o", out)[0] == 0
    (out / "receipt.json").unlink()  # as if killed after the rename, before the receipt
    (out / "index.csv").unlink()
    rc, stdout, _ = run(capsys, sealed, "-i", key, "-o", out)
    assert rc == 0
    assert "same submission already in" in stdout
    receipt = json.loads((out / "receipt.json").read_text())
    assert receipt["decrypted"] == [{"id": ID, "file": sealed.name, "sha256": _sha(sealed)}]
    assert (out / "index.csv").exists()


def test_same_submission_sealed_again_is_recorded_not_duplicated(
    tmp_path: Path, key: Path, staff, capsys
) -> None:
    first = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    assert run(capsys, first, "-i", key, "-o", out)[0] == 0
    again = tmp_path / "again"
    again.mkdir()
    second = seal_submission(again, [staff.recipient()])  # same plaintext, new file key
    assert _sha(second) != _sha(first)
    rc, _, _ = run(capsys, second, "-i", key, "-o", out)
    assert rc == 0
    (entry,) = json.loads((out / "receipt.json").read_text())["decrypted"]
    assert entry["sha256"] == _sha(second)
    assert sorted(p.name for p in out.iterdir()) == [ID, "index.csv", "receipt.json"]
