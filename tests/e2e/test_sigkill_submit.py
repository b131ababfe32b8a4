"""SIGKILL at random points of submit: never lost, never duplicated, always decryptable.

A child process runs witnesses through the default questionnaire and submits them, printing ``B i``
just before pressing Submit and ``S i <receipt>`` when the reply (receipt) came back. The parent
kills it with SIGKILL a random moment after a ``B`` line (it reads progress markers, it does not
sleep to synchronise), then recovers the data dir the way the service does at start-up and checks:
every witness whose Submit was pressed is either exactly once in the outbox or still a draft at the
review; every witness that saw its receipt is in the outbox; every sealed file decrypts, matches its
index row, and its attachments match their hashes; no temp file or half-submitted draft is left.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import crypto
from intake.engine import DraftState
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from intake.submission.document import parse_submission
from tests.support.paths import ROOT
from tests.support.sealing import open_sealed

TRIALS = 50

CHILD = r"""
import asyncio, os, random, sys
from pathlib import Path
import crypto
from intake.channel import Start
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import ServiceWitness
from tests.support.witness import Witness

async def main(data, recipient, start, seed, pending):
    q = load_default()
    store = await Store.open(Path(data))
    svc = IntakeService(store, q, [crypto.parse_recipient(recipient)])
    await svc.recover()
    rng = random.Random(seed)
    print("READY", flush=True)
    for i in pending:  # drafts left at the review by an earlier kill: press Submit again
        witness = Witness.at_random(q, rng, tag=f"W{i}X")
        w = ServiceWitness(svc, witness, svc.witness_key("crash", i))
        reply = await svc.handle(w.key, Start())
        print(f"B {i}", flush=True)
        reply = await w.step(reply.prompt)
        print(f"S {i} {reply.receipt}", flush=True)
    i = start
    while True:
        attachment = os.urandom(rng.choice([0, 1, 90_000, 300_000]))
        witness = Witness.at_random(q, rng, tag=f"W{i}X", attachment=attachment)
        w = ServiceWitness(svc, witness, svc.witness_key("crash", i))
        reply = await w.run("review")
        print(f"B {i}", flush=True)
        reply = await w.step(reply.prompt)
        assert reply.outcome == "submit", reply.outcome
        print(f"S {i} {reply.receipt}", flush=True)
        i += 1

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                 [int(x) for x in sys.argv[5].split(",") if x]))
"""


class Ledger:
    """What the parent saw the children say, and what the outbox holds (decrypted once each)."""

    def __init__(self) -> None:
        self.begun: set[int] = set()
        self.receipts: dict[int, str] = {}
        self.opened: dict[str, tuple[int, str]] = {}  # file name -> (witness, receipt)
        self.next_index = 0
        self.phases: Counter[str] = Counter()

    def read(self, lines: list[str]) -> None:
        for line in lines:
            parts = line.split()
            if parts and parts[0] == "B":
                self.begun.add(int(parts[1]))
                self.next_index = max(self.next_index, int(parts[1]) + 1)
            elif parts and parts[0] == "S":
                self.receipts[int(parts[1])] = parts[2]


def _run_child(
    script: Path, data: Path, recipient: str, ledger: Ledger, rng: random.Random
) -> None:
    pending = sorted(ledger.begun - set(ledger.receipts) - {w for w, _ in ledger.opened.values()})
    argv = [sys.executable, str(script), str(data), recipient]
    argv += [str(ledger.next_index), str(rng.randrange(1 << 30)), ",".join(map(str, pending))]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the child imports tests.support
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    lines: list[str] = []
    wanted = rng.randint(1, 2)
    while True:
        line = child.stdout.readline()
        assert line, f"child exited early: {child.wait()}"
        lines.append(line)
        if line.startswith("B "):
            wanted -= 1
            if wanted == 0:
                break
    deadline = time.perf_counter() + rng.uniform(0, 0.03)  # a random point inside the submit
    while time.perf_counter() < deadline:
        pass
    child.send_signal(signal.SIGKILL)
    lines += child.stdout.readlines()
    child.wait()
    ledger.read(lines)


async def _check(data: Path, identity: crypto.Identity, ledger: Ledger) -> None:
    q = load_default()
    store = await Store.open(data)
    ledger.phases["sealing" if await store.sealing_draft_ids() else "not-sealing"] += 1
    ledger.phases["tmp-left"] += any(store.outbox_dir.glob("*.tmp"))
    svc = IntakeService(store, q, [identity.recipient()])
    report = await svc.recover()
    assert report.missing == []
    assert await store.sealing_draft_ids() == []
    assert not any(store.outbox_dir.glob("*.tmp"))
    rows = {r.filename: r for r in await store.outbox.rows()}
    files = sorted(p.name for p in store.outbox_dir.iterdir())
    assert files == sorted(rows)
    for name in files:
        if name not in ledger.opened:
            ledger.opened[name] = _open(store.outbox_dir / name, identity, rows[name].sha256)
    owners = Counter(w for w, _ in ledger.opened.values())
    assert [w for w, n in owners.items() if n > 1] == []  # never duplicated
    for witness, receipt in ledger.receipts.items():  # never lost once a receipt was shown
        assert (witness, receipt) in ledger.opened.values()
    for witness in ledger.begun - set(owners):  # not sealed: still a draft, at the review
        draft = await store.load_draft(svc.witness_key("crash", witness))
        assert draft is not None, f"witness {witness} lost"
        assert DraftState.from_json(draft.body["state"]).stage == "review"
    for witness in owners:
        assert await store.load_draft(svc.witness_key("crash", witness)) is None
    await store.close()


def _open(path: Path, identity: crypto.Identity, sha256: str) -> tuple[int, str]:
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    members = open_sealed(path, identity)
    sub = parse_submission(members["submission.json"])
    assert path.name == f"{sub.submission_id}.age"
    for att in sub.attachments:
        assert hashlib.sha256(members[att.path]).hexdigest() == att.sha256
    tags = {str(a.value).split()[0] for a in sub.answers if a.type == "text" and a.value}
    (tag,) = tags
    return int(tag[1:-1]), sub.receipt


@pytest.mark.slow
def test_sigkill_during_submit(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    identity = crypto.generate_identity()
    data = tmp_path / "data"
    ledger = Ledger()
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    for _ in range(TRIALS):
        _run_child(script, data, str(identity.recipient()), ledger, rng)
        asyncio.run(_check(data, identity, ledger))
    print(f"\nkill phases: {dict(ledger.phases)}; sealed {len(ledger.opened)}")
    assert len(ledger.opened) >= TRIALS // 2
