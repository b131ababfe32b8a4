"""The submission helpers seal a valid submission that stock tools can read."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import crypto
from intake.submission.document import parse_submission
from tests.support.submissions import PHOTO, seal_submission


def test_helpers_make_a_valid_sealed_submission(tmp_path: Path) -> None:
    identity = crypto.generate_identity(post_quantum=False)
    path = seal_submission(tmp_path, [identity.recipient()])
    plaintext = crypto.decrypt(path.open("rb"), [identity]).read()
    with tarfile.open(fileobj=io.BytesIO(plaintext)) as tar:
        assert tar.getnames() == ["submission.json", "attachments/1-photo.png"]
        raw = tar.extractfile("submission.json")
        assert raw is not None
        assert parse_submission(raw.read()).attachments[0].size == len(PHOTO)
