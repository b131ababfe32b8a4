"""After submit, no trace of the testimony is readable anywhere under the data dir.

Canary answers (ASCII and Cyrillic), the canary file name, bytes of the attachment and the witness's
raw Telegram id are searched for in the raw bytes of every file under the data dir — the database,
its WAL and shm, the outbox, blob folders — while the draft is open and after submit. A positive
control decrypts the sealed file and finds them there, so the search itself is known to work.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import crypto
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import ServiceWitness
from tests.support.sealing import open_sealed
from tests.support.witness import Witness

RAW_USER_ID = 987654321012


def _hits(root: Path, needles: dict[str, bytes]) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            found += [
                f"{name} in {path.relative_to(root)}" for name, n in needles.items() if n in raw
            ]
    return found


async def test_no_plaintext_under_data_dir(tmp_path: Path) -> None:
    q = load_default()
    identity = crypto.generate_identity()
    data = tmp_path / "data"
    store = await Store.open(data)
    svc = IntakeService(store, q, [identity.recipient()])
    key = svc.witness_key("telegram", RAW_USER_ID)
    tag = "CANARY-" + os.urandom(6).hex() + "-КАНАРЕЙКА"
    marker = os.urandom(48)
    attachment = os.urandom(70_000) + marker + os.urandom(100_000)
    witness = ServiceWitness(
        svc, Witness.at_random(q, random.Random(5), tag=tag, attachment=attachment), key
    )
    needles = {
        "answer": tag.encode(),
        "answer-cyrillic": "КАНАРЕЙКА".encode(),
        "attachment": marker,
        "user-id": str(RAW_USER_ID).encode(),
        "file-name": b"evil name",
    }

    review = await witness.run("review")
    assert _hits(data, needles) == []  # an open draft is ciphertext too
    reply = await witness.step(review.prompt)
    assert reply.outcome == "submit"
    assert _hits(data, needles) == []  # WAL and shm still present here
    await store.close()
    assert _hits(data, needles) == []

    sealed = next((data / "outbox").iterdir())
    plain = b"".join(open_sealed(sealed, identity).values())
    for name in ("answer", "answer-cyrillic", "attachment", "file-name"):
        assert needles[name] in plain, name  # the search would have found them
