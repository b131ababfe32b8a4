"""Logging: structlog JSON lines (or a console view), with a redaction processor as the last line
of defence.

Every record — ours and the standard library's (python-telegram-bot, httpx, aiosqlite, APScheduler)
— goes through the same :class:`structlog.stdlib.ProcessorFormatter`, so it is rendered the same
way and redacted the same way: registered secrets (the bot token) and anything shaped like a bot
token or an age private key become ``***``, in the event, in every field and in exception text.
Redaction is a safety net, not a licence: callers still never log testimony, names or Telegram ids.

python-telegram-bot's records lose their arguments (PTB fills them with whole payloads:
updates, server answers); their text and traceback stay, one event each.

Third-party loggers have floors that ``INTAKE_LOG_LEVEL=DEBUG`` cannot lower: python-telegram-bot
at DEBUG dumps whole updates (witness messages), httpx at INFO logs request URLs that contain the
token, aiosqlite at DEBUG logs query arguments.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any, Literal
from urllib.parse import quote

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

__all__ = ["configure_logging", "redact", "redact_processor", "register_secret"]

# The lowest level each noisy library may log at, whatever INTAKE_LOG_LEVEL says.
LIBRARY_FLOORS: dict[str, int] = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "apscheduler": logging.WARNING,
}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # URL paths of the Bot API carry the token: /bot<token>/method, /file/bot<token>/path.
    (re.compile(r"(/(?:file/)?bot)[^/\s?#\"'`]*:[^/\s?#\"'`]*"), r"\1***"),
    # A bot token anywhere (<bot id>:<secret>).
    (re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}"), "***"),
    # python-telegram-bot's InvalidToken message quotes whatever token was tried.
    (re.compile(r"(token `)[^`]*(`)"), r"\1***\2"),
    # age private keys, classic and post-quantum, in any case.
    (re.compile(r"AGE-SECRET-KEY-[A-Z0-9-]+", re.IGNORECASE), "AGE-SECRET-KEY-***"),
]
_secrets: set[str] = set()
_HANDLER_MARK = "_witness_intake_handler"


def register_secret(value: str) -> None:
    """Redact ``value`` (and its URL-encoded form) from every log line from now on."""
    if len(value) < 8:
        raise ValueError("refusing to register a secret shorter than 8 characters for redaction")
    _secrets.add(value)
    _secrets.add(quote(value, safe=""))


def redact(text: str) -> str:
    """``text`` with registered secrets and secret-shaped strings replaced by ``***``."""
    # Longest first, so a secret that contains another is replaced whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {_redact_value(k): _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(v) for v in value]
    # Anything else (exceptions, URLs, telegram objects) is rendered here, while it can still be
    # redacted, instead of by the renderer's fallback after this processor.
    return redact(str(value))


def redact_processor(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: redact the event and every field (keys starting with ``_`` are
    structlog's own bookkeeping and are left alone)."""
    for key, value in list(event_dict.items()):
        if not key.startswith("_"):
            event_dict[key] = _redact_value(value)
    return event_dict


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")


class _LibraryWords(logging.Filter):
    """python-telegram-bot's records keep their text but lose their arguments: PTB fills them
    with whole payloads ('Can not load invalid JSON data: "<the body>"', 'Error while building
    CallbackContext for update <the update>'), and a payload holds witnesses' words. The
    traceback stays (as one field of the event); its lines are PTB's code, not the data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".", 1)[0] == "telegram" and record.args:
            record.msg = _PRINTF.sub("…", str(record.msg))
            record.args = None
        return True


class _LibraryFloor(logging.Filter):
    """Drops library records below their floor even if someone lowers the logger's level later."""

    def filter(self, record: logging.LogRecord) -> bool:
        root = record.name.split(".", 1)[0]
        return record.levelno >= LIBRARY_FLOORS.get(root, logging.NOTSET)


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def configure_logging(
    level: str = "INFO",
    fmt: Literal["json", "console"] = "json",
    *,
    stream: IO[str] | None = None,
) -> None:
    """Route structlog and the standard library to ``stream`` (default stderr) as JSON lines
    (``event``, ``level``, ``timestamp``, ``logger`` and fields) or a console view. Idempotent:
    calling it again replaces the previous setup."""
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level!r}")
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks become text *before* redaction, so their text is redacted too.
            structlog.processors.format_exc_info,
            redact_processor,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_LibraryFloor())
    handler.addFilter(_LibraryWords())
    setattr(handler, _HANDLER_MARK, True)

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(numeric, floor))
    logging.captureWarnings(True)

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            # Captured here, inside the `except` block, rather than later in the handler.
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached, so tests can use structlog.testing.capture_logs() after configuring.
        cache_logger_on_first_use=False,
    )
