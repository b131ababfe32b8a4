"""A new process for every step of a conversation: each one opens the data dir, resumes the draft
from disk, applies one event and exits — the whole testimony still arrives, sealed and complete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import crypto
from intake.submission.document import parse_submission
from tests.support.paths import ROOT
from tests.support.sealing import open_sealed

CHILD = r"""
import asyncio, random, sys
from pathlib import Path
import crypto
from intake import engine
from intake.channel import Start
from intake.engine import DraftState
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import ServiceWitness
from tests.support.witness import Witness

async def main(data, recipient, step):
    q = load_default()
    store = await Store.open(Path(data))
    svc = IntakeService(store, q, [crypto.parse_recipient(recipient)])
    key = svc.witness_key("telegram", 555)
    rng = random.Random(step)
    witness = Witness.at_random(q, rng, tag="RESTART-TAG", attachment=b"PHOTO" * 999)
    witness.language = "uk"
    person = ServiceWitness(svc, witness, key)
    draft = await store.load_draft(key)
    if draft is None:
        reply = await svc.handle(key, Start())
    else:
        state = DraftState.from_json(draft.body["state"])
        witness.attached = {entry.question_id for entry in state.files.values()}
        reply = await person.step(engine.resume(q, state))
    print(reply.outcome, reply.prompt.stage, reply.prompt.question_id, flush=True)
    await store.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


@pytest.mark.slow
def test_new_process_between_every_step(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    identity = crypto.generate_identity()
    data = tmp_path / "data"
    seen: list[str] = []
    for step in range(80):
        argv = [sys.executable, str(script), str(data)]
        done = subprocess.run(
            [*argv, str(identity.recipient()), str(step)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},  # the child imports tests.support
        )
        outcome, stage, question = done.stdout.splitlines()[-1].split()
        assert outcome != "rejected", (step, stage, question)
        seen.append(question)
        if outcome == "submit":
            break
    else:
        raise AssertionError("the conversation never reached submit")
    assert "evidence" in seen
    (sealed,) = (data / "outbox").iterdir()
    members = open_sealed(sealed, identity)
    sub = parse_submission(members["submission.json"])
    assert sub.language == "uk"
    assert any("RESTART-TAG" in str(a.value) for a in sub.answers)
    assert [members[a.path] for a in sub.attachments] == [b"PHOTO" * 999]
