"""``intake questionnaire check FILE``: validate a questionnaire, listing every problem."""

from __future__ import annotations

import argparse
import sys

from intake.questionnaire import check


def check_main(args: argparse.Namespace) -> int:
    """Print every problem as ``intake: error: …`` and return 1; else the summary and 0."""
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
    print(questionnaire.summary())
    return 0
