"""Chain of custody from the server to the report: reception time and kind, both sha256, the
sealed file, the staff key and the tool — through the real service, sealer and ``intake decrypt``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import crypto
from intake.channel import Media, Press, Prompt, Reply, Start
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from intake.submission.document import SubmissionFormatError, parse_submission
from tests.support.casework import make_testimony, seal
from tests.support.casework_folder import decrypt, key_file

NOW = 1_764_000_000.0  # 2025-11-24T16:00:00Z


def _token(prompt: Prompt, action: str) -> str:
    return next(b.token for row in prompt.buttons for b in row if b.token.split(".")[1] == action)


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _submit_with_files(svc: IntakeService, key: str, files: list[tuple[bytes, str]]) -> Reply:
    """Skip every question but the media one, where ``files`` (content, kind) are sent."""
    reply = await svc.handle(key, Start(language_hint="ru"))
    for _ in range(100):
        prompt = reply.prompt
        if reply.outcome == "submit":
            return reply
        if prompt.stage == "language":
            event = Press(
                next(b.token for r in prompt.buttons for b in r if b.token.endswith("ru"))
            )
        elif prompt.stage == "consent":
            event = Press(_token(prompt, "acc"))
        elif prompt.stage == "review":
            event = Press(_token(prompt, "sub"))
        elif prompt.expects == "media" and files:
            data, kind = files.pop(0)
            name = "photo.jpg" if kind == "photo" else "IMG_2041.JPG"
            ref = await svc.add_attachment(
                key, _chunks(data), filename=name, mime="image/jpeg", max_bytes=1 << 20,
                received_as=kind,
            )  # fmt: skip
            event = Media(ref)
        elif prompt.expects == "media":
            event = Press(_token(prompt, "done"))
        else:
            event = Press(_token(prompt, "skip"))
        reply = await svc.handle(key, event)
    raise AssertionError("conversation did not finish")


async def test_custody_from_reception_to_report(tmp_path: Path) -> None:
    staff = crypto.generate_identity(post_quantum=False)
    store = await Store.open(tmp_path / "data", clock=lambda: NOW)
    svc = IntakeService(store, load_default(), [staff.recipient()])
    photo, original = b"\xff\xd8compressed" * 50, b"\xff\xd8original-with-exif" * 80
    reply = await _submit_with_files(
        svc, svc.witness_key("telegram", 7), [(photo, "photo"), (original, "document")]
    )
    await store.close()
    (sealed,) = store.outbox_dir.glob("*.age")
    out = tmp_path / "out"
    assert decrypt(sealed, key_file(tmp_path, staff), out, "--language", "en") == 0
    folder = out / sealed.stem
    sub = parse_submission((folder / "submission.json").read_bytes())
    assert [a.received_as for a in sub.attachments] == ["photo", "document"]
    assert {a.received_at for a in sub.attachments} == {datetime.fromtimestamp(NOW, UTC)}
    custody = json.loads((folder / "custody.json").read_text())
    assert custody["format"] == "witness-intake/custody/v1"
    assert custody["receipt"] == reply.receipt
    assert custody["sealed_file"]["sha256"] == hashlib.sha256(sealed.read_bytes()).hexdigest()
    assert custody["sealed_file"]["size"] == sealed.stat().st_size
    assert custody["decrypted"]["key_fingerprint"] == crypto.fingerprint(staff.recipient())
    assert custody["decrypted"]["tool"].startswith("witness-intake ")
    json_sha = hashlib.sha256((folder / "submission.json").read_bytes()).hexdigest()
    assert custody["submission_json_sha256"] == json_sha
    first, second = custody["attachments"]
    assert first["received_as"] == "photo"
    assert first["received_at"] == "2025-11-24T16:00:00Z"
    assert (
        first["sha256_at_reception"] == first["sha256_offline"] == hashlib.sha256(photo).hexdigest()
    )
    assert second["match"] is True
    report = (folder / "report.html").read_text()
    assert "photo, recompressed by Telegram" in report
    assert "sent as a file: the original bytes" in report
    assert custody["sealed_file"]["sha256"] in report
    assert custody["decrypted"]["key_fingerprint"] in report
    assert "2025-11-24 16:00:00" in report


def test_older_submission_without_custody_keys_still_opens(tmp_path: Path) -> None:
    staff = crypto.generate_identity(post_quantum=False)
    import random

    sub, files = make_testimony(1, random.Random(5), hostile=0)
    while not sub["attachments"]:
        sub, files = make_testimony(1, random.Random(), hostile=0)
    for att in sub["attachments"]:
        del att["received_at"], att["received_as"]
    src = tmp_path / f"{sub['submission_id']}.age"
    src.write_bytes(seal(sub, files, [staff.recipient()]))
    out = tmp_path / "out"
    assert decrypt(src, key_file(tmp_path, staff), out) == 0
    report = (out / sub["submission_id"] / "report.html").read_text()
    assert report.count("not recorded") >= 2 * len(sub["attachments"])


@pytest.mark.parametrize(
    ("key", "value"),
    [("received_at", "2025-11-24 16:00"), ("received_at", "2025-11-24T16:00:00+03:00"),
     ("received_as", "Photo"), ("received_as", "x" * 40), ("received_as", 3)],
)  # fmt: skip
def test_custody_keys_are_validated(key: str, value: object) -> None:
    import random

    sub, _ = make_testimony(2, random.Random(8), hostile=0)
    while not sub["attachments"]:
        sub, _ = make_testimony(2, random.Random(), hostile=0)
    sub["attachments"][0][key] = value
    with pytest.raises(SubmissionFormatError, match=rf"attachments\[0\]\.{key}"):
        parse_submission(sub)
