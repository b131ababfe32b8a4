"""The demo's scripted witness, typing at the console channel: it carries any questionnaire — the
bundled one, the sample, and questionnaires nobody here wrote the code for — from the language
choice to the receipt, every decision typed as a line and read back as the event it meant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crypto
from intake.questionnaire import Questionnaire, load, load_default
from tests.support.channels import ConsoleWitness, ServiceFactory
from tests.support.paths import QUESTIONNAIRES
from tests.support.sealing import open_sealed, sealed_files
from tests.support.witness import Witness

# A typed number is an answer wherever a number can be one: buttons are pressed with #N there, so
# "3" on a skippable number question never presses [3] "Cancel and delete" (issue 11, point 14).
NAMES = [
    "default",
    "sample",
    "qa_be_only",
    "qa_every_type",
    "qa_tiny",
    "qa_unicode",
]


def _load(name: str) -> Questionnaire:
    return load_default() if name == "default" else load(QUESTIONNAIRES / f"{name}.toml")


@pytest.mark.parametrize("name", NAMES)
async def test_the_scripted_witness_types_every_answer_at_the_console(
    tmp_path: Path, service: ServiceFactory, staff: crypto.Identity, name: str
) -> None:
    q = _load(name)
    svc = service(q)
    language = "en" if "en" in q.languages else q.default_language
    person = ConsoleWitness(svc, Witness(q, language), tmp_path)
    reply = await person.run()
    assert reply.receipt is not None
    assert reply.receipt in person.transcript.getvalue()
    (sealed,) = sealed_files(svc.store)
    sub = json.loads(open_sealed(sealed, staff)["submission.json"])
    assert any(not a.get("skipped") for a in sub["answers"])
