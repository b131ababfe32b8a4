"""The data dir on a real file system: created private, refused when it is not."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from intake.store import Store, UnsafeDataDirError


async def test_first_run_creates_private_layout(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = await Store.open(data)
    await store.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("server.key", "intake.sqlite3"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
    assert len((data / "server.key").read_bytes()) == 32


async def test_refuses_world_readable_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103 (the unsafe state under test)
    with pytest.raises(UnsafeDataDirError, match="chmod 700"):
        await Store.open(data)


async def test_refuses_readable_server_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await (await Store.open(data)).close()
    os.chmod(data / "server.key", 0o644)
    with pytest.raises(UnsafeDataDirError, match=r"server\.key"):
        await Store.open(data)
