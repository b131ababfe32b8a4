"""What leaves the engine: the answers for the submission, the attachments, the last prompts."""

from __future__ import annotations

import json

from intake.channel import Text
from intake.engine import answers_for_submission, attachments_of, closing_prompt, submitted_prompt
from tests.support.steps import SAMPLE, at_first_question, full_run, press, send


def test_full_flow_review_and_submission() -> None:
    step = full_run()
    text = step.prompt.text
    assert "1. Detained: Yes" in text
    assert "10 August 2020" in text
    assert "Beaten, Threatened" in text
    assert ": 2 files" in text  # the media answer reads naturally (not "Files: files: 2")
    submitted = press(step, "Send")  # [ui.en] override of buttons.submit
    assert submitted.outcome == "submit"
    answers = answers_for_submission(SAMPLE, submitted.state)
    assert [a["question_id"] for a in answers] == [q.id for q in SAMPLE.questions]
    by_id = {a["question_id"]: a for a in answers}
    assert by_id["detained"] == {
        "question_id": "detained",
        "type": "yes_no",
        "prompt": "Were you detained?",
        "value": True,
        "skipped": False,
    }
    assert by_id["when_detained"]["value"] == "2020-08-10"
    assert by_id["treatment"]["value"] == ["beaten", "threatened"]
    assert by_id["treatment"]["labels"] == ["Beaten", "Threatened"]
    assert by_id["role"]["label"] == "A witness"
    assert by_id["people"]["value"] == 12
    assert by_id["where"]["value"] == {"text": "near the metro"}
    assert by_id["files"]["value"] == ["att1", "att2"]
    json.dumps(answers)
    refs = attachments_of(submitted.state)
    assert [(qid, ref.attachment_id) for qid, ref in refs] == [("files", "att1"), ("files", "att2")]
    after = send(submitted, Text("more"))
    assert after.outcome == "rejected"


def test_skipped_questions_say_so() -> None:
    step = press(at_first_question(), "Skip")
    answers = answers_for_submission(SAMPLE, step.state)
    assert answers[0]["skipped"] is True
    assert answers[0]["value"] is None
    # detained skipped: the branches on `equals = true` and `answered = true` are not asked
    assert step.prompt.question_id == "role"


def test_last_prompts() -> None:
    done = submitted_prompt(SAMPLE, "ru", "K7QP-3MXD")
    assert "K7QP-3MXD" in done.text
    assert done.stage == "submitted"
    for outcome in ("cancelled", "declined", "expired"):
        line = closing_prompt(SAMPLE, "en", outcome)
        assert line.buttons == ()
        assert "testimony" not in line.text.lower()
    assert closing_prompt(SAMPLE, "xx", "expired").language == "en"
