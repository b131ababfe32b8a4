"""The follow-up conversation through the service: a code at submit, a reply waiting, the witness
back with the code (or a wrong one), an addition sealed with the case link."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import crypto
from crypto.followup import Argon2Params
from intake.channel import Command, FollowUp, Press, Reply, Start, Text
from intake.engine import tokens
from intake.followup.kdfparams import FollowupParams
from intake.followup.replyfile import Reply as StaffReply
from intake.followup.replyfile import seal_reply
from intake.followup.session import READING_SECONDS, FollowupSettings
from intake.questionnaire import loads
from intake.service import IntakeService
from intake.store import Store
from tests.support.clock import Clock
from tests.support.questionnaires import MINIMAL
from tests.support.sealing import open_sealed, sealed_files
from tests.support.witness import find

LOW = FollowupParams(bytes(16), Argon2Params(memory_kib=64, iterations=1, lanes=1))
TINY = loads(MINIMAL + '[[questions]]\nid = "what"\ntype = "text"\nprompt.en = "What?"\n')
KEY = "w" * 64


async def _submit_with_code(svc: IntakeService) -> tuple[str, Reply]:
    r = await svc.handle(KEY, Start("en"))
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.ACCEPT) or ""))
    r = await svc.handle(KEY, Text("the answer"))
    assert r.prompt.stage == "review"
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.SUBMIT_CODE) or ""))
    assert r.prompt.stage == "code"
    code = "".join(re.findall(r"\d{4}", r.prompt.text)[:6])
    assert len(code) == 24
    wrong = await svc.handle(KEY, Text("0000" if not code.endswith("0000") else "1111"))
    assert wrong.outcome == "rejected"
    assert code[:8] not in (wrong.prompt.text + (wrong.prompt.notice or ""))  # shown once only
    done = await svc.handle(KEY, Text(code[-4:]))
    assert done.outcome == "submit"
    assert "/followup" in done.prompt.text
    return code, done


@pytest.fixture
async def parts(tmp_path: Path, staff: crypto.Identity) -> tuple[Store, IntakeService]:
    store = await Store.open(tmp_path / "data", clock=Clock())
    yield store, IntakeService(store, TINY, [staff.recipient()], followup=FollowupSettings(LOW))  # type: ignore[misc]
    await store.close()


async def test_round_trip_through_the_service(
    parts: tuple[Store, IntakeService], staff: crypto.Identity
) -> None:
    store, svc = parts
    assert svc.followup is not None
    code, _ = await _submit_with_code(svc)
    (original,) = sealed_files(store)
    doc = json.loads(open_sealed(original, staff)["submission.json"])
    followup = doc["followup"]
    assert code not in json.dumps(doc)
    # staff answer offline; the reply waits under the mailbox tag
    reply = StaffReply(os.urandom(16).hex(), datetime.now(UTC), "When was it?")
    sealed = seal_reply(reply, crypto.parse_recipient(followup["recipient"]))
    await svc.followup.mailboxes.place(
        bytes.fromhex(followup["mailbox_tag"]), reply.reply_id, sealed
    )
    # the witness comes back
    asked = await svc.handle(KEY, FollowUp("en"))
    assert asked.prompt.stage == "followup"
    assert asked.prompt.expects == "text"
    back = await svc.handle(KEY, Text(" ".join(code[i : i + 4] for i in range(0, 24, 4))))
    assert [s.text for s in back.shown] == ["When was it?"]
    assert "Done" in str(back.prompt.buttons)
    added = await svc.handle(KEY, Press(find(back.prompt, tokens.FU_ADD) or ""))
    assert svc.followup.mailboxes.count() == 0  # read: shredded
    assert added.prompt.stage == "question"
    r = await svc.handle(KEY, Text("It was on the 9th."))
    r = await svc.handle(KEY, Command("skip"))
    assert r.prompt.stage == "review"
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.SUBMIT) or ""))
    assert r.outcome == "submit"
    assert find(r.prompt, tokens.SUBMIT_CODE) is None
    (addition,) = [p for p in sealed_files(store) if p != original]
    add_doc = json.loads(open_sealed(addition, staff)["submission.json"])
    assert add_doc["followup_of"] == followup["case_link"]
    assert add_doc["questionnaire"]["id"] == "addition"
    assert "It was on the 9th." in json.dumps(add_doc)


async def test_a_wrong_code_looks_like_nothing_new(parts: tuple[Store, IntakeService]) -> None:
    _, svc = parts
    code, _ = await _submit_with_code(svc)
    texts = []
    for typed in (code, f"{int(code) ^ 1:024d}"):
        await svc.handle(KEY, FollowUp("en"))
        r = await svc.handle(KEY, Text(typed))
        assert r.shown == ()
        texts.append((r.prompt.text, [b.label for row in r.prompt.buttons for b in row]))
        await svc.handle(KEY, Command("cancel"))
    assert texts[0] == texts[1]
    await svc.handle(KEY, FollowUp("en"))
    typo = await svc.handle(KEY, Text("1234 5678"))
    assert typo.outcome == "rejected"
    assert "24" in (typo.prompt.notice or "")


async def test_tries_are_limited_and_the_reading_time_is_the_draft_expiry(
    parts: tuple[Store, IntakeService],
) -> None:
    store, svc = parts
    await svc.handle(KEY, FollowUp("en"))
    for n in range(5):
        r = await svc.handle(KEY, Text(f"{n:024d}"))
        assert r.outcome == "continue"
        assert store.records.find("draft", _tag(store)) is not None
        now = svc.clock()
        (draft_id,) = await store.draft_ids_expiring_by(now + READING_SECONDS)
        assert draft_id
        await svc.handle(KEY, FollowUp("en"))
    blocked = await svc.handle(KEY, Text(f"{9:024d}"))
    assert blocked.outcome == "rejected"
    assert "wait" in (blocked.prompt.notice or "").lower()


def _tag(store: Store) -> bytes:
    from intake.store.drafts import witness_tag

    return witness_tag(KEY)


async def test_an_open_conversation_is_not_thrown_away(parts: tuple[Store, IntakeService]) -> None:
    _, svc = parts
    r = await svc.handle(KEY, Start("en"))
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.ACCEPT) or ""))
    busy = await svc.handle(KEY, FollowUp("en"))
    assert busy.outcome == "rejected"
    assert busy.prompt.stage == "question"
    assert "/followup" in (busy.prompt.notice or "")


async def test_start_screen_button_and_a_restart_mid_confirmation(
    tmp_path: Path, staff: crypto.Identity
) -> None:
    store = await Store.open(tmp_path / "data", clock=Clock())
    svc = IntakeService(store, TINY, [staff.recipient()], followup=FollowupSettings(LOW))
    r = await svc.handle(KEY, Start("en"))
    asked = await svc.handle(KEY, Press(find(r.prompt, tokens.FOLLOWUP) or ""))
    assert asked.prompt.stage == "followup"
    await svc.handle(KEY, Command("cancel"))
    r = await svc.handle(KEY, Start("en"))
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.ACCEPT) or ""))
    r = await svc.handle(KEY, Text("x"))
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.SUBMIT_CODE) or ""))
    first = "".join(re.findall(r"\d{4}", r.prompt.text)[:6])
    await store.close()
    store = await Store.open(tmp_path / "data", clock=Clock())
    try:
        svc = IntakeService(store, TINY, [staff.recipient()], followup=FollowupSettings(LOW))
        again = await svc.handle(KEY, Text(first[-4:]))  # the code was in memory only
        assert again.outcome == "continue"
        assert "restarted" in (again.prompt.notice or "")
        second = "".join(re.findall(r"\d{4}", again.prompt.text)[:6])
        assert second != first
        assert sealed_files(store) == []
        nocode = await svc.handle(KEY, Press(find(again.prompt, tokens.NO_CODE) or ""))
        assert nocode.outcome == "submit"
        (path,) = sealed_files(store)
        assert "followup" not in json.loads(open_sealed(path, staff)["submission.json"])
    finally:
        await store.close()


async def test_start_in_a_follow_up_begins_a_new_testimony_and_no_expiry_warning(
    parts: tuple[Store, IntakeService],
) -> None:
    _, svc = parts
    await svc.handle(KEY, FollowUp("en"))
    await svc.handle(KEY, Text(f"{7:024d}"))  # at the menu: ten minutes to read
    assert await svc.expiring(3600) == []  # no "this conversation ends soon" on top of it
    fresh = await svc.handle(KEY, Start("en"))
    assert fresh.prompt.stage == "consent"
    assert (await svc.handle(KEY, Press(find(fresh.prompt, tokens.ACCEPT) or ""))).prompt.stage == (
        "question"
    )


async def test_a_failed_derivation_at_submit_seals_nothing_and_keeps_the_code(
    parts: tuple[Store, IntakeService], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crypto.followup import FollowupKeyError

    store, svc = parts
    assert svc.followup is not None
    r = await svc.handle(KEY, Start("en"))
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.ACCEPT) or ""))
    r = await svc.handle(KEY, Text("x"))
    r = await svc.handle(KEY, Press(find(r.prompt, tokens.SUBMIT_CODE) or ""))
    code = "".join(re.findall(r"\d{4}", r.prompt.text)[:6])
    real = svc.followup.deriver.derive

    async def broken(_: str) -> object:
        raise FollowupKeyError("Argon2id failed (MemoryError)")

    monkeypatch.setattr(svc.followup.deriver, "derive", broken)
    failed = await svc.handle(KEY, Text(code[-4:]))
    assert failed.outcome == "rejected"
    assert "nothing was sent" in (failed.prompt.notice or "")
    assert sealed_files(store) == []
    monkeypatch.setattr(svc.followup.deriver, "derive", real)
    done = await svc.handle(KEY, Text(code[-4:]))  # the same code still works
    assert done.outcome == "submit"


async def test_replies_read_then_left_are_shredded_by_the_reading_deadline_after_a_restart(
    tmp_path: Path, staff: crypto.Identity
) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "data", clock=clock)
    svc = IntakeService(store, TINY, [staff.recipient()], followup=FollowupSettings(LOW))
    assert svc.followup is not None
    code, _ = await _submit_with_code(svc)
    (original,) = sealed_files(store)
    followup = json.loads(open_sealed(original, staff)["submission.json"])["followup"]
    reply = StaffReply(os.urandom(16).hex(), datetime.now(UTC), "Still there?")
    sealed = seal_reply(reply, crypto.parse_recipient(followup["recipient"]))
    await svc.followup.mailboxes.place(
        bytes.fromhex(followup["mailbox_tag"]), reply.reply_id, sealed
    )
    await svc.handle(KEY, FollowUp("en"))
    read = await svc.handle(KEY, Text(code))
    assert [s.text for s in read.shown] == ["Still there?"]
    await svc.set_channel_data(KEY, {"chat": 5, "ids": [10, 11, 12]})
    await store.close()  # the bot stops while the witness reads; nothing in memory survives
    clock.now += READING_SECONDS - 1
    store = await Store.open(tmp_path / "data", clock=clock)
    try:
        svc = IntakeService(store, TINY, [staff.recipient()], followup=FollowupSettings(LOW))
        assert svc.followup is not None
        assert await svc.expire() == []  # not yet
        assert svc.followup.mailboxes.count() == 1
        clock.now += 2
        (closing,) = await svc.expire()
        assert closing.channel_data["ids"] == [10, 11, 12]  # the channel deletes them
        assert svc.followup.mailboxes.count() == 0  # and the reply is shredded
    finally:
        await store.close()
