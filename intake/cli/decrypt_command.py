"""``intake decrypt SRC --identity KEY… --out DIR [--passphrase-file F] [--language L]
[--questionnaire Q…] [--ids] [--uwazi]`` (offline, staff side)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from intake import tui

if TYPE_CHECKING:
    from intake.offline.batch import Casework


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``decrypt`` to the parser."""
    p = sub.add_parser("decrypt", help="offline: open sealed submissions into reports")
    p.add_argument("src", type=Path, help="one .age file or an export folder")
    p.add_argument("--identity", "-i", type=Path, required=True, action="append")
    p.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    p.add_argument("--passphrase-file", type=Path, help="passphrase of the identity file")
    add_casework_arguments(p)
    p.add_argument(
        "--ids",
        action="store_true",
        help="index.csv headers are question ids (stable across languages), not question texts",
    )
    p.add_argument(
        "--uwazi", action="store_true", help="also write the next Uwazi import batch (uwazi/)"
    )
    p.set_defaults(func=decrypt)


def add_casework_arguments(p: argparse.ArgumentParser) -> None:
    """``--language`` and ``--questionnaire``, shared with ``intake uwazi``."""
    p.add_argument(
        "--language",
        "-l",
        help="staff language of reports and indexes: en, be, ru, uk "
        "(default: INTAKE_STAFF_LANGUAGE, else en)",
    )
    p.add_argument(
        "--questionnaire",
        type=Path,
        action="append",
        default=[],
        help="a questionnaire file submissions may have been answered on (repeatable; "
        "INTAKE_QUESTIONNAIRE too); the bundled one is always known",
    )


def casework_of(args: argparse.Namespace, *, uwazi: bool = False) -> Casework:
    """The staff settings from the arguments and the environment; ``CaseworkError`` if unusable."""
    from intake.offline.batch import Casework
    from intake.offline.labels import StaffLanguageError, staff_language
    from intake.offline.questions import QuestionBook
    from intake.questionnaire import QuestionnaireError

    paths = list(args.questionnaire)
    if os.environ.get("INTAKE_QUESTIONNAIRE"):
        paths.insert(0, Path(os.environ["INTAKE_QUESTIONNAIRE"]))
    try:
        language = staff_language(args.language, os.environ)
        book = QuestionBook.load(paths)
    except StaffLanguageError as exc:
        raise CaseworkError(str(exc)) from None
    except QuestionnaireError as exc:
        raise CaseworkError(f"cannot use questionnaire: {exc}") from None
    return Casework(language=language, ids=getattr(args, "ids", False), book=book, uwazi=uwazi)


class CaseworkError(Exception):
    """Staff settings that cannot be used (unknown language, broken questionnaire)."""


def decrypt(args: argparse.Namespace) -> int:
    """Run the command; 0 when every file was decrypted (or already was), 1 if any failed or an
    index or the receipt could not be written, 2 for unusable arguments, keys or output folder.

    The reports are testimony: the process writes them with umask 077, dumps no core and is not
    traceable by the user's other processes (:mod:`intake.ops.hardening`).
    """
    from intake.ops.hardening import hardened

    with hardened() as missing:
        for what in missing:
            tui.warning(what)
        return _decrypt(args)


def _decrypt(args: argparse.Namespace) -> int:
    from intake import safefs
    from intake.offline.batch import BusyError, run_batch
    from intake.offline.identities import IdentityLoadError, load_identities
    from intake.offline.progress import Progress
    from intake.offline.sources import SourceError, plan_sources

    try:
        casework = casework_of(args, uwazi=args.uwazi)
        plan = plan_sources(args.src)
        identities = load_identities(args.identity, passphrase_file=args.passphrase_file)
    except (SourceError, IdentityLoadError, CaseworkError) as exc:
        tui.error(str(exc))
        return 2
    for warning in plan.warnings:
        tui.warning(warning)
    ui = Progress(len(plan.files) + len(plan.failures))
    try:
        summary = run_batch(plan, identities, args.out, ui, casework=casework)
    except (BusyError, safefs.UnsafePathError) as exc:
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
    return 1 if summary.failed or summary.unwritten else 0
