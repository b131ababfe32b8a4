"""The streaming tar reader: PAX records, and 1 MiB buffers reused only once nobody holds them."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from crypto import buffers
from intake.offline.open_errors import ArchiveError
from intake.submission.tarreader import TarStream, parse_pax


def _tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_views_kept_by_a_consumer_never_change() -> None:
    big = os.urandom(20 * (1 << 20) + 123)  # more 1 MiB buffers than the pool keeps
    stream = TarStream(io.BytesIO(_tar({"a": big, "b": b"tail"})))
    info = stream.next()
    assert info is not None
    views = []
    for view in stream.data(info):  # all kept at once, each held: none may be refilled under us
        buffers.hold(view)
        views.append(view)
    second = stream.next()
    assert second is not None
    assert second.name == "b"
    assert b"".join(bytes(v) for v in stream.data(second)) == b"tail"
    assert b"".join(bytes(v) for v in views) == big
    assert stream.next() is None
    for view in views:
        buffers.release(view)


def test_buffers_are_reused_once_released() -> None:
    data = os.urandom(5 * (1 << 20))
    stream = TarStream(io.BytesIO(_tar({"a": data})))
    info = stream.next()
    assert info is not None
    seen: set[int] = set()
    total = 0
    for view in stream.data(info):
        seen.add(id(view.obj))
        total += len(view)
        del view
    assert total == len(data)
    assert len(seen) <= 3  # one or two buffers in turn, not one per MiB


@pytest.mark.parametrize(
    "record",
    [b"x a=b\n", b"99 a=b\n", b"7 ab\n\n\n", b"6 a=bX", b"0 a=b\n", "\u0666 a=b\n".encode()],
)
def test_malformed_pax_records(record: bytes) -> None:
    with pytest.raises(ArchiveError, match="malformed PAX"):
        parse_pax(record)


def test_pax_records_keep_only_the_keys_we_use() -> None:
    assert parse_pax(b"6 a=b\n12 path=x=y\n") == {"path": "x=y"}
