"""``intake decrypt`` against files sealed with stock age that once cost far more than their size
or took what was not theirs (attack report 2, findings F1–F4, F6, F8).

Before: 50,000 option ids (0.4 MB) took 58 s in the indexes and 150,000 answers widened every row
of index.csv by 150,000 cells for good (both accepted, rc 0); 80 MB of PAX headers took 750 MB;
a file named ``…000.age`` holding the id of the real ``…001.age`` took its folder and the real one
was refused; a submission called ``uwazi`` was "decrypted" into the Uwazi folder and listed
nowhere; a second tar after the end of the first was accepted when it fell in the first MiB.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

import pytest

from tests.support.sticks import (
    StaffKey,
    age_keygen,
    age_seal,
    error_lines,
    intake,
    seal_submission,
    submission,
    tar_of,
)


@pytest.fixture
def key(tmp_path: Path) -> StaffKey:
    return age_keygen(tmp_path)


def _decrypt(tmp_path: Path, key: StaffKey, src: Path) -> tuple[int, str, str]:
    run = intake("decrypt", src, "-i", key.identity, "-o", tmp_path / "out", cwd=tmp_path)
    return run.returncode, run.stdout, run.stderr


def _stick(tmp_path: Path) -> Path:
    src = tmp_path / "stick"
    src.mkdir()
    return src


def _only_error(stderr: str, name: str) -> str:
    (line,) = error_lines(stderr)
    assert line.startswith(f"intake: error: {name}: "), line
    return line


def test_fifty_thousand_option_ids_are_refused_and_the_batch_goes_on(
    tmp_path: Path, key: StaffKey
) -> None:
    src = _stick(tmp_path)
    ids = [f"o{n}" for n in range(50_000)]
    answer = {"question_id": "m", "type": "multi_choice", "prompt": "Which?", "value": ids}
    seal_submission(submission("bomb", answers=[answer]), key.recipient, src / "bomb.age")
    seal_submission(submission("good"), key.recipient, src / "good.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 1, err
    line = _only_error(err, "bomb.age")
    assert "answers[0].value: 50,000 items, more than the 256 allowed" in line
    assert "1 decrypted, 0 already done, 1 failed" in err
    assert (tmp_path / "out" / "good" / "report.html").is_file()


def test_a_hundred_and_fifty_thousand_answers_are_refused(tmp_path: Path, key: StaffKey) -> None:
    src = _stick(tmp_path)
    answers = [
        {"question_id": f"q{n}", "type": "text", "prompt": "?", "value": "x"}
        for n in range(150_000)
    ]
    seal_submission(submission("wide", answers=answers), key.recipient, src / "wide.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 1, err
    line = _only_error(err, "wide.age")
    assert "answers: 150,000 question ids, more than the 1,000 answers" in line
    assert not (tmp_path / "out").exists()


def test_an_option_id_that_is_not_an_id_is_refused(tmp_path: Path, key: StaffKey) -> None:
    src = _stick(tmp_path)
    answer = {"question_id": "c", "type": "choice", "prompt": "?", "value": "k\u2029\u202e1"}
    seal_submission(submission("odd", answers=[answer]), key.recipient, src / "odd.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 1
    assert "is not a valid option id" in _only_error(err, "odd.age")


def test_unknown_questionnaires_cannot_widen_the_indexes_past_their_bound(
    tmp_path: Path, key: StaffKey
) -> None:
    """Each file is within the limits of one submission; together they would add 2,400 columns."""
    src = _stick(tmp_path)
    for n in range(3):
        answers = [
            {"question_id": f"f{n}_{i}", "type": "text", "prompt": "?", "value": "x"}
            for i in range(800)
        ]
        sub = submission(f"wide{n}", answers=answers, submitted_at=f"2026-11-2{n}T10:00:00Z")
        seal_submission(sub, key.recipient, src / f"wide{n}.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 0, err
    warned = [line for line in err.splitlines() if "no column in the indexes" in line]
    assert len(warned) == 2, err  # the first fits, the two after it are capped
    assert "wide1: some answers have no column" in warned[0]
    assert "--questionnaire FILE" in warned[0]
    header = (tmp_path / "out" / "index.csv").read_text("utf-8-sig").splitlines()[0]
    fixed = 12  # receipt, ids, dates, language, … and the follow-up case link and addition
    assert len(header.split(",")) <= fixed + 1000


def test_a_folder_of_an_older_version_beyond_the_limits_does_not_widen_the_indexes(
    tmp_path: Path, key: StaffKey
) -> None:
    src = _stick(tmp_path)
    seal_submission(submission("first"), key.recipient, src / "first.age")
    assert _decrypt(tmp_path, key, src)[0] == 0
    out = tmp_path / "out"
    # what an older version left: a released folder whose summary holds 150,000 answers
    summary = json.loads((out / "first" / "summary.json").read_text("utf-8"))
    summary["row"]["id"] = "planted"
    shape = summary["row"]["a"][0]  # one answer as this version writes it
    summary["row"]["a"] = [[f"q{n}", *shape[1:]] for n in range(150_000)]
    (out / "planted").mkdir()
    (out / "planted" / "summary.json").write_text(json.dumps(summary), "utf-8")
    (tmp_path / "again").mkdir()
    second = _stick(tmp_path / "again")
    seal_submission(submission("second"), key.recipient, second / "second.age")
    rc, _, err = _decrypt(tmp_path, key, second)
    assert rc == 0, err
    assert "planted: skipped in the indexes (150,000 answers, more than the 1,000" in err
    assert "move the folder out of the output folder" in err
    assert (out / "index.csv").stat().st_size < 10_000


def _pax_header(records: bytes) -> bytes:
    info = tarfile.TarInfo("././@PaxHeader")
    info.type, info.size = tarfile.XHDTYPE, len(records)
    return info.tobuf(tarfile.USTAR_FORMAT) + records + bytes(-len(records) % 512)


def _member(name: str, data: bytes) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    return info.tobuf(tarfile.USTAR_FORMAT) + data + bytes(-len(data) % 512)


def test_a_second_pax_header_for_one_member_is_refused(tmp_path: Path, key: StaffKey) -> None:
    src = _stick(tmp_path)
    body = json.dumps(submission("pax")).encode()
    tar = _pax_header(b"8 k0=ab\n") + _pax_header(b"8 k1=ab\n") + _member("submission.json", body)
    rest = _member("attachments/1-x.bin", b"\x01" * (3 << 20))  # past the buffered MiB
    age_seal(tar + rest + bytes(1024), key.recipient, src / "pax.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 1
    assert "more than one PAX header for one member" in _only_error(err, "pax.age")


@pytest.mark.parametrize("size", ["\u00b2", "\u0661\u0660\u0660"])
def test_a_pax_size_in_other_digits_is_refused(tmp_path: Path, key: StaffKey, size: str) -> None:
    src = _stick(tmp_path)
    body = json.dumps(submission("digits")).encode()
    record = f" size={size}\n".encode()
    length = len(record) + 2
    pax = _pax_header(str(length).encode() + record)
    age_seal(pax + _member("submission.json", body) + bytes(1024), key.recipient, src / "d.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 1
    assert "invalid PAX size" in _only_error(err, "d.age")


def test_a_tar_hidden_after_the_end_of_the_archive_is_refused(
    tmp_path: Path, key: StaffKey
) -> None:
    src = _stick(tmp_path)
    visible = tar_of({"submission.json": json.dumps(submission("visible")).encode()})
    hidden = tar_of({"hidden.txt": b"not listed anywhere"})
    age_seal(visible + hidden, key.recipient, src / "visible.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 1
    assert "unexpected data after the end of the archive" in _only_error(err, "visible.age")


def _manifest(src: Path, entries: list[dict[str, object]]) -> None:
    for entry in entries:
        data = (src / str(entry["file"])).read_bytes()
        entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    body = {"format": "witness-intake/export/v1", "submissions": entries}
    (src / "manifest.json").write_text(json.dumps(body), "utf-8")


def test_a_forged_file_cannot_take_a_real_submissions_folder(tmp_path: Path, key: StaffKey) -> None:
    src = _stick(tmp_path)
    real = "01JREAL000000001"
    seal_submission(submission(real), key.recipient, src / f"{real}.age")
    _manifest(src, [{"id": real, "file": f"{real}.age"}])
    forged = submission(real, answers=[{"question_id": "only", "type": "text",
                                        "prompt": "Tell us.", "value": "FORGED"}])  # fmt: skip
    seal_submission(forged, key.recipient, src / "01JREAL000000000.age")  # sorts first
    rc, out, err = _decrypt(tmp_path, key, src)
    assert rc == 1, err
    line = _only_error(err, "01JREAL000000000.age")  # opened after the listed one…
    assert f"not listed in manifest.json (yet it holds {real}, which manifest.json" in line
    assert "may be a forgery" in line
    assert f"{real}.age: decrypted" in out
    (src / "manifest.json").unlink()
    (src / f"{real}.age").unlink()
    (tmp_path / "alone").mkdir()
    rc, _, err = _decrypt(tmp_path / "alone", key, src)  # …and alone, without a manifest
    line = _only_error(err, "01JREAL000000000.age")
    assert f"not named after the submission it holds (it holds submission {real}" in line
    assert "may be a forgery" in line
    saved = json.loads((tmp_path / "out" / real / "submission.json").read_text("utf-8"))
    assert saved["answers"][0]["value"] == "x"  # the real testimony, not the forged one


def test_listed_files_are_opened_first_and_an_unlisted_one_cannot_take_a_listed_id(
    tmp_path: Path, key: StaffKey
) -> None:
    src = _stick(tmp_path)
    seal_submission(submission("b-listed"), key.recipient, src / "b-listed.age")
    seal_submission(submission("a-unlisted"), key.recipient, src / "a-unlisted.age")
    seal_submission(submission("c-real"), key.recipient, src / "c-real.age")
    # an export that named a file otherwise than its id: an unlisted file may not hold that id
    seal_submission(submission("c-real"), key.recipient, src / "c-export.age")
    _manifest(src, [{"id": "b-listed", "file": "b-listed.age"},
                    {"id": "c-real", "file": "c-export.age"}])  # fmt: skip
    rc, out, err = _decrypt(tmp_path, key, src)
    assert rc == 1, err
    order = [line.split(":")[0] for line in out.splitlines() if ": decrypted" in line]
    assert order == ["b-listed.age", "a-unlisted.age"]  # listed first, whatever the names
    lines = error_lines(err)
    assert any(
        line.startswith("intake: error: c-real.age: not listed in manifest.json (yet it holds "
                        "c-real, which manifest.json lists for another file")
        for line in lines
    ), err  # fmt: skip
    assert any(line.startswith("intake: error: c-export.age: not named after") for line in lines)


@pytest.mark.parametrize("reserved", ["uwazi", "UWAZI", "index", "receipt"])
def test_an_id_the_output_folder_uses_itself_is_refused(
    tmp_path: Path, key: StaffKey, reserved: str
) -> None:
    src = _stick(tmp_path)
    seal_submission(submission(reserved), key.recipient, src / f"{reserved}.age")
    seal_submission(submission("legit"), key.recipient, src / "legit.age")
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 1, err
    line = _only_error(err, f"{reserved}.age")
    assert "a name the output folder uses for itself (reserved)" in line
    assert not (tmp_path / "out" / reserved).exists()
    receipt = json.loads((tmp_path / "out" / "receipt.json").read_text("utf-8"))
    assert [e["id"] for e in receipt["decrypted"]] == ["legit"]


def test_a_manifest_with_a_duplicate_key_says_so(tmp_path: Path, key: StaffKey) -> None:
    src = _stick(tmp_path)
    seal_submission(submission("one"), key.recipient, src / "one.age")
    (src / "manifest.json").write_bytes(b'{"format":"a","format":"b"}')
    rc, _, err = _decrypt(tmp_path, key, src)
    assert rc == 0, err
    assert "manifest.json: unreadable from the start (duplicate key 'format')" in err
