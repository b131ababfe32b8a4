"""Media from a self-hosted Bot API server in ``--local`` mode: read by path, bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from bot.media import CHUNK, Downloader, DownloadError, FileTooBigError
from bot.retry import RetryPolicy


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
