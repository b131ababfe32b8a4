"""Hostile and odd input to the real service — nothing escapes ``IntakeService.handle``.

Huge text, control characters, NUL, forged and stale tokens, events of the wrong kind for the step,
Start in the middle, /back storms, two concurrent Submit presses (exactly one sealed file), files
this draft never stored, a draft or an attachment damaged on disk, and a submission that cannot be
built: the witness can still delete everything, and expiry and recovery go on for everyone else.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest

import intake.submission.seal
from intake.channel import AttachmentRef, Command, Event, Location, Media, Press, Start, Text
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import Store
from intake.submission.document import SubmissionFormatError
from tests.support.channels import ServiceFactory, ServiceWitness, scripted
from tests.support.questionnaires import VICTIM
from tests.support.sealing import sealed_files
from tests.support.witness import Witness, chunks, find, tokens_of


async def test_garbage_everywhere_never_raises(svc: IntakeService) -> None:
    player = scripted(svc, dict(VICTIM), "en")
    reply = await player.to_question("held_where")
    ref = await svc.add_attachment(
        player.key, chunks(b"abc"), filename="a", mime="x/y", max_bytes=99
    )
    stale = tokens_of(reply.prompt)[0]
    hostile: list[Event] = [
        Location(1e308, float("nan")),
        Text("x" * 100_000),
        Press("999999999999.o.0"),
        Press("1." + "a" * 10_000),
        Press(""),
        Press("\x00\u202e"),
        Press(stale.replace(".", "..")),
        Command("submit"),
        Command("review"),
    ]
    for event in hostile:
        rejected = await svc.handle(player.key, event)
        assert rejected.outcome == "rejected", (event, rejected)
        assert rejected.prompt.question_id == "held_where"
        assert rejected.prompt.notice
    kept = await svc.handle(player.key, Media(ref))  # a file on a text question: kept with it
    assert kept.outcome == "continue"
    assert kept.prompt.question_id == "held_where"
    assert (await svc.handle(player.key, Media(ref))).outcome == "rejected"  # the same file again
    for _ in range(30):
        await svc.handle(player.key, Command("back"))
    first = await svc.handle(player.key, Command("back"))
    assert first.outcome == "rejected"
    assert first.prompt.stage == "language"


async def test_location_on_choice_and_media_at_review(svc: IntakeService) -> None:
    player = scripted(svc, dict(VICTIM), "en")
    reply = await player.to_question("role")
    assert (await svc.handle(player.key, Location(53.9, 27.5))).outcome == "rejected"
    assert (await svc.handle(player.key, Text(tokens_of(reply.prompt)[0]))).outcome == "rejected"
    review = await player.continue_to_review(reply)
    ref = await svc.add_attachment(player.key, chunks(b"z"), filename="b", mime="a/b", max_bytes=9)
    assert (await svc.handle(player.key, Media(ref))).outcome == "rejected"
    assert (await svc.handle(player.key, Text("submit"))).outcome == "rejected"
    again = await svc.handle(player.key, Start(language_hint="ru"))
    assert again.prompt.stage == "review"  # Start resumes, it does not restart or switch language
    assert again.prompt.language == "en"
    assert find(review.prompt, "sub") is not None


async def test_start_in_the_middle_resumes_same_question(svc: IntakeService) -> None:
    player = scripted(svc, dict(VICTIM, held_where="x"), "en")
    await player.to_question("held_days")
    resumed = await svc.handle(player.key, Start())
    assert resumed.prompt.question_id == "held_days"
    assert resumed.outcome == "continue"


async def test_double_submit_seals_exactly_once(svc: IntakeService) -> None:
    player = scripted(svc, dict(VICTIM), "en")
    review = await player.to_review()
    submit = Press(find(review.prompt, "sub") or "")
    first, second = await asyncio.gather(
        svc.handle(player.key, submit), svc.handle(player.key, submit)
    )
    assert len(sealed_files(svc.store)) == 1
    assert first.outcome == "submit"
    assert first.receipt is not None
    # the late press is stale: it must not open a fresh draft behind the witness's back
    assert second.outcome != "continue" or second.prompt.stage != "language", second
    assert await svc.store.load_draft(player.key) is None


async def test_stale_press_after_submit_leaves_no_draft(svc: IntakeService) -> None:
    """A button of the deleted chat pressed after submit should not silently create a draft
    (service.handle starts one for any event when none exists; the witness sees a language menu)."""
    player = scripted(svc, dict(VICTIM), "en")
    review = await player.to_review()
    await player.submit_from(review)
    late = await svc.handle(player.key, Press(find(review.prompt, "sub") or ""))
    assert await svc.store.load_draft(player.key) is None, late.prompt


async def test_unreadable_draft_is_destroyed_and_the_witness_starts_over(
    store: Store, service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    key = svc.witness_key("t", 1)
    await svc.handle(key, Start())
    draft = await store.load_draft(key)
    assert draft is not None
    sql = "UPDATE records SET body = zeroblob(40) WHERE record_id = ?"
    await store.writer.write([(sql, (draft.draft_id,))])
    reply = await svc.handle(key, Text("hello"))
    assert reply.outcome == "rejected"
    assert await store.load_draft(key) is None
    assert (await svc.handle(key, Start())).prompt.stage == "language"


async def test_failed_seal_returns_to_review_and_leaves_nothing(
    store: Store, service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    key = svc.witness_key("t", 1)
    witness = ServiceWitness(
        svc,
        Witness.at_random(questionnaire, random.Random(4), tag="T", attachment=b"x" * 1000),
        key,
    )
    review = await witness.run(until="review")
    draft = await store.load_draft(key)
    assert draft is not None
    blob = next(store.draft_dir(draft.draft_id).glob("*.blob"))
    blob.write_bytes(blob.read_bytes()[:-5])  # the attachment no longer authenticates
    reply = await witness.step(review.prompt)
    assert reply.outcome == "rejected"
    assert reply.prompt.stage == "review"
    draft = await store.load_draft(key)
    assert draft is not None
    assert draft.sealing_id is None
    assert list(store.outbox_dir.iterdir()) == []
    assert await svc.expire() == []  # nothing stuck, nothing raised
    await svc.wipe(key)
    assert await store.load_draft(key) is None


async def test_media_must_name_a_file_this_draft_stored(
    service: ServiceFactory, questionnaire: Questionnaire
) -> None:
    svc = service(questionnaire)
    key = svc.witness_key("t", 1)
    witness = ServiceWitness(svc, Witness.at_random(questionnaire, random.Random(6), tag="T"), key)
    reply = await svc.handle(key, Start())
    while reply.prompt.question_id != "evidence":
        reply = await witness.step(reply.prompt)
    ref = await svc.add_attachment(key, chunks(b"abc"), filename="a", mime="a/b", max_bytes=10)
    for forged in (
        AttachmentRef("0" * 24, "a", "a/b", 3, ref.sha256),
        AttachmentRef("../../server.key", "a", "a/b", 3, ref.sha256),
        AttachmentRef(ref.attachment_id, "a", "a/b", 4, ref.sha256),
        AttachmentRef(ref.attachment_id, "a", "a/b", 3, "0" * 64),
    ):
        assert (await svc.handle(key, Media(forged))).outcome == "rejected"
    assert (await svc.handle(key, Media(ref))).outcome == "continue"


async def test_failed_submit_does_not_poison_the_service(
    service: Callable[[Questionnaire], IntakeService],
    be_only: Questionnaire,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever makes building a submission fail, nothing may escape handle(), the witness must
    still be able to delete everything (/x → wipe), and expiry/recovery must go on for others."""

    def broken(document: object) -> object:
        raise SubmissionFormatError("answers[1].value: not a valid date value")

    svc = service(be_only)
    victim = scripted(svc, {"kali": "10.08.2020"}, "be", key="victim")
    review = await victim.to_review()
    monkeypatch.setattr(intake.submission.seal, "parse_submission", broken)
    failures: list[str] = []
    for name, call in [
        ("submit", lambda: victim.submit_from(review)),
        ("start", lambda: svc.handle("victim", Start())),
        ("cancel", lambda: svc.handle("victim", Command("cancel"))),
        ("expire", svc.expire),
        ("recover", svc.recover),
    ]:
        try:
            await call()
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}")
    try:
        await svc.wipe("victim")
    except Exception as exc:
        failures.append(f"wipe: {type(exc).__name__}")
    assert failures == []
    assert await svc.store.load_draft("victim") is None  # /x must leave nothing behind


@pytest.mark.parametrize("attachment_id", ["deadbeef" * 4, "../../server.key"])
async def test_media_with_a_foreign_attachment_id(svc: IntakeService, attachment_id: str) -> None:
    """Media(ref) whose id this draft never stored is accepted (service.handle does not check it
    against the draft; blobs.blob_path joins it unchecked) and Submit then raises
    FileNotFoundError out of handle() — poisoning the draft as above."""
    player = scripted(svc, {"treatment": ["beaten"], "injuries": "x"}, "en")
    reply = await player.to_question("evidence")
    forged = AttachmentRef(attachment_id, "f.jpg", "image/jpeg", 3, "0" * 64)
    media = await svc.handle(player.key, Media(forged))
    if media.outcome == "rejected":
        return  # refused up front: fine
    done = await svc.handle(player.key, Press(find(media.prompt, "done") or ""))
    review = await player.continue_to_review(done)
    reply = await player.submit_from(review)  # must not raise
    assert reply.outcome in ("submit", "rejected")
