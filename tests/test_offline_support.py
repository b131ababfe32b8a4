"""Helpers for the offline-side tests: real submissions, real tars, real age files.

Imported by ``test_decrypt*.py``, ``test_offline_*.py`` and ``test_report*.py``; the one test here
checks that what the helpers seal is a valid submission that stock tools can read.
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
from intake.submission.document import FORMAT_V1, parse_submission

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def submission_dict(
    submission_id: str = "01TESTSUBMISSION01",
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


def seal_bytes(plaintext: bytes, recipients: Sequence[crypto.Recipient]) -> bytes:
    """``plaintext`` sealed with our age implementation."""
    out = io.BytesIO()
    with crypto.encrypt(out, recipients) as writer:
        writer.write(plaintext)
    return out.getvalue()


def write_identity(path: Path, identity: crypto.Identity) -> Path:
    """A plain age-keygen style identity file."""
    path.write_text(f"# test key\n{identity}\n", "utf-8")
    return path


def seal_submission(
    folder: Path,
    recipients: Sequence[crypto.Recipient],
    submission_id: str = "01TESTSUBMISSION01",
    **kwargs: Any,
) -> Path:
    """Seal a default submission as ``folder/<id>.age``."""
    files = kwargs.pop("files", None)
    sub = submission_dict(submission_id, attachments=files, **kwargs)
    path = folder / f"{submission_id}.age"
    path.write_bytes(seal_bytes(submission_tar(sub, files), recipients))
    return path


def test_helpers_make_a_valid_sealed_submission(tmp_path: Path) -> None:
    identity = crypto.generate_identity(post_quantum=False)
    path = seal_submission(tmp_path, [identity.recipient()])
    plaintext = crypto.decrypt(path.open("rb"), [identity]).read()
    with tarfile.open(fileobj=io.BytesIO(plaintext)) as tar:
        assert tar.getnames() == ["submission.json", "attachments/1-photo.png"]
        raw = tar.extractfile("submission.json")
        assert raw is not None
        assert parse_submission(raw.read()).attachments[0].size == len(PHOTO)
