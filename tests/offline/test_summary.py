"""summary.json read back: a regular file of the right shape, whose files stay in its folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from intake.offline.summary import SUMMARY_NAME, dumps, read_summary, summary_from_folder
from intake.submission.document import parse_submission
from tests.support.sticks import submission

_ATTACHED = {
    "path": "attachments/1-photo.jpg",
    "filename": "photo.jpg",
    "mime": "image/jpeg",
    "size": 3,
    "sha256": "a" * 64,
    "question_id": "pics",
}


def _summary() -> dict[str, Any]:
    sub = submission("S1", attachments=[_ATTACHED])
    sub["answers"].append(
        {"question_id": "pics", "type": "media", "prompt": "Photos?", "value": [_ATTACHED["path"]]}
    )
    return summary_from_folder(parse_submission(json.dumps(sub).encode()), None)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "S1"
    path.mkdir()
    (path / SUMMARY_NAME).write_text(dumps(_summary()) + "\n")
    return path


def test_a_summary_is_read_back(folder: Path) -> None:
    found = read_summary(folder)
    assert found is not None
    assert found["row"]["f"][0][0] == "attachments/1-photo.jpg"


@pytest.mark.parametrize("path", ["../../secret.txt", "/etc/passwd", "attachments/../x"])
def test_a_file_path_leaving_the_folder_makes_it_no_summary(folder: Path, path: str) -> None:
    summary = _summary()
    summary["row"]["f"][0][0] = path
    (folder / SUMMARY_NAME).write_text(json.dumps(summary))
    assert read_summary(folder) is None


def test_a_link_or_a_fifo_is_no_summary(folder: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.json"
    (folder / SUMMARY_NAME).rename(real)
    (folder / SUMMARY_NAME).symlink_to(real)
    assert read_summary(folder) is None
    (folder / SUMMARY_NAME).unlink()
    os.mkfifo(folder / SUMMARY_NAME)  # a plain open() would block the rebuild forever
    assert read_summary(folder) is None
