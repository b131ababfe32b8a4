"""Safe extraction: hostile tar members are refused before anything is written outside ``dest``."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from intake.offline.extract import extract_submission
from intake.offline.open_errors import ArchiveError
from tests.support.submissions import (
    HOSTILE,
    PHOTO,
    RAW,
    entry,
    make_tar,
    submission_dict,
    submission_tar,
)


def _extract(data: bytes, tmp_path: Path) -> Path:
    dest = tmp_path / "dest"
    dest.mkdir(parents=True)
    extract_submission(io.BytesIO(data), dest)
    return dest


def test_valid_archive(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    result = extract_submission(io.BytesIO(submission_tar(submission_dict())), dest)
    assert (dest / "attachments/1-photo.png").read_bytes() == PHOTO
    assert (dest / "submission.json").read_bytes() == RAW
    assert [c.ok for c in result.checks] == [True]
    assert (dest / "submission.json").stat().st_mode & 0o777 == 0o600


def test_explicit_attachments_directory_entry_is_tolerated(tmp_path: Path) -> None:
    data = make_tar(
        [("submission.json", RAW), (entry("attachments/", tarfile.DIRTYPE), b""),
         ("attachments/1-photo.png", PHOTO)]
    )  # fmt: skip
    assert (_extract(data, tmp_path) / "attachments/1-photo.png").is_file()


def test_sha256_mismatch_is_reported_not_hidden(tmp_path: Path) -> None:
    data = submission_tar(submission_dict(), {"attachments/1-photo.png": PHOTO[:-1] + b"!"})
    dest = tmp_path / "dest"
    dest.mkdir()
    (check,) = extract_submission(io.BytesIO(data), dest).checks
    assert not check.ok
    assert check.sha256 == hashlib.sha256(PHOTO[:-1] + b"!").hexdigest()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_members_refused(case: str, tmp_path: Path) -> None:
    data = make_tar(HOSTILE[case])
    with pytest.raises(ArchiveError) as caught:
        _extract(data, tmp_path)
    assert str(caught.value)  # a reason is always given
    # nothing escaped: only dest (possibly partly filled, the caller removes it) exists
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest"]
    assert not any(p.is_symlink() for p in (tmp_path / "dest").rglob("*"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "truncated"),
        (b"not a tar at all" * 100, "tar"),
        (make_tar([]), "empty"),
    ],
)
def test_not_a_tar(data: bytes, message: str, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=message):
        _extract(data, tmp_path)


def test_error_names_the_member_and_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=r"'\.\./evil': '\.\.' in path refused"):
        _extract(make_tar(HOSTILE["dotdot"]), tmp_path / "a")
    with pytest.raises(ArchiveError, match=r"'attachments/1-photo.png': symbolic link refused"):
        _extract(make_tar(HOSTILE["symlink attachment"]), tmp_path / "b")


def _tar(members: list[tuple[tarfile.TarInfo, bytes]], **options: object) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", **options) as tar:  # type: ignore[call-overload]
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _with_pax(name: str, headers: dict[str, str]) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.pax_headers = headers
    return info


def test_local_pax_headers_are_applied(tmp_path: Path) -> None:
    data = _tar(
        [(_with_pax("submission.json", {"comment": "ok", "mtime": "1.5"}), RAW),
         (_with_pax("placeholder", {"path": "attachments/1-photo.png"}), PHOTO)],
        format=tarfile.PAX_FORMAT,
    )  # fmt: skip
    assert (_extract(data, tmp_path) / "attachments/1-photo.png").read_bytes() == PHOTO


@pytest.mark.parametrize(
    ("options", "name", "headers", "message"),
    [
        ({"format": tarfile.PAX_FORMAT, "pax_headers": {"path": "x"}}, "submission.json", {},
         "global PAX"),
        ({"format": tarfile.GNU_FORMAT}, "a" * 120, {}, "GNU long names"),
        ({"format": tarfile.PAX_FORMAT}, "submission.json", {"GNU.sparse.size": "9"}, "sparse"),
        ({"format": tarfile.PAX_FORMAT}, "submission.json", {"path": "../x"}, r"'\.\.'"),
    ],
)  # fmt: skip
def test_unusual_headers_refused(
    options: dict[str, object], name: str, headers: dict[str, str], message: str, tmp_path: Path
) -> None:
    data = _tar([(_with_pax(name, headers), RAW)], **options)
    with pytest.raises(ArchiveError, match=message):
        _extract(data, tmp_path)


def test_corrupt_and_truncated_tars(tmp_path: Path) -> None:
    good = submission_tar(submission_dict())
    bad_checksum = bytearray(good)
    bad_checksum[150] ^= 0x01  # inside the first header's checksum field
    with pytest.raises(ArchiveError, match="not a valid tar"):
        _extract(bytes(bad_checksum), tmp_path / "a")
    with pytest.raises(ArchiveError, match="truncated"):
        _extract(good[: 512 * 3 + 100], tmp_path / "b")  # inside the photo's data
    no_end = make_tar([("submission.json", RAW), ("attachments/1-photo.png", PHOTO)])
    with pytest.raises(ArchiveError, match="truncated"):
        _extract(no_end[: -2 * 512 - (len(no_end) % 10240 and 0)].rstrip(b"\0"), tmp_path / "c")
