"""IntakeService against the real engine and a real store: conversations, submit, wipe, expiry."""

from __future__ import annotations

import asyncio
import json
import os
import random
from pathlib import Path

import pytest

import crypto
from intake import engine
from intake.channel import Closing, Press, Start, Text
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import AttachmentTooLargeError, DraftNotFoundError, Store
from intake.submission.document import parse_submission
from tests.support.channels import ServiceFactory, ServiceWitness
from tests.support.clock import Clock
from tests.support.sealing import open_sealed
from tests.support.witness import Witness, chunks, find, tokens_of


async def test_full_conversation_submits_sealed_tar(
    tmp_path: Path, questionnaire: Questionnaire, staff: crypto.Identity
) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "d", clock=clock)
    svc = IntakeService(store, questionnaire, [staff.recipient()])
    key = svc.witness_key("telegram", 42)
    photo = os.urandom(150_000)
    witness = ServiceWitness(
        svc, Witness.at_random(questionnaire, random.Random(1), tag="TAG1", attachment=photo), key
    )
    reply = await witness.run()
    assert reply.receipt is not None
    assert len(reply.receipt) == 9
    assert reply.receipt[4] == "-"
    assert reply.receipt in reply.prompt.text
    assert await store.load_draft(key) is None
    files = list(store.outbox_dir.iterdir())
    assert len(files) == 1
    members = open_sealed(files[0], staff)
    names = list(members)
    assert names[0] == "submission.json"
    sub = parse_submission(members["submission.json"])
    assert sub.receipt == reply.receipt
    assert files[0].name == f"{sub.submission_id}.age"
    assert sub.questionnaire.id == questionnaire.id
    assert sub.language == witness.witness.language
    assert json.loads(members["submission.json"])["submitted_at"].endswith("Z")
    assert [a.path for a in sub.attachments] == ["attachments/1-evil_name.JPG"]
    assert members["attachments/1-evil_name.JPG"] == photo
    assert any("TAG1" in str(a.value) for a in sub.answers)
    row = await store.outbox.get(sub.submission_id)
    assert row is not None
    assert row.state == "queued"
    await store.close()


async def test_restart_between_every_step_resumes(
    tmp_path: Path, questionnaire: Questionnaire, staff: crypto.Identity
) -> None:
    data = tmp_path / "d"
    holder: list[tuple[Store, IntakeService]] = []

    async def reopen() -> IntakeService:
        if holder:
            await holder.pop()[0].close()
        store = await Store.open(data)
        svc = IntakeService(store, questionnaire, [staff.recipient()])
        holder.append((store, svc))
        return svc

    svc = await reopen()
    key = svc.witness_key("telegram", 7)
    witness = ServiceWitness(
        svc, Witness.at_random(questionnaire, random.Random(2), tag="TAG2", attachment=b"pic"), key
    )
    reply = await witness.run(between=reopen)
    assert reply.outcome == "submit"
    store = holder.pop()[0]
    assert len(await store.outbox.rows()) == 1
    await store.close()


async def test_start_mid_conversation_resumes_same_question(
    service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    key = svc.witness_key("telegram", 8)
    witness = ServiceWitness(svc, Witness.at_random(questionnaire, random.Random(3), tag="T"), key)
    reply = await svc.handle(key, Start())
    for _ in range(5):
        reply = await witness.step(reply.prompt)
    again = await svc.handle(key, Start())
    assert again.prompt.question_id == reply.prompt.question_id
    assert again.prompt.text == reply.prompt.text


async def test_cancel_and_wipe_destroy_the_draft(
    store: Store, service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    key = svc.witness_key("telegram", 9)
    reply = await svc.handle(key, Start())
    await svc.set_channel_data(key, {"chat": 1, "ids": [1, 2]})
    assert await svc.get_channel_data(key) == {"chat": 1, "ids": [1, 2]}
    asked = await svc.handle(key, Press(find(reply.prompt, "x") or "1.x"))
    assert asked.outcome == "continue"  # "delete everything?" comes first
    cancelled = await svc.handle(key, Press(find(asked.prompt, "xy") or "2.xy"))
    assert cancelled.outcome == "cancelled"
    assert cancelled.channel_data == {"chat": 1, "ids": [1, 2]}
    assert await store.load_draft(key) is None
    assert store.cleanups.ids() == [cancelled.cleanup_id]  # sealed until the chat is clean
    await svc.cleaned(cancelled.cleanup_id)
    assert store.cleanups.ids() == []

    await svc.handle(key, Start())
    await svc.set_channel_data(key, {"chat": 2})
    wiped = await svc.wipe(key)
    assert wiped.channel_data == {"chat": 2}
    assert store.cleanups.ids() == [wiped.cleanup_id]
    assert await store.load_draft(key) is None
    assert await svc.wipe(key) == Closing({})
    assert await svc.get_channel_data(key) == {}
    await svc.set_channel_data(key, {"x": 1})  # no draft: nothing to attach to, no error


async def test_expire_destroys_drafts_and_their_blobs(
    tmp_path: Path, questionnaire: Questionnaire, staff: crypto.Identity
) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "d", clock=clock, draft_ttl=3600)
    svc = IntakeService(store, questionnaire, [staff.recipient()])
    old, new = svc.witness_key("t", 1), svc.witness_key("t", 2)
    await svc.handle(old, Start())
    await svc.add_attachment(old, chunks(b"blob"), filename="a", mime="x/y", max_bytes=100)
    await svc.set_channel_data(old, {"chat": 1})
    clock.now += 1800
    await svc.handle(new, Start())
    clock.now += 1800
    assert [c.channel_data for c in await svc.expire()] == [{"chat": 1}]
    assert await store.load_draft(old) is None
    assert await store.load_draft(new) is not None
    assert [p.name for p in (tmp_path / "d" / "drafts").iterdir()] == []
    clock.now += 3600
    reply = await svc.handle(new, Text("late"))  # expired on access: gone, not resumed
    assert reply.outcome == "rejected"
    assert await store.load_draft(new) is None
    await store.close()


async def test_attachment_limits_and_mime(
    service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    key = svc.witness_key("t", 1)
    with pytest.raises(DraftNotFoundError):
        await svc.add_attachment(key, chunks(b"x"), filename="a", mime="a/b", max_bytes=10)
    await svc.handle(key, Start())
    with pytest.raises(AttachmentTooLargeError):
        await svc.add_attachment(key, chunks(b"x" * 11), filename="a", mime="a/b", max_bytes=10)
    ref = await svc.add_attachment(key, chunks(b"x"), filename="a", mime="bad mime", max_bytes=10)
    assert ref.mime == "application/octet-stream"
    assert ref.size == 1


async def test_rate_limits(tmp_path: Path, questionnaire: Questionnaire) -> None:
    clock = Clock()
    store = await Store.open(tmp_path / "d", clock=clock)
    recipient = crypto.generate_identity(post_quantum=False).recipient()
    svc = IntakeService(store, questionnaire, [recipient], limits={"message": (2, 60)})
    assert [await svc.allow("k", "message") for _ in range(3)] == [True, True, False]
    clock.now += 60
    assert await svc.allow("k", "message")
    with pytest.raises(ValueError, match="unknown rate-limit kind"):
        await svc.allow("k", "nope")
    await store.close()


async def test_concurrent_witnesses_each_in_order(
    store: Store, service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    witnesses = [
        ServiceWitness(
            svc,
            Witness.at_random(questionnaire, random.Random(i), tag=f"W{i}"),
            svc.witness_key("t", i),
        )
        for i in range(20)
    ]
    replies = await asyncio.gather(*(w.run() for w in witnesses))
    assert all(r.outcome == "submit" for r in replies)
    assert len({r.receipt for r in replies}) == 20
    assert len(await store.outbox.rows()) == 20
    assert store.writer.batches < store.writer.items  # commits were grouped


async def test_events_of_one_witness_are_serialised(
    service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    key = svc.witness_key("t", 1)
    reply = await svc.handle(key, Start())
    token = tokens_of(reply.prompt)[0]
    # the same button pressed twice at once: exactly one is applied, the other is stale
    a, b = await asyncio.gather(svc.handle(key, Press(token)), svc.handle(key, Press(token)))
    assert sorted([a.outcome, b.outcome]) == ["continue", "rejected"]


def test_resume_prompt_matches_engine(questionnaire: Questionnaire) -> None:
    step = engine.start(questionnaire, "ru")
    assert engine.resume(questionnaire, step.state).text == step.prompt.text


async def test_cleanups_left_by_a_crash_are_handed_out_by_the_next_sweep(
    tmp_path: Path, questionnaire: Questionnaire, staff: crypto.Identity
) -> None:
    store = await Store.open(tmp_path / "d")
    svc = IntakeService(store, questionnaire, [staff.recipient()])
    key = svc.witness_key("t", 1)
    await svc.handle(key, Start())
    await svc.set_channel_data(key, {"chat": 1, "ids": [5]})
    closing = await svc.wipe(key)  # … and the bot dies before it deleted the chat
    assert await svc.expire() == []  # held by this process's channel: not handed out twice
    await store.close()

    store = await Store.open(tmp_path / "d")
    try:
        svc = IntakeService(store, questionnaire, [staff.recipient()])
        assert await svc.expire() == [Closing({"chat": 1, "ids": [5]}, closing.cleanup_id, "")]
        await svc.cleaned(closing.cleanup_id)
        assert await svc.expire() == []
        assert store.cleanups.ids() == []
    finally:
        await store.close()
