"""QA: a draft open while the organisation deploys a new questionnaire version.

docs/questionnaire.md: "Open drafts of an older version are carried over: answers that still fit
are kept." An answer that no longer fits (an option removed, a type changed) is dropped — but the
question itself still applies, so it must be asked again or at least listed (and submitted) as
skipped. Today it vanishes from the review and from the submission (intake/engine/repair.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_qa_support import QA_DIR, Player, open_members

import crypto
from intake.channel import Start
from intake.questionnaire import load
from intake.service import IntakeService
from intake.store import Store


def version_8(tmp_path: Path) -> Path:
    """qa_every_type v7 → v8: option "victim" removed, "treatment" becomes a single choice."""
    text = (QA_DIR / "qa_every_type.toml").read_text()
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
    v7, v8 = load(QA_DIR / "qa_every_type.toml"), load(version_8(tmp_path))
    store = await Store.open(tmp_path / "data")
    try:
        script = {"role": ("choice", "victim"), "detained": False, "date": "10.08.2020"}
        script["treatment"] = ["beaten", "threatened"]
        player = Player(IntakeService(store, v7, [staff.recipient()]), v7, script, "en")
        await player.to_review()
        upgraded = IntakeService(store, v8, [staff.recipient()])
        resumed = await upgraded.handle(player.key, Start())
        # either the conversation asks "Who are you?" again, or the review still lists it
        if resumed.prompt.stage == "review":
            assert "Who are you?" in resumed.prompt.text, resumed.prompt.text
            assert "What was done?" in resumed.prompt.text, resumed.prompt.text
        else:
            assert resumed.prompt.question_id == "role", resumed.prompt
        newcomer = Player(upgraded, v8, {}, "en", key=player.key)
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
    v7, v8 = load(QA_DIR / "qa_every_type.toml"), load(version_8(tmp_path))
    store = await Store.open(tmp_path / "data")
    try:
        script = {"role": ("choice", "victim"), "detained": True, "held_where": "x"}
        script.update({"held_days": "3", "date": "2019-05-01", "treatment": ["beaten"]})
        player = Player(IntakeService(store, v7, [staff.recipient()]), v7, script, "en")
        reply = await player.send_start()
        while reply.prompt.question_id != stop_at:
            reply = await player.send(await player.event_for(reply.prompt))
        upgraded = IntakeService(store, v8, [staff.recipient()])
        resumed = await upgraded.handle(player.key, Start())
        newcomer = Player(upgraded, v8, {"role": ("choice", "witness")}, "en", key=player.key)
        review = await newcomer.continue_to_review(resumed)
        assert (await newcomer.submit_from(review)).outcome == "submit"
    finally:
        await store.close()
