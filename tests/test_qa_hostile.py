"""QA: hostile and odd input to the real service — nothing escapes ``IntakeService.handle``.

Huge text, control characters, NUL, right-to-left overrides, forged and stale tokens, events of the
wrong kind for the step, Start in the middle, /back storms, branch changes at the review, and two
concurrent Submit presses (exactly one sealed file).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_qa_support import QA_DIR, Player, Skip, chunks, find, open_members, tokens

import crypto
from intake.channel import Command, Event, Location, Media, Press, Reply, Start, Text
from intake.questionnaire import Questionnaire, load
from intake.service import IntakeService
from intake.store import Store


@pytest.fixture(scope="module")
def staff() -> crypto.Identity:
    return crypto.generate_identity(post_quantum=False)


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load(QA_DIR / "qa_every_type.toml")


@pytest.fixture
async def svc(
    tmp_path: Path, q: Questionnaire, staff: crypto.Identity
) -> AsyncIterator[IntakeService]:
    store = await Store.open(tmp_path / "data")
    try:
        yield IntakeService(store, q, [staff.recipient()])
    finally:
        await store.close()


async def at_question(player: Player, qid: str) -> Reply:
    """Play from Start until the prompt for ``qid``."""
    reply = await player.send_start()
    for _ in range(50):
        if reply.prompt.question_id == qid:
            return reply
        reply = await player.send(await player.event_for(reply.prompt))
    raise AssertionError(f"never asked {qid}")


def sealed(svc: IntakeService) -> list[Path]:
    return sorted(svc.store.outbox_dir.glob("*.age"))


VICTIM = {"role": ("choice", "victim"), "detained": True}


async def test_garbage_everywhere_never_raises(svc: IntakeService, q: Questionnaire) -> None:
    player = Player(svc, q, dict(VICTIM), "en")
    reply = await at_question(player, "held_where")
    ref = await svc.add_attachment(
        player.key, chunks(b"abc"), filename="a", mime="x/y", max_bytes=99
    )
    stale = tokens(reply.prompt)[0]
    hostile: list[Event] = [
        Media(ref),  # a file on a text question
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
    for _ in range(30):
        await svc.handle(player.key, Command("back"))
    first = await svc.handle(player.key, Command("back"))
    assert first.outcome == "rejected"
    assert first.prompt.stage == "language"


async def test_location_on_choice_and_media_at_review(svc: IntakeService, q: Questionnaire) -> None:
    player = Player(svc, q, dict(VICTIM), "en")
    reply = await at_question(player, "role")
    assert (await svc.handle(player.key, Location(53.9, 27.5))).outcome == "rejected"
    assert (await svc.handle(player.key, Text(tokens(reply.prompt)[0]))).outcome == "rejected"
    review = await player.continue_to_review(reply)
    ref = await svc.add_attachment(player.key, chunks(b"z"), filename="b", mime="a/b", max_bytes=9)
    assert (await svc.handle(player.key, Media(ref))).outcome == "rejected"
    assert (await svc.handle(player.key, Text("submit"))).outcome == "rejected"
    again = await svc.handle(player.key, Start(language_hint="ru"))
    assert again.prompt.stage == "review"  # Start resumes, it does not restart or switch language
    assert again.prompt.language == "en"
    assert find(review.prompt, "sub") is not None


async def test_start_in_the_middle_resumes_same_question(
    svc: IntakeService, q: Questionnaire
) -> None:
    player = Player(svc, q, dict(VICTIM, held_where="x"), "en")
    await at_question(player, "held_days")
    resumed = await svc.handle(player.key, Start())
    assert resumed.prompt.question_id == "held_days"
    assert resumed.outcome == "continue"


@pytest.mark.parametrize("text", ["\x00", "\u202e\u202e", "\x1b\x07", "\u200b\u200b"])
async def test_invisible_only_answer_counts_as_empty(
    svc: IntakeService, q: Questionnaire, text: str
) -> None:
    """Only control/format characters is no answer (engine/inputs.py accepts it today)."""
    player = Player(svc, q, dict(VICTIM), "en")
    await at_question(player, "held_where")
    reply = await svc.handle(player.key, Text(text))
    assert reply.outcome == "rejected", reply.prompt
    assert reply.prompt.question_id == "held_where"


async def test_control_characters_do_not_reach_the_submission(
    svc: IntakeService, q: Questionnaire, staff: crypto.Identity
) -> None:
    """NUL, ESC (terminal escapes), BEL are accepted verbatim today and end up in submission.json,
    report.html and index.csv (engine/inputs.py); newlines and tabs are legitimate."""
    hostile = "a\x00b \x1b[31mred\x07 line1\nline2\tend"
    player = Player(svc, q, {"notes": hostile}, "en")
    assert (await player.submit()).outcome == "submit"
    members = open_members(sealed(svc)[0], staff)
    value = json.loads(members[0][1])["answers"][-1]["value"]
    assert "line1\nline2\tend" in value
    assert not any(ord(c) < 32 and c not in "\n\t" for c in value), repr(value)


async def test_editing_at_review_drops_and_opens_branches(
    svc: IntakeService, q: Questionnaire, staff: crypto.Identity
) -> None:
    script = dict(VICTIM, held_where="Okrestina", held_days="3", notes=Skip())
    player = Player(svc, q, script, "en")
    review = await player.to_review()
    assert "Okrestina" in review.prompt.text
    # edit "role" (question 1) to "relative": the detained branch and its nested ones close
    edit = find(review.prompt, "e", "0")
    assert edit is not None, tokens(review.prompt)
    editing = await player.send(Press(edit))
    assert editing.prompt.question_id == "role"
    player.script["role"] = ("choice", "relative")
    player.script["relative_name_skipped"] = "cousin"
    review2 = await player.continue_to_review(
        await player.send(await player.event_for(editing.prompt))
    )
    assert "Okrestina" not in review2.prompt.text
    assert "cousin" in review2.prompt.text  # the newly opened branch was asked before the review
    await player.submit_from(review2)
    sub = json.loads(open_members(sealed(svc)[0], staff)[0][1])
    ids = [a["question_id"] for a in sub["answers"]]
    assert "detained" not in ids
    assert "held_where" not in ids
    assert "held_days" not in ids
    assert "relative_name_skipped" in ids
    assert "Okrestina" not in json.dumps(sub)


async def test_double_submit_seals_exactly_once(svc: IntakeService, q: Questionnaire) -> None:
    player = Player(svc, q, dict(VICTIM), "en")
    review = await player.to_review()
    submit = Press(find(review.prompt, "sub") or "")
    first, second = await asyncio.gather(
        svc.handle(player.key, submit), svc.handle(player.key, submit)
    )
    assert len(sealed(svc)) == 1
    assert first.outcome == "submit"
    assert first.receipt is not None
    # the late press is stale: it must not open a fresh draft behind the witness's back
    assert second.outcome != "continue" or second.prompt.stage != "language", second
    assert await svc.store.load_draft(player.key) is None


async def test_stale_press_after_submit_leaves_no_draft(
    svc: IntakeService, q: Questionnaire
) -> None:
    """A button of the deleted chat pressed after submit should not silently create a draft
    (service.handle starts one for any event when none exists; the witness sees a language menu)."""
    player = Player(svc, q, dict(VICTIM), "en")
    review = await player.to_review()
    await player.submit_from(review)
    late = await svc.handle(player.key, Press(find(review.prompt, "sub") or ""))
    assert await svc.store.load_draft(player.key) is None, late.prompt


async def test_typed_submit_on_a_question_is_not_called_a_stale_button(
    svc: IntakeService, q: Questionnaire
) -> None:
    """Typing /submit on a question answers "That button belongs to an earlier message" — the
    witness pressed no button (engine/machine.py _press maps typed commands to stale)."""
    player = Player(svc, q, dict(VICTIM), "en")
    await at_question(player, "held_where")
    reply = await svc.handle(player.key, Command("submit"))
    assert reply.outcome == "rejected"
    assert reply.prompt.notice is not None
    assert "earlier message" not in reply.prompt.notice, reply.prompt.notice
