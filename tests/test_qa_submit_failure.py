"""QA: partial dates cannot be submitted, and one failed submit poisons the whole service.

The date hint tells the witness "the month and year (08.2020) or just the year is fine", the
engine stores "2020-08" / "2020" (docs/questionnaire.md), but ``intake.submission._is_date``
accepts only ``YYYY-MM-DD``: Submit raises ``SubmissionFormatError`` out of
``IntakeService.handle``. Because the draft was already marked "sealing", every later event of that
witness, ``wipe`` (/x), ``expire()`` (for everyone) and ``recover()`` (start-up) raise the same.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_qa_support import QA_DIR, Player, open_members

import crypto
import intake.submission.seal
from intake.channel import Command, Press, Start
from intake.questionnaire import Questionnaire, load
from intake.service import IntakeService
from intake.store import Store
from intake.submission.document import SubmissionFormatError


@pytest.fixture(scope="module")
def staff() -> crypto.Identity:
    return crypto.generate_identity(post_quantum=False)


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load(QA_DIR / "qa_be_only.toml")


@pytest.fixture
async def svc(
    tmp_path: Path, q: Questionnaire, staff: crypto.Identity
) -> AsyncIterator[IntakeService]:
    store = await Store.open(tmp_path / "data")
    try:
        yield IntakeService(store, q, [staff.recipient()])
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("typed", "stored"), [("2020", "2020"), ("08.2020", "2020-08"), ("жнівень 2020", "2020-08")]
)
async def test_partial_date_can_be_submitted(
    svc: IntakeService, q: Questionnaire, staff: crypto.Identity, typed: str, stored: str
) -> None:
    player = Player(svc, q, {"zatrymanne": False, "kali": typed}, "be")
    review = await player.to_review()
    assert "2020" in review.prompt.text  # the engine accepted it and shows it for review
    reply = await player.submit_from(review)  # today: SubmissionFormatError escapes handle()
    assert reply.outcome == "submit"
    (sealed,) = list(svc.store.outbox_dir.glob("*.age"))
    sub = json.loads(open_members(sealed, staff)[0][1])
    assert sub["answers"][-1]["value"] == stored


async def test_failed_submit_does_not_poison_the_service(
    svc: IntakeService, q: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever makes building a submission fail, nothing may escape handle(), the witness must
    still be able to delete everything (/x → wipe), and expiry/recovery must go on for others."""

    def broken(document: object) -> object:
        raise SubmissionFormatError("answers[1].value: not a valid date value")

    victim = Player(svc, q, {"kali": "10.08.2020"}, "be", key="victim")
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


async def test_bundled_questionnaire_year_only(tmp_path: Path, staff: crypto.Identity) -> None:
    """The same with the bundled questionnaire: "In which year?" → "2020" → Submit."""
    from intake.questionnaire import load_default

    q = load_default()
    store = await Store.open(tmp_path / "data2")
    try:
        svc = IntakeService(store, q, [staff.recipient()])
        player = Player(svc, q, {"happened_on": "2020"}, "en")
        assert (await player.submit()).outcome == "submit"
    finally:
        await store.close()


@pytest.mark.parametrize("attachment_id", ["deadbeef" * 4, "../../server.key"])
async def test_media_with_a_foreign_attachment_id(
    tmp_path: Path, staff: crypto.Identity, attachment_id: str
) -> None:
    """Media(ref) whose id this draft never stored is accepted (service.handle does not check it
    against the draft; blobs.blob_path joins it unchecked) and Submit then raises
    FileNotFoundError out of handle() — poisoning the draft as above."""
    from test_qa_support import find

    from intake.channel import AttachmentRef, Media

    q = load(QA_DIR / "qa_every_type.toml")
    store = await Store.open(tmp_path / "data3")
    try:
        svc = IntakeService(store, q, [staff.recipient()])
        player = Player(svc, q, {"treatment": ["beaten"], "injuries": "x"}, "en")
        reply = await player.send_start()
        while reply.prompt.question_id != "evidence":
            reply = await player.send(await player.event_for(reply.prompt))
        forged = AttachmentRef(attachment_id, "f.jpg", "image/jpeg", 3, "0" * 64)
        media = await svc.handle(player.key, Media(forged))
        if media.outcome == "rejected":
            return  # refused up front: fine
        done = await svc.handle(player.key, Press(find(media.prompt, "done") or ""))
        review = await player.continue_to_review(done)
        reply = await player.submit_from(review)  # must not raise
        assert reply.outcome in ("submit", "rejected")
    finally:
        await store.close()
