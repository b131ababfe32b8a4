"""Start-up recovery of the outbox: temp files, orphans, missing files, half-done acks."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

import crypto
from intake import outbox
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from intake.submission.ids import ack_hash
from tests.support.outbox import queued as _queued
from tests.support.outbox import seal_into_outbox as _seal
from tests.support.paths import ROOT
from tests.support.sealing import open_sealed

# A witness presses Submit; the process dies (SIGKILL) once <id>.age is in place, before the
# commit that indexes it and destroys the draft.
DIES_BEFORE_THE_INDEX = r"""
import asyncio, os, random, signal, sys
from pathlib import Path
import crypto
from intake.questionnaire import load_default
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import ServiceWitness
from tests.support.witness import Witness

async def main(data, recipient):
    q = load_default()
    store = await Store.open(Path(data))
    svc = IntakeService(store, q, [crypto.parse_recipient(recipient)])
    real = store.destroy_draft

    async def dies(draft_id, **kw):
        if kw.get("extra_ops"):  # the submit's commit: the sealed file is complete by now
            os.kill(os.getpid(), signal.SIGKILL)
        return await real(draft_id, **kw)

    store.destroy_draft = dies
    w = ServiceWitness(svc, Witness.at_random(q, random.Random(3), tag="W1X"), "w1")
    reply = await w.run("review")
    await w.step(reply.prompt)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_recover_temp_orphan_and_missing(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    (store.outbox_dir / "half.age.tmp").write_bytes(b"partial")
    _seal(store, "orphan", b"sealed but never indexed")
    await store.outbox.add("gone", "0" * 64, 5, 1.0)
    with capture_logs() as logs:
        report = await outbox.recover(store)
    assert report.temp_removed == 1
    assert report.indexed == ["orphan"]
    assert report.missing == ["gone"]
    assert {"event": "outbox_file_missing", "submission_id": "gone", "log_level": "error"} in logs
    row = await store.outbox.get("orphan")
    assert row is not None
    assert row.sha256 == hashlib.sha256(b"sealed but never indexed").hexdigest()
    assert not (store.outbox_dir / "half.age.tmp").exists()
    await store.close()


async def test_recover_completes_an_interrupted_ack(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "d")
    await _queued(store, "aaa", b"A")
    await store.outbox.mark_acknowledged("aaa", 5)  # crash right after marking
    report = await outbox.recover(store)
    assert report.ack_completed == 1
    assert not (store.outbox_dir / "aaa.age").exists()
    assert report.missing == []
    await store.close()


async def test_a_sealed_file_whose_submit_is_pending_keeps_its_ack_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between sealing and indexing, then the retry at start-up fails too (the disk is
    full during the index commit): recovery must leave the file to its draft, not index it
    without the ack hash (the submission would be 'legacy' for good, deletable on its public
    sha256 alone). Once the retry succeeds, the row has the hash of the sealed secret."""
    staff = crypto.generate_identity(post_quantum=False)
    data = tmp_path / "d"
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DIES_BEFORE_THE_INDEX, str(data), str(staff.recipient()),
        cwd=ROOT, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == -signal.SIGKILL, err.decode()
    (sealed,) = (data / "outbox").glob("*.age")
    submission_id = sealed.name.removesuffix(".age")

    store = await Store.open(data)
    try:
        svc = IntakeService(store, load_default(), [staff.recipient()])

        async def disk_full(*_args: Any, **_kwargs: Any) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(store, "destroy_draft", disk_full)
        report = await svc.recover()
        assert report.indexed == []
        assert report.pending == [submission_id]
        assert await store.outbox.get(submission_id) is None
        assert len(await store.sealing_draft_ids()) == 1
        monkeypatch.undo()  # space again: the next sweep finishes the submit

        assert await svc.finish_interrupted() == 1
        row = await store.outbox.get(submission_id)
        assert row is not None
        secret = json.loads(open_sealed(sealed, staff)["submission.json"])["ack_secret"]
        assert row.ack_hash == ack_hash(secret)
        assert row.sha256 == hashlib.sha256(sealed.read_bytes()).hexdigest()
        assert await store.sealing_draft_ids() == []
    finally:
        await store.close()
