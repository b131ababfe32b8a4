"""``intake uwazi DIR [--language L] [--questionnaire Q…]``: the next Uwazi import batch of a
folder ``intake decrypt`` wrote (offline, staff side; see docs/casework.md)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from intake import tui
from intake.cli.decrypt_command import CaseworkError, add_casework_arguments, casework_of


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``uwazi`` to the parser."""
    p = sub.add_parser("uwazi", help="offline: Uwazi CSV-import files for a decrypted folder")
    p.add_argument("dir", type=Path, help="output folder of intake decrypt")
    add_casework_arguments(p)
    p.set_defaults(func=uwazi)


def uwazi(args: argparse.Namespace) -> int:
    """Write ``DIR/uwazi/batch-NNN/`` with what no earlier export held; 0 on success."""
    from intake import safefs
    from intake.offline.batch import BusyError, exclusive
    from intake.offline.uwazi import export_uwazi

    if not (args.dir / "receipt.json").is_file() and not (args.dir / "index.csv").is_file():
        tui.error(f"{args.dir}: not a folder written by intake decrypt")
        return 2
    try:
        casework = casework_of(args)
        with exclusive(args.dir):
            lines = export_uwazi(args.dir, casework.language, casework.book, datetime.now(UTC))
    except CaseworkError as exc:
        tui.error(str(exc))
        return 2
    except (BusyError, safefs.UnsafePathError) as exc:
        tui.error(str(exc))
        return 2
    except OSError as exc:
        tui.error(f"{exc.filename or args.dir}: {exc.strerror}")
        return 2
    for line in lines:
        print(line)
    return 0
