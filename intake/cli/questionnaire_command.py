"""``intake questionnaire check FILE``: validate a questionnaire, listing every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from intake import tui


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``questionnaire check`` to the parser."""
    questionnaire = sub.add_parser("questionnaire", help="questionnaire tools")
    qsub = questionnaire.add_subparsers(dest="qcommand", metavar="ACTION", required=True)
    p = qsub.add_parser("check", help="validate a questionnaire file, listing every problem")
    p.add_argument("file", type=Path)
    p.set_defaults(func=check)


def check(args: argparse.Namespace) -> int:
    """Print every problem as ``intake: error: …`` and return 1; else any ``intake: warning: …``
    lines (e.g. a language without interface strings), the summary, and return 0."""
    from intake.questionnaire import check as check_file

    questionnaire, problems = check_file(args.file)
    if questionnaire is None:
        for problem in problems:
            tui.error(str(problem))
        count = len(problems)
        tui.hint(
            f"{count} problem{'s' if count != 1 else ''}; see docs/questionnaire.md for the schema"
        )
        return 1
    for warning in questionnaire.warnings():  # loads and works, but a witness would notice
        tui.warning(warning)
    print(questionnaire.summary())
    return 0
