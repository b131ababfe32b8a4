"""``intake export --out DIR [--all]``: copy sealed submissions and a manifest to a folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from intake import tui
from intake.cli.server_store import with_store

if TYPE_CHECKING:
    from intake.store import Store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``export`` to the parser."""
    p = sub.add_parser("export", help="copy sealed submissions and a manifest to a folder")
    p.add_argument("--out", "-o", type=Path, required=True)
    p.add_argument("--all", action="store_true", help="include already exported ones")
    p.set_defaults(func=export)


def export(args: argparse.Namespace) -> int:
    """Copy what waits (or everything not yet acknowledged, with ``--all``) to ``args.out``."""
    from intake import outbox

    out = Path(args.out)

    async def command(store: Store) -> int:
        from intake import safefs
        from intake.outbox.export import CopyError

        try:
            result = await outbox.export(store, out, include_all=bool(args.all), now=time.time())
        except (safefs.UnsafePathError, CopyError) as exc:
            tui.error(f"{exc}; nothing was marked exported")
            return 2
        except OSError as exc:
            tui.error(f"{exc.filename or out}: {exc.strerror}; nothing was marked exported")
            return 2
        for row in result.copied:
            print(f"exported {row.filename}  {row.size} bytes  sha256 {row.sha256}")
        for row in result.present:
            print(f"already on the stick {row.filename} (read back and verified)")
        for submission_id, reason in result.failed:
            tui.error(f"{submission_id}: {reason}; not exported")
        count = len(result.copied) + len(result.present)
        print(f"{count} submission(s) exported to {out} (manifest.json written)")
        return 1 if result.failed else 0

    return with_store(command)
