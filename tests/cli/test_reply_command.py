"""``intake reply``: sealed to the witness, a copy for staff, clear refusals; ``intake ack`` keeps
replies when no bot is there to take them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import crypto
from intake.followup.replyfile import open_reply
from intake.followup.replystick import read_stick
from tests.support.cli import run_main
from tests.support.submissions import submission_dict

WITNESS = crypto.HybridIdentity(bytes(range(32)))
TAG = "ab" * 32


def _opened(tmp_path: Path, **extra: Any) -> Path:
    """A folder as `intake decrypt` leaves it (only what `intake reply` reads)."""
    folder = tmp_path / "out" / "01TESTSUBMISSION01"
    folder.mkdir(parents=True)
    doc = {**submission_dict(), **extra}
    (folder / "submission.json").write_text(json.dumps(doc))
    return folder


def test_a_reply_is_sealed_to_the_witness_and_kept_for_staff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipient = str(WITNESS.recipient())
    folder = _opened(
        tmp_path, followup={"recipient": recipient, "mailbox_tag": TAG, "case_link": "cd" * 16}
    )
    form = tmp_path / "form.pdf"
    form.write_bytes(b"%PDF-1.4 a form")
    rc, out, err = run_main(capsys, "reply", folder, "--text", "Which day?", "--file", form)
    assert rc == 0, err
    (entry,), problems = read_stick(tmp_path / "out" / "replies")
    assert problems == []
    assert entry.mailbox_tag == TAG
    sealed = (tmp_path / "out" / "replies" / entry.file).read_bytes()
    reply = open_reply(sealed, [WITNESS])
    assert reply.text == "Which day?"
    assert reply.files[0].data == b"%PDF-1.4 a form"
    kept = folder / "replies" / entry.reply_id
    assert json.loads((kept / "reply.json").read_text())["text"] == "Which day?"
    assert (kept / "files" / "1-form.pdf").read_bytes() == b"%PDF-1.4 a form"
    assert os.stat(kept / "reply.json").st_mode & 0o077 == 0
    assert entry.reply_id in out


@pytest.mark.parametrize(
    ("extra", "said"),
    [({}, "took no follow-up code"), ({"followup_of": "cd" * 16}, "is an addition")],
)
def test_no_way_to_reply_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: dict[str, Any], said: str
) -> None:
    folder = _opened(tmp_path, **extra)
    rc, _, err = run_main(capsys, "reply", folder, "--text", "?")
    assert rc == 2
    assert said in err
    assert err.startswith("intake: error:")
    assert not (tmp_path / "out" / "replies").exists()


def test_ack_keeps_replies_when_the_bot_is_not_running(
    server: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from intake.followup.replystick import add_to_stick, placed_ids

    stick = tmp_path / "stick"
    (stick / "replies").mkdir(parents=True)
    (stick / "receipt.json").write_text(
        json.dumps(
            {
                "format": "witness-intake/receipt/v1",
                "created_at": "2026-12-07T00:00:00Z",
                "decrypted": [],
            }
        )
    )
    add_to_stick(stick / "replies", os.urandom(16).hex(), TAG, b"age-encryption.org/v1\nx")
    monkeypatch.setenv("INTAKE_DATA_DIR", str(server))
    monkeypatch.chdir(tmp_path)
    rc, _, err = run_main(capsys, "ack", stick / "receipt.json")
    assert rc == 2
    assert "not running" in err
    assert "intake run" in err
    assert placed_ids(stick / "replies") == set()  # nothing marked: the next ack tries again
