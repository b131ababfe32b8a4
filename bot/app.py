"""``intake run``: serve witnesses on Telegram.

Configuration problems, an unsafe data dir, a broken questionnaire or a token Telegram refuses
each end the command with ``intake: error: …`` lines and exit status 2 — never a traceback, never
the token (it is registered for redaction before anything can log).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram.error import InvalidToken

from bot.retry import GaveUpError
from intake.config import ConfigError, load_config, print_config_error
from intake.logging import configure_logging, register_secret
from intake.questionnaire import QuestionnaireError
from intake.store import StoreError

EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1


def _error(*lines: str) -> int:
    for line in lines:
        print(f"intake: {line}", file=sys.stderr)
    return EXIT_CONFIG


def main(args: argparse.Namespace) -> int:
    """Entry point of ``intake run`` (see :mod:`intake.cli`)."""
    try:
        config = load_config()
    except ConfigError as err:
        return print_config_error(err)
    for secret in config.secrets():
        register_secret(secret)
    configure_logging(config.log_level, config.log_format)
    from bot.runtime import serve  # after logging: PTB logs from import time on

    try:
        return asyncio.run(serve(config))
    except GaveUpError:
        print("intake: error: Telegram could not be reached at start-up", file=sys.stderr)
        print("intake: hint: check the network or TELEGRAM_API_BASE_URL", file=sys.stderr)
        return EXIT_UNREACHABLE
    except InvalidToken:
        return _error(
            "error: Telegram refused TELEGRAM_BOT_TOKEN (revoked or mistyped?)",
            "hint: get the current token from @BotFather (/mybots → API Token)",
        )
    except QuestionnaireError as err:
        return _error(*(f"error: {problem}" for problem in err.problems))
    except StoreError as err:
        return _error(f"error: {err}")
    except OSError as err:
        return _error(f"error: {err.strerror or err}")
