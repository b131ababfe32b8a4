"""Attachment file names: transliterated, confined, short, their extension kept."""

from __future__ import annotations

import pytest

from intake.submission.document import attachment_path
from intake.submission.names import safe_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bruise.jpg", "bruise.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\фота.png", "fota.png"),
        ("фота 1.jpg", "fota_1.jpg"),
        ("фото травм.png", "foto_travm.png"),
        ("Жыццё Ў'Ї.JPG", "Zhytstsyo_UYi.JPG"),
        ("照片.jpg", "file.jpg"),
        ("café.pdf", "cafe.pdf"),
        (".bashrc", "bashrc"),
        ("notes.", "notes"),
        ("x.фото", "x.foto"),
        ("archive.tar.gz", "archive.tar.gz"),
        ("a.\u202ejpg", "a._jpg"),
        ("а" * 100 + ".png", "a" * 60 + ".png"),
        ("...", "file"),
        ("", "file"),
        ("a" * 100 + ".jpeg", "a" * 59 + ".jpeg"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected
    assert attachment_path(3, name) == f"attachments/3-{expected}"
