"""Property: any byte flip, truncation or appended data in a sealed file is rejected, and the
output folder is left exactly as it was (empty)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_offline_support import PHOTO, seal_bytes, submission_dict, submission_tar

import crypto
from intake.offline.open_errors import OpenError
from intake.offline.opener import open_sealed
from intake.offline.report import write_report

STAFF = crypto.generate_identity(post_quantum=False)
# two STREAM chunks, so flips land in a non-final chunk, the final chunk and the header
_FILES = {"attachments/1-photo.png": PHOTO * 70}
SEALED = seal_bytes(
    submission_tar(submission_dict(attachments=_FILES), _FILES), [STAFF.recipient()]
)
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _open(data: bytes) -> tuple[OpenError | None, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "x.age", Path(tmp) / "out"
        out.mkdir()
        src.write_bytes(data)
        try:
            open_sealed(src, [STAFF], out, finish=write_report)
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
