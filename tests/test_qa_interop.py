"""QA: a staff member opens a real submission with stock tools only: ``age -d -i KEY | tar -x``."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_qa_support import QA_DIR, Files, Player

import crypto
from intake.questionnaire import load
from intake.service import IntakeService
from intake.store import Store

pytestmark = pytest.mark.skipif(shutil.which("age") is None, reason="Debian age CLI not installed")

PHOTO = bytes(range(256)) * 300
NOTE = "Записка врача 📄\n".encode()


@pytest.fixture
async def sealed(tmp_path: Path) -> tuple[Path, Path]:
    """(plain age-keygen style key file, the one sealed submission) from a real conversation."""
    staff = crypto.generate_identity(post_quantum=False)
    key = tmp_path / "staff.key"
    key.write_text(f"# created by age-keygen style\n{staff}\n")
    store = await Store.open(tmp_path / "data")
    try:
        q = load(QA_DIR / "qa_every_type.toml")
        files = Files(
            (
                ("фото травм.png", "image/png", PHOTO),
                ("/etc/../../note.txt", "text/plain", NOTE),
            )
        )
        script = {
            "role": ("choice", "victim"),
            "treatment": ["beaten"],
            "injuries": "bruises",
            "evidence": files,
        }
        player = Player(IntakeService(store, q, [staff.recipient()]), q, script, "en")
        assert (await player.submit()).outcome == "submit"
    finally:
        await store.close()
    (path,) = list((tmp_path / "data" / "outbox").glob("*.age"))
    return key, path


def test_stock_age_and_tar_open_a_submission(tmp_path: Path, sealed: tuple[Path, Path]) -> None:
    key, path = sealed
    plain = subprocess.run(
        ["age", "-d", "-i", str(key), str(path)], capture_output=True, check=True, timeout=30
    ).stdout
    # POSIX (ustar/pax) headers, not GNU: magic "ustar\0" + version "00" in the first header
    assert plain[257:265] == b"ustar\x0000"
    listing = subprocess.run(
        ["tar", "-tv"], input=plain, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    names = [line.split()[-1] for line in listing.splitlines()]
    assert names[0] == "submission.json"
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in names), names
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["tar", "-x"], input=plain, cwd=out, check=True, timeout=30)
    sub = json.loads((out / "submission.json").read_text())
    by_sha = {a["sha256"]: a for a in sub["attachments"]}
    for data in (PHOTO, NOTE):
        entry = by_sha[hashlib.sha256(data).hexdigest()]
        assert (out / entry["path"]).read_bytes() == data
        assert entry["size"] == len(data)
    assert sorted(a["filename"] for a in sub["attachments"]) == sorted(
        ["фото травм.png", "/etc/../../note.txt"]
    )
    assert sorted(p.name for p in out.iterdir()) == ["attachments", "submission.json"]


def test_attachment_keeps_its_extension(tmp_path: Path, sealed: tuple[Path, Path]) -> None:
    """A Cyrillic file name "фото травм.png" is stored as "attachments/1-png": the extension's
    dot is lost with the non-ASCII stem, so the staff laptop cannot open it by double-click
    (intake/submission.py safe_name). Expected e.g. "1-file.png" (the original name stays in
    submission.json)."""
    key, path = sealed
    plain = subprocess.run(
        ["age", "-d", "-i", str(key), str(path)], capture_output=True, check=True, timeout=30
    ).stdout
    listing = subprocess.run(["tar", "-t"], input=plain, capture_output=True, check=True).stdout
    names = listing.decode().split()
    assert any(n.startswith("attachments/") and n.endswith(".png") for n in names), names
    assert any(n.startswith("attachments/") and n.endswith(".txt") for n in names), names
