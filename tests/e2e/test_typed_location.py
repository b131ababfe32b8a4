"""Regression (issue 8): a witness who types an address at a location question can submit.

The engine stored a typed location as ``{"text": …}`` and the submission validator accepted only
latitude/longitude, so Submit failed for ever ("Sending did not work… press Submit again"). This
drives that conversation through the real service and store, then opens the sealed file with the
real ``intake decrypt`` (and a staff key made by stock ``age-keygen``) and reads the address in
report.html and index.csv — and with stock ``age -d | tar -x`` too.
"""

from __future__ import annotations

import asyncio
import csv
import html
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import crypto
from intake.channel import Press, Prompt, Reply, Start, Text
from intake.questionnaire import loads
from intake.service import IntakeService
from intake.store import Store

ADDRESS = "вул. Акрэсціна, 36 & the yard <behind>"
QUESTIONNAIRE = loads(
    """
id = "typed-place"
version = 1
languages = ["en"]
default_language = "en"

[consent]
text.en = "Sealed for staff only."
accept.en = "I agree"
decline.en = "Not now"

[[questions]]
id = "place_held"
type = "location"
prompt.en = "Where were you held?"
""",
    "typed-place.toml",
)


def _token(prompt: Prompt, action: str) -> str:
    for row in prompt.buttons:
        for button in row:
            if button.token.split(".")[1] == action:
                return button.token
    raise AssertionError(f"no {action!r} button in {prompt.buttons}")


async def _typed_address_conversation(svc: IntakeService) -> Reply:
    key = svc.witness_key("telegram", 7)
    reply = await svc.handle(key, Start(None))
    assert reply.prompt.stage == "consent"
    reply = await svc.handle(key, Press(_token(reply.prompt, "acc")))
    assert reply.prompt.question_id == "place_held"
    reply = await svc.handle(key, Text(ADDRESS))
    assert reply.outcome == "continue"
    assert reply.prompt.stage == "review"
    assert ADDRESS in reply.prompt.text  # the witness sees what they typed
    return await svc.handle(key, Press(_token(reply.prompt, "sub")))


async def _witness_submits(data: Path, recipient: crypto.Recipient) -> Reply:
    store = await Store.open(data)
    try:
        return await _typed_address_conversation(IntakeService(store, QUESTIONNAIRE, [recipient]))
    finally:
        await store.close()


def test_a_typed_address_seals_and_intake_decrypt_shows_it(tmp_path: Path) -> None:
    key_file = tmp_path / "staff.key"
    subprocess.run(["age-keygen", "-o", str(key_file)], check=True, capture_output=True)
    (identity,) = crypto.parse_identities(key_file.read_text())
    reply = asyncio.run(_witness_submits(tmp_path / "data", identity.recipient()))
    assert reply.outcome == "submit", reply.prompt.notice
    assert reply.receipt is not None
    (sealed,) = (tmp_path / "data" / "outbox").glob("*.age")

    out = tmp_path / "out"
    argv = ["decrypt", str(sealed), "--identity", str(key_file), "--out", str(out), "--ids"]
    done = subprocess.run(
        [sys.executable, "-m", "intake", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    folder = out / sealed.stem
    submission = json.loads((folder / "submission.json").read_text("utf-8"))
    (answer,) = submission["answers"]
    assert answer["value"] == {"text": ADDRESS}
    assert html.escape(ADDRESS, quote=False) in (folder / "report.html").read_text("utf-8")
    assert ADDRESS not in (folder / "report.html").read_text("utf-8")  # escaped, never raw
    with (out / "index.csv").open(encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["place_held"] == ADDRESS

    # stock tools open it as well: age -d | tar -x
    plain = subprocess.run(
        ["age", "-d", "-i", str(key_file), str(sealed)], capture_output=True, check=True
    ).stdout
    tar_path = tmp_path / "plain.tar"
    tar_path.write_bytes(plain)
    with tarfile.open(tar_path) as tar:
        member = tar.extractfile("submission.json")
        assert member is not None
        assert json.loads(member.read())["answers"][0]["value"] == {"text": ADDRESS}
