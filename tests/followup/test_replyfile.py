"""A staff reply as one age file: sealed to the witness's recipient, opened and checked strictly."""

from __future__ import annotations

import io
import os
import tarfile
from datetime import UTC, datetime

import pytest

import crypto
from intake.followup.replyfile import (
    Reply,
    ReplyAttachment,
    ReplyFormatError,
    open_reply,
    pack,
    seal_reply,
)

WITNESS = crypto.HybridIdentity(bytes(range(32)))
WHEN = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _reply(**kw: object) -> Reply:
    values: dict[str, object] = {
        "reply_id": "ab" * 16, "sent_at": WHEN, "text": "Could you tell us the date?",
        "files": (ReplyAttachment("form.pdf", "application/pdf", b"%PDF-1.4 form"),),
    }  # fmt: skip
    values.update(kw)
    return Reply(**values)  # type: ignore[arg-type]


def test_sealed_to_the_witness_and_opened_whole() -> None:
    sealed = seal_reply(_reply(), WITNESS.recipient())
    opened = open_reply(sealed, [WITNESS])
    assert opened == _reply()
    with pytest.raises(ReplyFormatError, match="does not open"):
        open_reply(sealed, [crypto.HybridIdentity(bytes(32))])


def test_the_plaintext_is_a_plain_tar_reply_json_first() -> None:
    plain = crypto.decrypt(io.BytesIO(seal_reply(_reply(), WITNESS.recipient())), [WITNESS]).read()
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        assert tar.getnames() == ["reply.json", "files/1-form.pdf"]


def test_what_could_not_be_shown_is_refused() -> None:
    with pytest.raises(ReplyFormatError, match="text or a file"):
        pack(_reply(text=" ", files=()))
    with pytest.raises(ReplyFormatError, match="characters"):
        pack(_reply(text="x" * 5000))


def test_a_tampered_archive_is_refused() -> None:
    plain = pack(_reply())
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(plain)) as src, tarfile.open(fileobj=out, mode="w") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()  # type: ignore[union-attr]
            if info.name.startswith("files/"):
                data = b"%PDF-1.4 fake"
            dst.addfile(info, io.BytesIO(data))
    sealed = io.BytesIO()
    with crypto.encrypt(sealed, [WITNESS.recipient()]) as w:
        w.write(out.getvalue())
    with pytest.raises(ReplyFormatError, match="sha256"):
        open_reply(sealed.getvalue(), [WITNESS])
    with pytest.raises(ReplyFormatError):
        open_reply(os.urandom(200), [WITNESS])
