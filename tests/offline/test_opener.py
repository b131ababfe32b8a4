"""Opening one sealed file, all or nothing: a clear reason per bad file, and (property) any byte
flip, truncation or appended data is rejected with the output folder left exactly as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crypto
from intake.offline.open_errors import OpenError
from intake.offline.opener import open_sealed
from intake.offline.report import write_report
from tests.support.cli import assert_one_failure as _assert_one_failure
from tests.support.cli import run_main
from tests.support.sealing import seal_bytes
from tests.support.submissions import (
    HOSTILE,
    ID,
    PHOTO,
    make_tar,
    seal_submission,
    submission_dict,
    submission_tar,
)


def test_wrong_key(tmp_path: Path, staff_key: Path, capsys) -> None:
    other = crypto.generate_identity(post_quantum=False)
    sealed = seal_submission(tmp_path, [other.recipient()])
    rc, _, err = run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, sealed.name, "no matching key", tmp_path / "out")


def test_not_an_age_file(tmp_path: Path, staff_key: Path, capsys) -> None:
    bogus = tmp_path / "x.age"
    bogus.write_bytes(b"PK\x03\x04 this is a zip file" * 10)
    (tmp_path / "out").mkdir()
    rc, _, err = run_main(capsys, "decrypt", bogus, "-i", staff_key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, "x.age", "not an age file", tmp_path / "out")


@pytest.mark.parametrize("damage", ["truncate", "flip_payload", "flip_header", "armor"])
def test_damaged_files(tmp_path: Path, staff_key: Path, staff, damage: str, capsys) -> None:
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
    rc, _, err = run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, sealed.name, "damaged or tampered", tmp_path / "out")


def test_hostile_archive_sealed_with_staff_key(
    tmp_path: Path, staff_key: Path, staff, capsys
) -> None:
    sealed = tmp_path / "h.age"
    sealed.write_bytes(seal_bytes(make_tar(HOSTILE["symlink attachment"]), [staff.recipient()]))
    rc, _, err = run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", tmp_path / "out")
    _assert_one_failure(rc, err, "h.age", "not a valid submission", tmp_path / "out")
    assert "symbolic link refused" in err


# --- tampering, as a property -----------------------------------------------------------------


STAFF = crypto.generate_identity(post_quantum=False)


# two STREAM chunks, so flips land in a non-final chunk, the final chunk and the header
_FILES = {"attachments/1-photo.png": PHOTO * 70}


SEALED = seal_bytes(
    submission_tar(submission_dict(attachments=_FILES), _FILES), [STAFF.recipient()]
)


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _open(data: bytes) -> tuple[OpenError | None, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / f"{ID}.age", Path(tmp) / "out"
        out.mkdir()
        src.write_bytes(data)
        try:
            open_sealed(src, [STAFF], out, finish=lambda ex, tmp, _sha: write_report(ex, tmp))
        except OpenError as exc:
            return exc, [p.name for p in out.iterdir()]
        return None, [p.name for p in out.iterdir()]


def test_untouched_file_opens() -> None:
    assert len(SEALED) > 64 * 1024  # at least two chunks
    error, left = _open(SEALED)
    assert error is None
    assert left == ["01TESTSUBMISSION01"]


@_SETTINGS
@given(position=st.integers(0, len(SEALED) - 1), bit=st.integers(0, 7))
def test_any_bit_flip_is_rejected_leaving_nothing(position: int, bit: int) -> None:
    data = bytearray(SEALED)
    data[position] ^= 1 << bit
    error, left = _open(bytes(data))
    assert error is not None, f"flip at {position} accepted"
    assert left == []


@_SETTINGS
@given(length=st.integers(0, len(SEALED) - 1))
def test_any_truncation_is_rejected_leaving_nothing(length: int) -> None:
    error, left = _open(SEALED[:length])
    assert error is not None
    assert left == []


@pytest.mark.parametrize("extra", [b"\0", b"garbage", bytes(64 * 1024 + 17)])
def test_appended_data_is_rejected(extra: bytes) -> None:
    error, left = _open(SEALED + extra)
    assert error is not None
    assert error.kind == "damaged or tampered"
    assert left == []
