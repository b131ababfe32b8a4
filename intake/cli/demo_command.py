"""``intake demo [--interactive] [--keep DIR] [--questionnaire FILE]``: the whole round trip."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``demo`` to the parser."""
    p = sub.add_parser("demo", help="play a witness conversation in the terminal, end to end")
    p.add_argument("--interactive", action="store_true", help="be the witness yourself")
    p.add_argument("--keep", metavar="DIR", type=Path, help="keep demo data and output in DIR")
    p.add_argument(
        "--questionnaire", metavar="FILE", type=Path, help="play this questionnaire instead"
    )
    p.set_defaults(func=demo)


def demo(args: argparse.Namespace) -> int:
    """Run the demo; 0 when the testimony went all the way through and was read back."""
    from intake.console.demo import play

    return play(questionnaire=args.questionnaire, keep=args.keep, interactive=args.interactive)
