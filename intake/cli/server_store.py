"""The server's data dir for ``intake export``, ``ack`` and ``status``: found, opened, closed.

Exit codes shared by those commands: 0 everything done, 1 done but something needs attention (a
copy failed, an ack entry was kept, a sealed file is missing), 2 could not run (configuration,
missing data dir, unreadable receipt). Nothing here prints or reads testimony.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from intake import tui

if TYPE_CHECKING:
    from intake.store import Store

StoreCommand = Callable[["Store"], Awaitable[int]]


def configured_data_dir() -> Path | None:
    """The configured data dir, or None after printing the configuration problems."""
    from intake.config import ConfigError, load_config, print_config_error

    try:
        return load_config(require_telegram=False, require_recipients=False).data_dir
    except ConfigError as exc:
        print_config_error(exc)
        return None


def with_store(command: StoreCommand) -> int:
    """Open the configured store, run ``command`` on it, close it; the exit status."""
    from intake.store import Store, StoreError
    from intake.store.datadir import DB_NAME

    data_dir = configured_data_dir()
    if data_dir is None:
        return 2
    if not (data_dir / DB_NAME).is_file():
        tui.error(f"no intake data dir at {data_dir}")
        tui.hint("set INTAKE_DATA_DIR to the folder the bot uses")
        return 2

    async def go() -> int:
        store = await Store.open(data_dir)
        try:
            return await command(store)
        finally:
            await store.close()

    try:
        return asyncio.run(go())
    except StoreError as exc:
        tui.error(str(exc))
        return 2
