"""The ``intake`` command: a thin argparse shell over the library.

Each subcommand parses its arguments and calls one function ``main(args) -> int`` in the module
that owns the concept. Imports are lazy so that ``intake decrypt`` on the offline laptop never
imports the Telegram stack, and a broken optional piece cannot stop the others. Errors are printed
as ``intake: error: …`` lines (with ``intake: hint: …`` where useful), never as tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

# subcommand name -> "module:function"
_HANDLERS = {
    "run": "bot.app:main",
    "demo": "intake.demo:main",
    "keygen": "intake.keygen:main",
    "decrypt": "intake.offline.command:main",
    "export": "intake.outbox_cli:export_main",
    "ack": "intake.outbox_cli:ack_main",
    "status": "intake.outbox_cli:status_main",
    "questionnaire check": "intake.questionnaire_cli:check_main",
}


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="intake",
        description="Witness intake: a Telegram bot that seals testimony to offline staff keys.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("run", help="serve witnesses on Telegram (configuration from env / .env)")

    demo = sub.add_parser("demo", help="play a witness conversation in the terminal, end to end")
    demo.add_argument("--interactive", action="store_true", help="be the witness yourself")
    demo.add_argument("--keep", metavar="DIR", type=Path, help="keep demo data and output in DIR")
    demo.add_argument(
        "--questionnaire", metavar="FILE", type=Path, help="play this questionnaire instead"
    )

    keygen = sub.add_parser("keygen", help="create a passphrase-protected staff identity")
    keygen.add_argument("--out", "-o", type=Path, required=True, help="identity file to create")
    keygen.add_argument("--classic", action="store_true", help="X25519 instead of post-quantum")
    keygen.add_argument("--passphrase-file", type=Path, help="read the passphrase from a file")

    decrypt = sub.add_parser("decrypt", help="offline: open sealed submissions into reports")
    decrypt.add_argument("src", type=Path, help="one .age file or an export folder")
    decrypt.add_argument("--identity", "-i", type=Path, required=True, action="append")
    decrypt.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    decrypt.add_argument("--passphrase-file", type=Path, help="passphrase of the identity file")

    export = sub.add_parser("export", help="copy sealed submissions and a manifest to a folder")
    export.add_argument("--out", "-o", type=Path, required=True)
    export.add_argument("--all", action="store_true", help="include already exported ones")

    ack = sub.add_parser("ack", help="delete submissions the offline side confirmed decrypting")
    ack.add_argument("receipt", type=Path, help="receipt.json written by `intake decrypt`")

    sub.add_parser("status", help="counts of drafts and queued submissions (never content)")

    questionnaire = sub.add_parser("questionnaire", help="questionnaire tools")
    qsub = questionnaire.add_subparsers(dest="qcommand", metavar="ACTION", required=True)
    check = qsub.add_parser("check", help="validate a questionnaire file, listing every problem")
    check.add_argument("file", type=Path)
    return parser


def _resolve(args: argparse.Namespace) -> Callable[[argparse.Namespace], int]:
    module_name, func_name = _HANDLERS[name_of(args)].split(":")
    module = importlib.import_module(module_name)
    func: Callable[[argparse.Namespace], int] = getattr(module, func_name)
    return func


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``intake`` console script."""
    args = build_parser().parse_args(argv)
    handler = _resolve(args)
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("intake: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Last resort: a command that did not anticipate a failure still ends in one line, not a
        # traceback that might carry data from the files it was reading. INTAKE_DEBUG=1 re-raises.
        if os.environ.get("INTAKE_DEBUG") == "1":
            raise
        print(
            f"intake: error: unexpected {type(exc).__name__} in '{name_of(args)}'", file=sys.stderr
        )
        print("intake: hint: run again with INTAKE_DEBUG=1 for the details", file=sys.stderr)
        return 70


def name_of(args: argparse.Namespace) -> str:
    """The subcommand's name as typed (``questionnaire check`` for the nested one)."""
    name: str = args.command
    return f"{name} {args.qcommand}" if name == "questionnaire" else name


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
