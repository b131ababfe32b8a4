"""``intake decrypt`` end to end: real sealed files in tmp dirs, the output folder's layout, keys
protected by a passphrase, and one clear line for each usage error."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import crypto
from tests.support.cli import assert_clean_failure, run_cli, run_main
from tests.support.sealing import seal_bytes, write_identity
from tests.support.submissions import ID, PHOTO, seal_submission, sha256_of


def test_round_trip(tmp_path: Path, staff_key: Path, staff: crypto.Identity, capsys) -> None:
    sealed = seal_submission(tmp_path, [staff.recipient()])
    out = tmp_path / "out"
    rc, stdout, _ = run_main(capsys, "decrypt", sealed, "-i", staff_key, "--out", out)
    assert rc == 0
    folder = out / ID
    assert sorted(p.name for p in out.iterdir()) == [
        ".intake-index", ID, "index.csv", "index.html", "receipt.json"
    ]  # fmt: skip
    assert sorted(p.name for p in folder.iterdir()) == [
        "attachments",
        "custody.json",
        "report.html",
        "submission.json",
        "summary.json",
    ]
    assert (folder / "attachments/1-photo.png").read_bytes() == PHOTO
    assert json.loads((folder / "submission.json").read_text())["submission_id"] == ID
    assert "report.html" in stdout
    receipt = json.loads((out / "receipt.json").read_text())
    assert receipt["format"] == "witness-intake/receipt/v1"
    assert receipt["decrypted"] == [
        {"id": ID, "file": sealed.name, "sha256": sha256_of(sealed)},
    ]
    rows = list(csv.reader((out / "index.csv").open(encoding="utf-8-sig")))
    assert rows[0][:4] == ["Receipt code", "Submission id", "Submitted (UTC)", "Witness's language"]
    said = ["Age? (as written)", "Age? (approximate)", "Age? (range from)", "Age? (range to)"]
    assert rows[0][10:-2] == [
        "Detained?",
        "Detained? (code)",
        "What happened?",
        "Age?",
        *said,
        "Photos?",
    ]
    assert rows[0][-2:] == ["Case link", "Addition"]  # last: the follow-up columns
    assert rows[1][:4] == ["K7QX-29MD", ID, "2026-11-25 14:03:07", "en"]


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
    rc, _, err = run_main(capsys, "decrypt", sealed, "-i", protected, "--passphrase-file",
                          tmp_path / "pass", "-o", tmp_path / "out")  # fmt: skip
    assert rc == 0, err
    (tmp_path / "pass").write_text("wrong passphrase!!\n")
    rc, _, err = run_main(capsys, "decrypt", sealed, "-i", protected, "--passphrase-file",
                          tmp_path / "pass", "-o", tmp_path / "out2")  # fmt: skip
    assert rc == 2
    assert "staff.key: wrong passphrase" in err
    assert not (tmp_path / "out2").exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing_src", "no such file or folder"),
        ("missing_key", "cannot read identity file"),
        ("bad_key", "staff.key"),
        ("empty_folder", "no .age files"),
    ],
)
def test_usage_errors(tmp_path: Path, staff_key: Path, setup: str, message: str, capsys) -> None:
    src, ident = tmp_path / "x.age", staff_key
    if setup == "missing_src":
        pass
    elif setup == "missing_key":
        src.write_bytes(b"x")
        ident = tmp_path / "nope.key"
    elif setup == "bad_key":
        src.write_bytes(b"x")
        staff_key.write_text("AGE-SECRET-KEY-1NOTAKEY\n")
    else:
        src = tmp_path / "empty"
        src.mkdir()
    rc, _, err = run_main(capsys, "decrypt", src, "-i", ident, "-o", tmp_path / "out")
    assert rc == 2
    assert err.startswith("intake: error:")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_decrypt_bad_sources(tmp_path: Path, staff: crypto.Identity, server: Path) -> None:
    staff_key = write_identity(tmp_path / "staff.key", staff)
    proc = run_cli("decrypt", tmp_path / "nope", "-i", staff_key, "--out", tmp_path / "o1")
    assert_clean_failure(proc, 2)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_clean_failure(run_cli("decrypt", empty, "-i", staff_key, "--out", tmp_path / "o2"), 2)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "x.age").write_text("hello")
    proc = run_cli("decrypt", junk, "-i", staff_key, "--out", tmp_path / "o3")
    assert_clean_failure(proc, 1)
    assert "x.age" in proc.stderr
    assert not (tmp_path / "o3").exists()
    (sealed,) = list((server / "outbox").glob("*.age"))
    (tmp_path / "other").mkdir()
    wrong = write_identity(
        tmp_path / "other" / "staff.key", crypto.generate_identity(post_quantum=False)
    )
    proc = run_cli("decrypt", sealed, "-i", wrong, "--out", tmp_path / "o4")
    assert_clean_failure(proc, 1)
    assert "no matching key" in proc.stderr
    truncated = tmp_path / "t.age"
    truncated.write_bytes(sealed.read_bytes()[:-20])
    proc = run_cli("decrypt", truncated, "-i", staff_key, "--out", tmp_path / "o5")
    assert_clean_failure(proc, 1)
    assert "damaged or tampered" in proc.stderr
    assert not (tmp_path / "o5").exists()
