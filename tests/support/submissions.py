"""Submissions as the staff side receives them: valid v1 documents, real tars, real age files.

Used by the offline, CLI and interop tests; ``tests/support/test_submissions.py`` checks that what
these helpers seal is a valid submission that stock tools can read.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import crypto
from intake.submission.document import FORMAT_V1
from tests.support.sealing import seal_bytes

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
ID = "01TESTSUBMISSION01"  # the id of the default submission


def submission_dict(
    submission_id: str = ID,
    *,
    language: str = "en",
    story: str = "They held us for three days.",
    attachments: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """A valid v1 submission; ``attachments`` maps tar path -> content (default: one PNG)."""
    files = {"attachments/1-photo.png": PHOTO} if attachments is None else attachments
    return {
        "format": FORMAT_V1,
        "submission_id": submission_id,
        "receipt": "K7QX-29MD",
        "questionnaire": {"id": "detention", "version": 3},
        "language": language,
        "submitted_at": "2026-11-25T14:03:07Z",
        "answers": [
            {"question_id": "detained", "type": "yes_no", "prompt": "Detained?", "value": True},
            {
                "question_id": "story",
                "type": "long_text",
                "prompt": "What happened?",
                "value": story,
            },
            {
                "question_id": "age",
                "type": "number",
                "prompt": "Age?",
                "value": None,
                "skipped": True,
            },
            {"question_id": "photos", "type": "media", "prompt": "Photos?", "value": [*files]},
        ],
        "attachments": [
            {
                "path": path,
                "filename": path.split("-", 1)[1],
                "mime": "image/png",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "question_id": "photos",
            }
            for path, data in files.items()
        ],
    }


def make_tar(members: Sequence[tuple[tarfile.TarInfo | str, bytes]]) -> bytes:
    """A PAX tar of ``members``; a plain name means a regular file with that content."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in members:
            info = tarfile.TarInfo(member) if isinstance(member, str) else member
            if info.isreg():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def submission_tar(sub: dict[str, Any], files: dict[str, bytes] | None = None) -> bytes:
    """The tar a sealer writes for ``sub`` (``files`` defaults to the default photo)."""
    content = {"attachments/1-photo.png": PHOTO} if files is None else files
    raw = json.dumps(sub, ensure_ascii=False).encode()
    return make_tar([("submission.json", raw), *content.items()])


def seal_submission(
    folder: Path,
    recipients: Sequence[crypto.Recipient],
    submission_id: str = ID,
    **kwargs: Any,
) -> Path:
    """Seal a default submission as ``folder/<id>.age``."""
    files = kwargs.pop("files", None)
    sub = submission_dict(submission_id, attachments=files, **kwargs)
    path = folder / f"{submission_id}.age"
    path.write_bytes(seal_bytes(submission_tar(sub, files), recipients))
    return path


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(folder: Path, files: list[Path]) -> None:
    """The ``manifest.json`` that ``intake export`` writes next to ``files``."""
    manifest = {
        "format": "witness-intake/export/v1",
        "submissions": [
            {"id": f.stem, "file": f.name, "sha256": sha256_of(f), "size": f.stat().st_size}
            for f in files
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def entry(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    """A tar entry of any kind (``target``: a link's target)."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


# The submission.json of the default submission, and tars a hostile sender could seal to staff.
RAW = json.dumps(submission_dict()).encode()
HOSTILE = {
    "absolute": [(entry("/etc/passwd"), b"x")],
    "absolute attachment": [("submission.json", RAW), (entry("/attachments/1-photo.png"), PHOTO)],
    "dotdot": [(entry("../evil"), b"x")],
    "dotdot inside": [("submission.json", RAW), (entry("attachments/../../evil"), PHOTO)],
    "windows drive": [(entry("C:/evil"), b"x")],
    "backslash dotdot": [("submission.json", RAW), (entry("..\\evil"), b"x")],
    "symlink first": [(entry("submission.json", tarfile.SYMTYPE, "/etc/passwd"), b"")],
    "symlink attachment": [
        ("submission.json", RAW),
        (entry("attachments/1-photo.png", tarfile.SYMTYPE, "/etc/shadow"), b""),
    ],
    "hardlink attachment": [
        ("submission.json", RAW),
        (entry("attachments/1-photo.png", tarfile.LNKTYPE, "submission.json"), b""),
    ],
    "char device": [(entry("submission.json", tarfile.CHRTYPE), b"")],
    "block device": [("submission.json", RAW),
                     (entry("attachments/1-photo.png", tarfile.BLKTYPE), b"")],
    "fifo": [("submission.json", RAW), (entry("attachments/1-photo.png", tarfile.FIFOTYPE), b"")],
    "directory first": [(entry("submission.json", tarfile.DIRTYPE), b"")],
    "dot slash name": [(entry("./submission.json"), RAW)],
    "trailing slash": [(entry("submission.json/"), RAW)],
    "lookalike name": [("submission.json", RAW), ("attachments/1-phоto.png", PHOTO)],  # Cyrillic о
    "other top-level file": [("README", b"hi"), ("submission.json", RAW)],
    "extra unlisted member": [("submission.json", RAW), ("attachments/1-photo.png", PHOTO),
                              ("attachments/2-extra.png", PHOTO)],
    "extra symlink after": [("submission.json", RAW), ("attachments/1-photo.png", PHOTO),
                            (entry("x", tarfile.SYMTYPE, "/"), b"")],
    "missing attachment": [("submission.json", RAW)],
    "submission.json not first": [("attachments/1-photo.png", PHOTO), ("submission.json", RAW)],
    "bad submission.json": [("submission.json", b'{"format": "witness-intake/submission/v2"}')],
}  # fmt: skip
