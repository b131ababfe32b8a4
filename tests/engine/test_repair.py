"""A draft open while a new questionnaire version is deployed: answers that still fit are kept,
the others asked again before the review — in the engine, and through the service (QA)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crypto
from intake.channel import Command, Start, Text
from intake.engine import DraftState, answers_for_submission, apply, resume
from intake.engine.repair import problems
from intake.questionnaire import Questionnaire, load, loads
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import scripted
from tests.support.paths import QUESTIONNAIRES, SAMPLE_TOML
from tests.support.sealing import open_members
from tests.support.steps import SAMPLE, TODAY, at_first_question, full_run, press, send


def test_draft_of_another_version_is_carried_over() -> None:
    step = full_run()
    old = DraftState.from_json(
        {**step.state.to_json(), "questionnaire": {"id": "sample", "version": 1}}
    )
    prompt = resume(SAMPLE, old)
    assert prompt.stage == "review"
    moved = apply(SAMPLE, old, Command("help"), today=TODAY)
    assert moved.state.questionnaire_version == 2


def test_draft_moves_to_a_new_questionnaire_version() -> None:
    source = SAMPLE_TOML.read_text(encoding="utf-8")
    start_of = source.index('[[questions]]\nid = "place_held"')
    end_of = source.index('[[questions]]\nid = "treatment"')
    newer = loads(
        (source[:start_of] + source[end_of:]).replace("version = 2", "version = 3"), "v3.toml"
    )
    step = send(send(press(at_first_question(), "Yes"), Text("2020")), Command("help"))
    assert step.prompt.question_id == "place_held"
    moved = apply(newer, step.state, Command("help"), today=TODAY)
    assert moved.prompt.question_id == "treatment"  # the removed question is passed over
    assert problems(newer, moved.state) == []
    assert moved.state.questionnaire_version == 3
    assert moved.state.rev == step.state.rev + 1  # old buttons are stale now
    assert list(moved.state.answers) == ["detained", "when_detained"]


def _v3_without_fit() -> Questionnaire:
    """sample v2 → v3: "place_held" becomes a number, option "threatened" is removed."""
    source = SAMPLE_TOML.read_text(encoding="utf-8")
    threatened = '  { id = "threatened", label.en = "Threatened", label.ru = "Угрожали" },\n'
    text = source.replace("version = 2", "version = 3").replace(threatened, "")
    text = text.replace('in = ["beaten", "threatened"]', 'in = ["beaten"]')
    text = text.replace(
        'id = "place_held"\ntype = "text"\nmax_length = 40', 'id = "place_held"\ntype = "number"'
    )
    return loads(text, "v3.toml")


def test_answers_that_no_longer_fit_are_asked_again_before_the_review() -> None:
    newer = _v3_without_fit()
    moved = apply(newer, full_run().state, Command("help"), today=TODAY)
    assert moved.prompt.question_id == "place_held"
    step = send(moved, Text("3"), newer)
    assert step.prompt.question_id == "treatment"  # the next dropped answer, then the review
    step = press(press(step, "Beaten", newer), "Done", newer)
    assert step.prompt.question_id == "injuries"  # its branch opened again with the new answer
    step = send(step, Text("bruises"), newer)
    assert step.prompt.stage == "review"
    ids = [a["question_id"] for a in answers_for_submission(newer, step.state)]
    assert ids == [q.id for q in newer.questions]


def test_mid_way_upgrade_asks_the_dropped_question_before_the_review() -> None:
    newer = _v3_without_fit()
    step = press(full_run(), "Back")  # at the last question, not editing
    moved = apply(newer, step.state, Command("help"), today=TODAY)
    assert moved.prompt.question_id == step.prompt.question_id  # still where the witness was
    step = press(moved, "Keep this answer", newer)
    assert step.prompt.question_id == "place_held"  # asked before the review is shown
    step = press(step, "Skip", newer)
    assert step.prompt.question_id == "treatment"
    step = press(step, "Skip", newer)
    assert step.prompt.stage == "review"
    assert "place_held" in step.state.answers


# --- through the service: docs/questionnaire.md "answers that still fit are kept" -------------


def version_8(tmp_path: Path) -> Path:
    """qa_every_type v7 → v8: option "victim" removed, "treatment" becomes a single choice."""
    text = (QUESTIONNAIRES / "qa_every_type.toml").read_text()
    victim = '  { id = "victim", label.en = "It happened to me", label.ru = "Это было со мной" },\n'
    assert victim in text
    text = text.replace("version = 7", "version = 8").replace(victim, "")
    text = text.replace('in = ["victim", "witness"]', 'in = ["witness"]')
    text = text.replace(
        'id = "treatment"\ntype = "multi_choice"', 'id = "treatment"\ntype = "choice"'
    )
    text = text.replace(
        'question = "treatment", equals = "beaten"', 'question = "treatment", in = ["beaten"]'
    )
    path = tmp_path / "v8.toml"
    path.write_text(text)
    return path


async def test_dropped_answers_are_asked_again_or_submitted_as_skipped(tmp_path: Path) -> None:
    staff = crypto.generate_identity(post_quantum=False)
    v7, v8 = load(QUESTIONNAIRES / "qa_every_type.toml"), load(version_8(tmp_path))
    store = await Store.open(tmp_path / "data")
    try:
        script = {"role": ("choice", "victim"), "detained": False, "date": "10.08.2020"}
        script["treatment"] = ["beaten", "threatened"]
        player = scripted(IntakeService(store, v7, [staff.recipient()]), script, "en")
        await player.to_review()
        upgraded = IntakeService(store, v8, [staff.recipient()])
        resumed = await upgraded.handle(player.key, Start())
        # either the conversation asks "Who are you?" again, or the review still lists it
        if resumed.prompt.stage == "review":
            assert "Who are you?" in resumed.prompt.text, resumed.prompt.text
            assert "What was done?" in resumed.prompt.text, resumed.prompt.text
        else:
            assert resumed.prompt.question_id == "role", resumed.prompt
        newcomer = scripted(upgraded, {}, "en", key=player.key)
        review = await newcomer.continue_to_review(resumed)
        assert (await newcomer.submit_from(review)).outcome == "submit"
        (sealed,) = list(store.outbox_dir.glob("*.age"))
        sub = json.loads(open_members(sealed, staff)[0][1])
        ids = [a["question_id"] for a in sub["answers"]]
        assert sub["questionnaire"]["version"] == 8
        assert "role" in ids, ids  # unconditional: answered or skipped, never missing
        assert "treatment" in ids, ids
    finally:
        await store.close()


@pytest.mark.parametrize("stop_at", ["treatment", "notes"])
async def test_upgrade_mid_conversation_never_raises(tmp_path: Path, stop_at: str) -> None:
    staff = crypto.generate_identity(post_quantum=False)
    v7, v8 = load(QUESTIONNAIRES / "qa_every_type.toml"), load(version_8(tmp_path))
    store = await Store.open(tmp_path / "data")
    try:
        script = {"role": ("choice", "victim"), "detained": True, "held_where": "x"}
        script.update({"held_days": "3", "date": "2019-05-01", "treatment": ["beaten"]})
        player = scripted(IntakeService(store, v7, [staff.recipient()]), script, "en")
        reply = await player.start()
        while reply.prompt.question_id != stop_at:
            reply = await player.send(await player.event_for(reply.prompt))
        upgraded = IntakeService(store, v8, [staff.recipient()])
        resumed = await upgraded.handle(player.key, Start())
        newcomer = scripted(upgraded, {"role": ("choice", "witness")}, "en", key=player.key)
        review = await newcomer.continue_to_review(resumed)
        assert (await newcomer.submit_from(review)).outcome == "submit"
    finally:
        await store.close()
