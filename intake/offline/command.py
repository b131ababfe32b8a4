"""``intake decrypt SRC --identity KEY… --out DIR [--passphrase-file F]`` (offline, staff side)."""

from __future__ import annotations

import argparse
import sys

from intake.offline.batch import BusyError, run_batch
from intake.offline.identities import IdentityLoadError, load_identities
from intake.offline.progress import Progress
from intake.offline.sources import SourceError, plan_sources


def main(args: argparse.Namespace) -> int:
    """Run the command; 0 when every file was decrypted (or already was), 1 if any failed."""
    try:
        plan = plan_sources(args.src)
        identities = load_identities(args.identity, passphrase_file=args.passphrase_file)
    except (SourceError, IdentityLoadError) as exc:
        print(f"intake: error: {exc}", file=sys.stderr)
        return 2
    for warning in plan.warnings:
        print(f"intake: warning: {warning}", file=sys.stderr)
    ui = Progress(len(plan.files) + len(plan.failures))
    try:
        summary = run_batch(plan, identities, args.out, ui)
    except BusyError as exc:
        ui.close()
        print(f"intake: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        ui.close()
        print(f"intake: error: {exc.filename or args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    ui.close()
    print(summary.line(), file=sys.stderr)
    if summary.failed:
        print(
            "intake: hint: failed files were left untouched and nothing of them was written",
            file=sys.stderr,
        )
        return 1
    return 0
