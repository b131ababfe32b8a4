"""The Telegram channel: python-telegram-bot parses updates and renders the engine's prompts.

This is the only package that imports ``telegram``. Entry point: :func:`bot.app.main` (``intake
run``); wiring: :mod:`bot.application`; one witness action: :mod:`bot.flow`.
"""

import os

# Opt in to python-telegram-bot 23's durations (``RetryAfter.retry_after`` as a timedelta) now:
# without it PTB 22 emits a deprecation warning every time Telegram answers 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
