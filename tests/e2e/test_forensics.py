"""A seized server disk gives up nothing that was destroyed — tried as a forensic examiner would.

The data dir lives on a real ext4 file system in an image file (loop-mounted, defaults:
``data=ordered``). A real ``intake run`` serves witnesses over the fake Bot API: one submits with a
photo and a document, one cancels, one leaves with ``/x`` after uploading a file, one declines the
consent, one lets the draft expire (while the server is down: the next start's sweep destroys it)
— and one leaves a draft open, the **control**. Someone new writes without a conversation (a
photo, "hello"): those messages and the bot's line are held for a while in a sealed record, and
the submitter leaves the thank-you with the receipt unread (held too): the stop must delete both
and shred their records. Then the bot stops, the image is unmounted, and
:mod:`tests.support.carver` goes through every byte of it with the live ``server.key`` (the worst
case: the fallback key on the same disk) and every key it can find anywhere.

Nothing of the ended conversations may come back: no answer, no file, no Telegram id, not even the
keyed hash that stood for the witness. And the control must come back — its answers, its file, its
chat id and its tag — or the carver no longer understands the format and the test means nothing.

Follow-up (issue 13): the witness who submits takes a follow-up code; staff answer (the reply is
handed to the running bot over its socket, as ``intake ack`` does); the witness comes back with
the code, reads the reply and taps Done. After that no trace of the code, the mailbox tag, the
reply's lookup tag, its text or its sealed bytes may be on the disk. A second reply, for a
witness who never comes, stays waiting: the control that the carver finds and opens replies.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import crypto
from intake.followup.mailboxes import slot_tag
from intake.followup.placement import PlacementClient
from intake.followup.replyfile import Reply, seal_reply
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from intake.store.serverkey import ServerKeys
from tests.support.carver import carve, carve_v1
from tests.support.channels import ChatWitness
from tests.support.clock import Clock
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.inject import FakeUser
from tests.support.fakebot.process import intake_env, intake_run_process
from tests.support.loopfs import ext4_image
from tests.support.paths import SAMPLE_TOML, STORE_V1
from tests.support.sealing import open_sealed

V1_OPEN, V1_SEALING = 4242, 4343  # the witnesses of the schema-v1 fixture (its README.md)
V1_ATTACHMENT = b"V1-ATTACHMENT-" + bytes(range(256)) * 400
TTL_HOURS = 0.002  # 7.2 s: the expiring witness's draft, in the first run only
ENDED = ("submit", "cancel", "quick", "decline", "expire", "stranger", "followup")


def _people() -> dict[str, FakeUser]:
    rng = random.Random(os.urandom(8))  # real-looking ids: 10 digits, nothing else on disk is
    return {name: FakeUser(rng.randrange(5 * 10**9, 8 * 10**9)) for name in (*ENDED, "open")}


def _canaries() -> dict[str, str]:
    return {name: f"Can{name[:3]}{os.urandom(6).hex()}" for name in (*ENDED, "open")}


def _file(name: str, size: int) -> bytes:
    return (f"FILE-{name}-".encode() + os.urandom(size))[:size]


async def _answer_up_to_files(w: ChatWitness, canary: str) -> None:
    await w.press("Yes")
    await w.say("10.08.2020")
    await w.say(canary)  # where held: ≤ 40 characters
    await w.press("Beaten")
    await w.press("Done")
    await w.say(f"{canary} injuries, Кириллица")
    await w.press("A witness")
    await w.say("12")
    await w.press("Skip")  # location


async def _start(w: ChatWitness) -> None:
    await w.say("/start")
    await w.press("English")
    await w.press("agree")


async def _logged(log: Path, wanted: dict[str, int], wait: float = 30.0) -> None:
    """Until the bot logged ``wanted`` events (each after the chat was clean and the clean-up
    record shredded): the instants that must have passed before the bot is stopped."""

    def counts() -> dict[str, int]:
        seen: dict[str, int] = {}
        for line in log.read_text().splitlines():
            event = json.loads(line).get("event", "") if line.startswith("{") else ""
            seen[event] = seen.get(event, 0) + 1
        return seen

    for _ in range(int(wait / 0.02)):  # polling another process's log for a condition
        if all(counts().get(e, 0) >= n for e, n in wanted.items()):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not logged within {wait} s: {wanted}, seen {counts()}")


async def _take_code(w: ChatWitness) -> str:
    """Submit with a follow-up code (the review's button), confirmed: the code."""
    shown = await w.press("follow-up code")
    code = "".join(re.findall(r"\b\d{4}\b", shown.text or "")[:6])
    await w.say(code[-4:])  # the neutral line, then the thank-you
    thanks = await w.reply()
    await w.fake.press(w.user, thanks.message_id, thanks.button("OK"))
    return code


def _place(data: Path, tag: str, sealed: bytes) -> str:
    """Hand a reply to the running bot as `intake ack` does (blocking: run in a thread)."""
    reply_id = os.urandom(16).hex()
    client = PlacementClient(data)
    try:
        assert client.place(reply_id, tag, sealed)
    finally:
        client.close()
    return reply_id


async def _staff_reply(data: Path, staff: Any, text: str) -> tuple[bytes, bytes]:
    """Open the one sealed submission, reply to its witness: (mailbox tag, sealed reply)."""
    documents = [
        json.loads(open_sealed(path, staff)["submission.json"])
        for path in (data / "outbox").glob("*.age")
    ]
    (followup,) = [d["followup"] for d in documents if "followup" in d]
    reply = Reply(os.urandom(16).hex(), datetime.now(UTC).replace(microsecond=0), text)
    sealed = seal_reply(reply, crypto.parse_recipient(followup["recipient"]))
    await asyncio.to_thread(_place, data, followup["mailbox_tag"], sealed)
    return bytes.fromhex(followup["mailbox_tag"]), sealed


async def test_a_seized_disk_gives_up_nothing_that_was_destroyed(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    people, canary = _people(), _canaries()
    files = {
        "photo": _file("photo", 70_000),
        "doc": _file("doc", 5_000),
        "quick": _file("quick", 9_000),
        "open": _file("open", 3_000),
        "stray": _file("stray", 4_000),
    }
    with ext4_image(tmp_path) as fs:
        data = fs.mount / "data"
        env = intake_env(
            fake, tmp_path, staff,
            INTAKE_DATA_DIR=str(data), INTAKE_QUESTIONNAIRE=str(SAMPLE_TOML),
            INTAKE_DRAFT_TTL_HOURS=str(TTL_HOURS), INTAKE_FOLLOWUP_MEMORY_MIB="1",
            INTAKE_FOLLOWUP_ITERATIONS="1",
        )  # fmt: skip
        expiring = ChatWitness(fake, people["expire"])
        async with intake_run_process(fake, tmp_path, env, "run1.log") as proc:
            started = time.time()
            await _start(expiring)
            await expiring.press("Yes")
            await expiring.say("10.08.2020")
            await expiring.say(canary["expire"])
            proc.terminate()
            assert await proc.wait() == 0
        # Waiting for wall time, not for a process: the draft's TTL must pass while it is down.
        await asyncio.sleep(max(0.0, started + TTL_HOURS * 3600 + 0.5 - time.time()))

        env["INTAKE_DRAFT_TTL_HOURS"] = "24"
        async with intake_run_process(fake, tmp_path, env, "run2.log") as proc:
            # the start-up sweep destroyed it, cleaned its chat and left "This session has ended."
            await fake.wait_for(lambda: [m.from_bot for m in expiring.visible()] == [True])

            submitter = ChatWitness(fake, people["submit"])
            await _start(submitter)
            await _answer_up_to_files(submitter, canary["submit"])
            await submitter.send_file("photo", files["photo"])
            await submitter.send_file(
                "document", files["doc"], filename=f"{canary['submit']}.pdf", mime="x/pdf"
            )
            await submitter.press("Done")
            closing, thanks = await submitter.submit("Send", close=False)  # the receipt: held
            chat = fake.chat(submitter.chat_id)
            await fake.wait_for(lambda: len(submitter.visible()) == 2)

            stranger = ChatWitness(fake, people["stranger"])  # no conversation: held for a while
            await stranger.send_file("photo", files["stray"])
            await fake.send_text(stranger.user, f"hello {canary['stranger']}")

            # follow-up: a witness takes a code; staff reply; they come back, read it, tap Done
            returning = ChatWitness(fake, people["followup"])
            await _start(returning)
            await _answer_up_to_files(returning, canary["followup"])
            await returning.press("Skip")  # no files: the review
            code = await _take_code(returning)  # the thank-you with the receipt goes too
            await fake.wait_for(lambda: len(returning.visible()) == 1)
            reply_text = f"CanReply{os.urandom(6).hex()}"
            mailbox, sealed_reply = await _staff_reply(data, staff, reply_text)
            await returning.say("/followup")
            await fake.send_text(returning.user, " ".join(re.findall(".{4}", code)))
            assert reply_text in ((await returning.reply()).text or "")
            await returning.press("Done", on=await returning.reply())
            neutral = ["Done. Thank you.", "Done."]  # the two lines that stay
            await fake.wait_for(lambda: [m.text for m in returning.visible()] == neutral)
            # a reply nobody comes for: it waits (the control of the replies)
            waiting_tag = os.urandom(32)
            waiting = seal_reply(
                Reply(os.urandom(16).hex(), datetime.now(UTC).replace(microsecond=0), "w"),
                crypto.generate_identity().recipient(),
            )
            await asyncio.to_thread(_place, data, waiting_tag.hex(), waiting)

            canceller = ChatWitness(fake, people["cancel"])
            await _start(canceller)
            await canceller.press("Yes")
            await canceller.say("10.08.2020")
            await canceller.say(canary["cancel"])
            await canceller.wiped(keep=await canceller.cancel())

            quick = ChatWitness(fake, people["quick"])
            await _start(quick)
            await _answer_up_to_files(quick, canary["quick"])
            await quick.send_file(
                "document", files["quick"], filename=f"{canary['quick']}.txt", mime="text/plain"
            )
            await fake.send_text(quick.user, "/x")
            await quick.wiped()

            decliner = ChatWitness(fake, people["decline"])
            await decliner.say("/start")
            await decliner.press("English")
            await decliner.wiped(keep=await decliner.press("Not now"))

            control = ChatWitness(fake, people["open"])
            await _start(control)
            await _answer_up_to_files(control, canary["open"])
            await control.send_file("document", files["open"], filename="o.txt", mime="text/plain")

            await _logged(
                tmp_path / "run2.log",
                {
                    "conversation_closed": 5,
                    "conversation_wiped": 1,
                    "expired_chats_cleaned": 1,
                    "replies_delivered": 1,
                    "reply_placed": 2,
                },
            )
            await fake.wait_for(lambda: not fake.pending_updates)  # the stranger's held too
            proc.terminate()
            assert await proc.wait() == 0
        # the stop deleted what was held for a while: the receipt, the stranger's messages
        assert [m.message_id for m in submitter.visible()] == [closing.message_id]
        assert chat.messages[thanks.message_id].deleted
        assert stranger.visible() == []
        server_key = (data / "server.key").read_bytes()  # the examiner has everything on the disk
    image = fs.raw()
    sizes = [len(f) for f in [*files.values(), waiting, sealed_reply]]
    found = await asyncio.to_thread(carve, image, [server_key], sizes)

    keys = ServerKeys.from_secret(server_key)
    tag = {name: bytes.fromhex(keys.witness_key("telegram", u.id)) for name, u in people.items()}
    plain = b"\n".join(found.plaintexts)

    # the control: the carver does understand the format and the disk
    assert tag["open"] in found.tags, "the open draft's key slot was not found"
    assert canary["open"].encode() in plain, "the open draft's body was not opened"
    assert f'"chat":{people["open"].id}'.encode() in plain, "the open draft's chat id"
    assert files["open"] in found.blobs, "the open draft's attachment was not opened"
    assert slot_tag(waiting_tag, 0) in found.tags, "the waiting reply's key slot was not found"
    assert waiting in found.blobs, "the waiting reply was not opened"
    controls = (tag["open"], slot_tag(waiting_tag, 0))
    assert {(s.kind, s.record_id) for s in found.slots} == {
        (s.kind, s.record_id) for s in found.slots if s.tag in controls
    }  # the only live keys are the controls': no clean-up record was left behind
    assert found.unopened_rows > 10  # old copies of destroyed records are there: only noise
    assert found.blob_magics > len(found.blobs)  # and so are old blobs

    # the ended conversations: nothing at all
    for name in ENDED:
        user_id = str(people[name].id).encode()
        secrets = [canary[name].encode(), user_id, tag[name], tag[name].hex().encode()]
        for secret in secrets:
            assert secret not in image, (name, secret)
            assert secret not in plain, (name, secret)
        assert tag[name] not in found.tags, name
    # the follow-up: no code, no mailbox tag, no reply's lookup tag, text or sealed bytes
    grouped = " ".join(re.findall(".{4}", code))
    for secret in (code.encode(), grouped.encode(), mailbox, mailbox.hex().encode(),
                   slot_tag(mailbox, 0), reply_text.encode(), sealed_reply[200:264]):  # fmt: skip
        assert secret not in image, secret
        assert secret not in plain, secret
    assert slot_tag(mailbox, 0) not in found.tags
    assert sealed_reply not in found.blobs
    for name in ("photo", "doc", "quick", "stray"):
        assert files[name][:24] not in image, name
        assert files[name] not in found.blobs, name


async def test_an_upgraded_data_dir_leaves_nothing_openable_of_the_old_format(
    tmp_path: Path, staff: Any
) -> None:
    """Issue 9, "what is destroyed stays destroyed", across an upgrade: a data dir of schema v1
    (draft keys wrapped under the server key itself, in rows SQLite copies into its WAL and the
    file system keeps in freed blocks) is migrated on ext4; the server key is replaced in place,
    so no old row opens with anything on the disk — while the control, the same carver with the
    *old* key (which the examiner no longer has), still opens them: they are there, only noise."""
    with ext4_image(tmp_path) as fs:
        data = fs.mount / "data"
        shutil.copytree(STORE_V1, data, ignore=shutil.ignore_patterns("README.md"))
        for path in [data, *data.rglob("*")]:
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
        (data / "outbox").mkdir(mode=0o700, exist_ok=True)
        with sqlite3.connect(data / "intake.sqlite3") as db:
            (expires,) = db.execute("SELECT min(expires_at) FROM drafts").fetchone()
            # as the old version did while it served: row after row of the same drafts through
            # the WAL, whose frames end up in free blocks when it is checkpointed and removed
            db.execute("PRAGMA journal_mode=WAL")
            for n in range(20):
                db.execute("UPDATE drafts SET updated_at = updated_at + ?", (n * 1e-3,))
                db.commit()
        db.close()
        old_key = (data / "server.key").read_bytes()

        store = await Store.open(data, clock=Clock(expires - 3600))  # the real migration
        try:
            svc = IntakeService(store, load_default(), [staff.recipient()])
            open_key = svc.witness_key("telegram", V1_OPEN)
            assert await store.load_draft(open_key) is not None  # still found by its witness
            await svc.recover()  # the submit v1 never finished: sealed, its draft destroyed
            assert len(list(store.outbox_dir.glob("*.age"))) == 1
        finally:
            await store.close()
        new_key = (data / "server.key").read_bytes()
    image = fs.raw()
    assert new_key != old_key
    assert old_key not in image  # overwritten in place: no freed block holds it

    # control: the old rows are on the disk and the carver opens them — with the old key
    old = await asyncio.to_thread(carve_v1, image, [old_key])
    opened = b"\n".join(old.opened)
    assert b"CANARY-V1-OPEN" in opened, "the carver no longer finds the old rows"
    assert b"CANARY-V1-SEALING" in opened

    # the examiner: every key on the disk, nothing of the old format opens
    found = await asyncio.to_thread(carve, image, [new_key], [len(V1_ATTACHMENT)])
    assert new_key in found.server_keys
    now = await asyncio.to_thread(carve_v1, image, found.server_keys)
    assert now.rows >= old.rows > 0
    assert now.opened == []
    # … and of the live format only the open draft, the design's readable control
    keys = ServerKeys.from_secret(new_key)
    assert bytes.fromhex(keys.witness_key("telegram", V1_OPEN)) in found.tags
    plain = b"\n".join(found.plaintexts)
    assert b"CANARY-V1-OPEN" in plain
    assert V1_ATTACHMENT in found.blobs
    assert b"CANARY-V1-SEALING" not in plain  # sealed and destroyed after the upgrade
    sealing = keys.witness_key("telegram", V1_SEALING)
    assert sealing.encode() not in image
    assert bytes.fromhex(sealing) not in image
