"""Downloads: bounded in size and, over HTTP, in time (a trickling server cannot hold one); media
from a self-hosted Bot API server in ``--local`` mode read by path, bounded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest

from bot.media import CHUNK, Downloader, DownloadError, DownloadTimeoutError, FileTooBigError
from bot.retry import RetryPolicy
from tests.support.rawserver import RawConn, RawServer, ok

URL_PATH = "/file/bot123456:SECRET-token-abcdefghijklmnopqrstuvwxyz/documents/file_1.pdf"


def _downloader(max_bytes: int, *, local_files: bool) -> Downloader:
    return Downloader(cast(Any, None), RetryPolicy(), max_bytes, local_files=local_files)


async def _read(d: Downloader, url: str) -> bytes:
    return b"".join([chunk async for chunk in d.chunks(url)])


async def test_local_mode_reads_the_servers_file_by_path_in_chunks(tmp_path: Path) -> None:
    content = bytes(range(256)) * (CHUNK // 64)  # 4 chunks
    path = tmp_path / "photos" / "file_0.jpg"
    path.parent.mkdir()
    path.write_bytes(content)
    d = _downloader(len(content), local_files=True)
    assert await _read(d, str(path)) == content


async def test_local_mode_enforces_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (CHUNK * 2 + 1))
    with pytest.raises(FileTooBigError):
        await _read(_downloader(CHUNK * 2, local_files=True), str(path))


async def test_missing_local_file_is_a_download_error_without_the_path(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as info:
        await _read(_downloader(100, local_files=True), str(tmp_path / "gone.jpg"))
    assert "gone.jpg" not in str(info.value)


async def test_without_a_self_hosted_server_a_path_is_never_read_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "server.key"
    path.write_bytes(b"secret")
    with pytest.raises(DownloadError, match="not started"):
        await _read(_downloader(100, local_files=False), str(path))


@pytest.fixture
async def downloader() -> AsyncIterator[Downloader]:
    d = _downloader(1_000_000, local_files=False)
    d.deadline_base, d.min_rate = 0.5, 1_000_000  # 1 MB: 1.5 s at most
    await d.start()
    try:
        yield d
    finally:
        await d.close()


def _trickle(head: bytes) -> Any:
    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(head)
        while True:
            conn.send(b"x")  # a byte every 20 ms: under any per-read timeout, for ever
            await conn.writer.drain()
            await asyncio.sleep(0.02)  # the server's pace, not a synchronisation

    return script


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n",
    ],
    ids=["with-length", "without-length"],
)
async def test_a_trickling_server_cannot_hold_a_download(
    downloader: Downloader, head: bytes
) -> None:
    """1000 bytes announced: 0.5 s + 1000 B at 1 MB/s; no length: the budget of the largest
    file accepted (1.5 s). Either way the download ends, well before the trickle would."""
    async with RawServer(_trickle(head)) as server:
        started = asyncio.get_running_loop().time()
        with pytest.raises(DownloadTimeoutError) as info:
            await _read(downloader, server.url(URL_PATH))
        took = asyncio.get_running_loop().time() - started
    limit = 0.501 if b"Length" in head else 1.5
    assert limit - 0.05 < took < 10  # (the trickle of 1000 bytes alone would take 20 s)
    assert "SECRET" not in str(info.value)
    assert "took longer than" in str(info.value)


async def test_a_download_at_a_good_pace_completes(downloader: Downloader) -> None:
    content = bytes(range(256)) * 1000

    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(ok(content))

    async with RawServer(script) as server:
        assert await _read(downloader, server.url(URL_PATH)) == content


async def test_an_announced_length_over_the_limit_is_refused_before_the_body(
    downloader: Downloader,
) -> None:
    async def script(conn: RawConn) -> None:
        await conn.request()
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000001\r\n\r\n")
        await asyncio.Event().wait()  # the body never comes: it is not waited for

    async with RawServer(script) as server:
        with pytest.raises(FileTooBigError):
            await _read(downloader, server.url(URL_PATH))


def test_the_budget_scales_with_the_size() -> None:
    d = _downloader(20 * 1024 * 1024, local_files=False)
    assert d.budget(0) == 30.0
    assert d.budget(20_000_000) == 230.0  # 20 MB at 100 kB/s, plus 30 s
