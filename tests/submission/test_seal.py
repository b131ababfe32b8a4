"""Sealing what the engine accepted: partial dates ("08.2020", "2020") are valid submission
values, so Submit seals them (QA: once they made ``SubmissionFormatError`` escape the service)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import crypto
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from tests.support.channels import scripted
from tests.support.sealing import open_members


@pytest.mark.parametrize(
    ("typed", "stored"), [("2020", "2020"), ("08.2020", "2020-08"), ("жнівень 2020", "2020-08")]
)
async def test_partial_date_can_be_submitted(
    service: Callable[[Questionnaire], IntakeService],
    be_only: Questionnaire,
    staff: crypto.Identity,
    typed: str,
    stored: str,
) -> None:
    svc = service(be_only)
    player = scripted(svc, {"zatrymanne": False, "kali": typed}, "be")
    review = await player.to_review()
    assert "2020" in review.prompt.text  # the engine accepted it and shows it for review
    reply = await player.submit_from(review)  # today: SubmissionFormatError escapes handle()
    assert reply.outcome == "submit"
    (sealed,) = list(svc.store.outbox_dir.glob("*.age"))
    sub = json.loads(open_members(sealed, staff)[0][1])
    assert sub["answers"][-1]["value"] == stored


async def test_bundled_questionnaire_year_only(
    service: Callable[[Questionnaire], IntakeService], questionnaire: Questionnaire
) -> None:
    """The same with the bundled questionnaire: "In which year?" → "2020" → Submit."""
    player = scripted(service(questionnaire), {"happened_on": "2020"}, "en")
    assert (await player.submit()).outcome == "submit"
