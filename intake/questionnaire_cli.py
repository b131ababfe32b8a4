"""``intake questionnaire check FILE``: validate a questionnaire, listing every problem."""

from __future__ import annotations

import argparse
import sys

from intake.questionnaire import check


def check_main(args: argparse.Namespace) -> int:
    """Print every problem as ``intake: error: …`` and return 1; else any ``intake: warning: …``
    lines (e.g. a language without interface strings), the summary, and return 0."""
    questionnaire, problems = check(args.file)
    if questionnaire is None:
        for problem in problems:
            print(f"intake: error: {problem}", file=sys.stderr)
        count = len(problems)
        print(
            f"intake: hint: {count} problem{'s' if count != 1 else ''}; "
            "see docs/questionnaire.md for the schema",
            file=sys.stderr,
        )
        return 1
    for warning in questionnaire.warnings():  # loads and works, but a witness would notice
        print(f"intake: warning: {warning}", file=sys.stderr)
    print(questionnaire.summary())
    return 0
