"""The server's data dir for ``intake export``, ``ack`` and ``status``: found, opened, closed.

Exit codes shared by those commands: 0 everything done, 1 done but something needs attention (a
copy failed, an ack entry was kept, a sealed file is missing), 2 could not run (configuration,
missing data dir, unreadable receipt). Nothing here prints or reads testimony.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from intake import tui

if TYPE_CHECKING:
    from intake.config import Config
    from intake.store import Store

StoreCommand = Callable[["Store"], Awaitable[int]]


def configured() -> Config | None:
    """The configuration, or None after printing its problems."""
    from intake.config import ConfigError, load_config, print_config_error

    try:
        return load_config(require_telegram=False, require_recipients=False)
    except ConfigError as exc:
        print_config_error(exc)
        return None


def with_store(command: StoreCommand) -> int:
    """Open the configured store's outbox (never the server key: these commands run beside the
    bot and need none), run ``command`` on it, close it; the exit status. The store's
    ``warnings`` say what a seized disk would yield beyond the design (see ``intake status``)."""
    from intake.store import Store, StoreError, storage_warnings
    from intake.store.datadir import DB_NAME

    config = configured()
    if config is None:
        return 2
    data_dir = config.data_dir
    if not (data_dir / DB_NAME).is_file():
        tui.error(f"no intake data dir at {data_dir}")
        tui.hint("set INTAKE_DATA_DIR to the folder the bot uses")
        return 2

    async def go() -> int:
        store = await Store.open_outbox(data_dir)
        store.warnings = tuple(storage_warnings(data_dir, config.key_source))
        try:
            return await command(store)
        finally:
            await store.close()

    try:
        return asyncio.run(go())
    except StoreError as exc:
        tui.error(str(exc))
        return 2
