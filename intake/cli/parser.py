"""The ``intake`` argument parser and entry point: a thin shell over the library.

Each subcommand lives in its own ``intake/cli/<name>_command.py``: a ``register(sub)`` that adds
its arguments and binds one function, ``<name>(args) -> int``. Those modules import their heavy
dependencies inside the function, so ``intake decrypt`` on the offline laptop never imports the
Telegram stack and a broken optional piece cannot stop the others. Problems are printed by
:mod:`intake.tui` (``intake: error: …`` / ``intake: hint: …``), never as tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from intake import tui
from intake.cli import (
    ack_command,
    decrypt_command,
    demo_command,
    export_command,
    keygen_command,
    questionnaire_command,
    reply_command,
    run_command,
    status_command,
    uwazi_command,
)

Command = Callable[[argparse.Namespace], int]
_MODULES = (
    run_command,
    demo_command,
    keygen_command,
    decrypt_command,
    export_command,
    ack_command,
    reply_command,
    status_command,
    questionnaire_command,
    uwazi_command,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by tests and docs)."""
    parser = argparse.ArgumentParser(
        prog=tui.PROG,
        description="Witness intake: a Telegram bot that seals testimony to offline staff keys.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _MODULES:
        module.register(sub)
    return parser


def command_of(args: argparse.Namespace) -> Command:
    """The function the parsed subcommand is bound to."""
    func: Command = args.func
    return func


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``intake`` console script (and ``python -m intake``)."""
    args = build_parser().parse_args(argv)
    command = command_of(args)
    try:
        return command(args)
    except KeyboardInterrupt:
        print(f"{tui.PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Last resort: a command that did not anticipate a failure still ends in one line, not a
        # traceback that might carry data from the files it was reading. INTAKE_DEBUG=1 re-raises.
        if os.environ.get("INTAKE_DEBUG") == "1":
            raise
        tui.error(f"unexpected {type(exc).__name__} in '{name_of(args)}'")
        tui.hint("run again with INTAKE_DEBUG=1 for the details")
        return 70


def name_of(args: argparse.Namespace) -> str:
    """The subcommand's name as typed (``questionnaire check`` for the nested one)."""
    name: str = args.command
    return f"{name} {args.qcommand}" if name == "questionnaire" else name


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
