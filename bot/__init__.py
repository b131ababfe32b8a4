"""The Telegram channel: python-telegram-bot parses updates and renders the engine's prompts.

This is the only package that imports ``telegram``. Entry point: :func:`bot.serve.run` (``intake
run``, from :mod:`intake.cli.run_command`); wiring: :mod:`bot.wiring`; one witness action:
:mod:`bot.actions`.
"""

import importlib.util
import os
import sys

# httpcore looks for the optional `sniffio` on every lock it takes; when it is not installed each
# look-up is a failed import that searches the whole sys.path (a tenth of the bot's CPU under
# load). A None entry makes that import fail at once, exactly as it would have anyway.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

# Opt in to python-telegram-bot 23's durations (``RetryAfter.retry_after`` as a timedelta) now:
# without it PTB 22 emits a deprecation warning every time Telegram answers 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
