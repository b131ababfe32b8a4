"""``intake decrypt SRC --identity KEY… --out DIR [--passphrase-file F]`` (offline, staff side)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from intake import tui


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``decrypt`` to the parser."""
    p = sub.add_parser("decrypt", help="offline: open sealed submissions into reports")
    p.add_argument("src", type=Path, help="one .age file or an export folder")
    p.add_argument("--identity", "-i", type=Path, required=True, action="append")
    p.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    p.add_argument("--passphrase-file", type=Path, help="passphrase of the identity file")
    p.set_defaults(func=decrypt)


def decrypt(args: argparse.Namespace) -> int:
    """Run the command; 0 when every file was decrypted (or already was), 1 if any failed."""
    from intake.offline.batch import BusyError, run_batch
    from intake.offline.identities import IdentityLoadError, load_identities
    from intake.offline.progress import Progress
    from intake.offline.sources import SourceError, plan_sources

    try:
        plan = plan_sources(args.src)
        identities = load_identities(args.identity, passphrase_file=args.passphrase_file)
    except (SourceError, IdentityLoadError) as exc:
        tui.error(str(exc))
        return 2
    for warning in plan.warnings:
        tui.warning(warning)
    ui = Progress(len(plan.files) + len(plan.failures))
    try:
        summary = run_batch(plan, identities, args.out, ui)
    except BusyError as exc:
        ui.close()
        tui.error(str(exc))
        return 2
    except OSError as exc:
        ui.close()
        tui.error(f"{exc.filename or args.out}: {exc.strerror}")
        return 2
    ui.close()
    print(summary.line(), file=sys.stderr)
    if summary.failed:
        tui.hint("failed files were left untouched and nothing of them was written")
        return 1
    return 0
