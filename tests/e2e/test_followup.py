"""Follow-up end to end: real PTB over real HTTP against the fake Bot API, the real ``intake``
console script on the staff side (export, decrypt, reply, ack), stock ``age-keygen`` staff keys.

A witness submits and takes a code; staff read the testimony offline and reply with a question and
a file; ``intake ack`` hands the reply to the running bot; the witness comes back with the code,
reads it and adds a file; staff open the addition, linked to the original by its case link.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import crypto
from crypto.followup import Argon2Params
from intake.followup.kdfparams import FollowupParams
from intake.followup.session import FollowupSettings
from intake.questionnaire import loads
from tests.support.channels import ChatWitness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import running_bot
from tests.support.sticks import StaffKey, age_keygen, intake

#: Test parameters (production: 256 MiB, t=3): the suite stays fast; the flow is the same.
LOW = FollowupSettings(FollowupParams(os.urandom(16), Argon2Params(1024, 1, 1)))
ONE_QUESTION = loads("""
id = "short"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "We seal what you tell us."
accept.en = "I agree"
decline.en = "Not now"
[[questions]]
id = "what"
type = "text"
prompt.en = "What happened?"
""")
CANARY = "CanaryFollowupAnswer-5521"
QUESTION = "CanaryStaffQuestion: on which day exactly?"
FORM = b"%PDF-1.4 canary staff form " * 50
PHOTO = b"\xff\xd8\xff\xe0" + b"canary-added-photo" * 4000


@pytest.fixture
def key(tmp_path: Path) -> StaffKey:
    return age_keygen(tmp_path)


async def _bot(fake: FakeBotApi, tmp_path: Path, key: StaffKey) -> Any:
    recipients = [crypto.parse_recipient(key.recipient)]
    return running_bot(fake, tmp_path / "data", ONE_QUESTION, recipients, followup=LOW)


async def submit_with_code(w: ChatWitness) -> tuple[str, int]:
    """/start … "Submit and get a follow-up code", the last group typed back: (code, its msg)."""
    await w.say("/start")
    await w.press("I agree")
    await w.say(CANARY)
    shown = await w.press("follow-up code")
    assert shown.protect_content
    code = "".join(re.findall(r"\b\d{4}\b", shown.text or "")[:6])
    assert len(code) == 24
    assert "paper" in (shown.text or "")  # where to keep it
    await w.say(code[-4:])  # the confirmation: the neutral line, then the thank-you
    thanks = await w.reply()
    assert "/followup" in (thanks.text or "")
    await w.fake.press(w.user, thanks.message_id, thanks.button("OK"))
    await only_neutral_lines(w)
    chat = w.fake.chat(w.chat_id)
    assert chat.messages[shown.message_id].deleted
    assert all(code[:12] not in (m.text or "") for m in w.visible())
    return code, shown.message_id


NEUTRAL = {"Done. Thank you.", "Done."}


async def only_neutral_lines(w: ChatWitness) -> None:
    """Wait until the chat holds nothing but the closing lines that say nothing."""
    await w.fake.wait_for(lambda: all(m.text in NEUTRAL for m in w.visible()))


def staff_open(tmp_path: Path, key: StaffKey, name: str) -> Path:
    """``intake export`` then ``intake decrypt``: the output folder."""
    env = {"INTAKE_DATA_DIR": str(tmp_path / "data")}
    stick = tmp_path / f"stick-{name}"
    exported = intake("export", "-o", stick, cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    out = tmp_path / f"out-{name}"
    run = intake("decrypt", stick, "-i", key.identity, "-o", out, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    return out


def opened_folders(out: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for doc in out.glob("*/submission.json"):
        found[doc.parent.name] = json.loads(doc.read_text())
    return found


async def test_round_trip_submit_reply_read_add_and_staff_see_it_linked(
    fake: FakeBotApi, tmp_path: Path, key: StaffKey
) -> None:
    async with await _bot(fake, tmp_path, key) as bot:
        w = ChatWitness(fake, fake.user("en"))
        code, _ = await submit_with_code(w)
        # staff, offline: open it, reply with a question and a form
        out = staff_open(tmp_path, key, "1")
        ((sid, original),) = opened_folders(out).items()
        assert CANARY in json.dumps(original["answers"])
        assert code not in json.dumps(original)
        form = tmp_path / "form.pdf"
        form.write_bytes(FORM)
        replied = intake("reply", out / sid, "--text", QUESTION, "--file", form, cwd=tmp_path)
        assert replied.returncode == 0, replied.stderr
        assert (out / sid / "replies").is_dir()  # the staff's own record
        env = {"INTAKE_DATA_DIR": str(tmp_path / "data")}
        acked = await asyncio.to_thread(
            intake, "ack", out / "receipt.json", cwd=tmp_path, env=env
        )  # in a thread: the bot on this loop answers ack's socket meanwhile
        assert acked.returncode == 0, acked.stdout + acked.stderr
        assert "1 placed" in acked.stdout
        assert bot.svc.followup.mailboxes.count() == 1
        status = await asyncio.to_thread(intake, "status", cwd=tmp_path, env=env)
        assert "Replies waiting for their witness: 1" in status.stdout  # a count, nothing else
        # the witness comes back
        asked = await w.say("/followup")
        assert "24" in (asked.text or "")
        typed = await fake.send_text(w.user, "-".join(re.findall(".{4}", code)))
        message = await w.reply()
        assert fake.chat(w.chat_id).messages[typed].deleted  # the code went at once
        assert message.protect_content
        assert QUESTION in (message.text or "")
        document = await w.reply()
        assert document.kind == "document"
        assert document.document == FORM
        assert document.protect_content
        menu = await w.reply()
        await w.press("Add information", on=menu)
        assert bot.svc.followup.mailboxes.count() == 0  # delivered: shredded
        await w.say("/skip")  # no text: a file only
        await w.send_file("document", PHOTO, filename="photo.jpg", mime="image/jpeg")
        review = await w.press("Done")
        assert "photo.jpg" in (review.text or "") or "1" in (review.text or "")
        await w.submit("Submit")
        await only_neutral_lines(w)
        # staff open the addition, linked to the original
        out2 = staff_open(tmp_path, key, "2")
        ((aid, addition),) = opened_folders(out2).items()
        assert addition["followup_of"] == original["followup"]["case_link"]
        assert addition["questionnaire"]["id"] == "addition"
        (attached,) = addition["attachments"]
        assert attached["sha256"] == hashlib.sha256(PHOTO).hexdigest()
        assert aid != sid


async def test_a_wrong_code_reads_like_nothing_new(
    fake: FakeBotApi, tmp_path: Path, key: StaffKey
) -> None:
    async with await _bot(fake, tmp_path, key):
        w = ChatWitness(fake, fake.user("en"))
        code, _ = await submit_with_code(w)
        seen = []
        for typed in (code, f"{(int(code) + 1) % 10**24:024d}"):
            await w.say("/followup")
            menu = await w.say(typed)
            seen.append((menu.text, menu.buttons and [label for label, _ in menu.buttons]))
            closing = await w.press("Done")
            assert closing.text == "Done."
            await only_neutral_lines(w)
        assert seen[0] == seen[1]
        await w.say("/followup")
        typo = await w.say("1234 5678")
        assert "24 digits" in (typo.text or "")
        assert fake.chat(w.chat_id).messages[w.sent[-1]].deleted  # a typo goes at once too
        forwarded = await fake.send_forwarded(w.user, code)  # not taken, but it holds the code
        await w.reply()  # "forwarded messages are not taken"
        assert fake.chat(w.chat_id).messages[forwarded].deleted
