"""Logging: JSON lines, safe library levels, and redaction of the token and key-shaped secrets."""

from __future__ import annotations

import io
import json
import logging
import string
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from intake.ops.logs import configure_logging, redact, register_secret

TOKEN = "5550001234:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_tok"


ODD_TOKEN = "not-a-token-shape-but-secret"


AGE_KEY = "AGE-SECRET-KEY-PQ-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"


CANARIES = ("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", ODD_TOKEN, "1QQQQQQQQQQQQQQ")


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    register_secret(TOKEN)
    register_secret(ODD_TOKEN)
    configure_logging("DEBUG", "json", stream=out)
    yield out
    configure_logging("INFO", "json", stream=io.StringIO())


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    text = out.getvalue()
    for canary in CANARIES:
        assert canary not in text
    return [json.loads(line) for line in text.splitlines()]


def test_structlog_events_are_json_lines(stream: io.StringIO) -> None:
    log = structlog.get_logger("intake.test")
    log.info("submission_sealed", submission_id="abc", size=12)
    log.debug("tick")
    [first, second] = _lines(stream)
    assert first["event"] == "submission_sealed"
    assert first["level"] == "info"
    assert first["submission_id"] == "abc"
    assert first["size"] == 12
    assert first["logger"] == "intake.test"
    assert str(first["timestamp"]).endswith("Z")
    assert second["level"] == "debug"


def test_secrets_are_redacted_everywhere(stream: io.StringIO) -> None:
    log = structlog.get_logger("intake.test")
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    log.info(f"calling {url}", url=url, nested={"k": [TOKEN, AGE_KEY]}, odd=ODD_TOKEN)
    log.info("obj", value=ValueError(f"The token `{ODD_TOKEN}x` was rejected by the server."))
    try:
        raise RuntimeError(f"boom {TOKEN} {AGE_KEY}")
    except RuntimeError:
        log.exception("handler_failed")
    lines = _lines(stream)
    assert lines[0]["url"] == "https://api.telegram.org/bot***/getUpdates"
    assert lines[0]["nested"] == {"k": ["***", "AGE-SECRET-KEY-***"]}
    assert "RuntimeError: boom *** AGE-SECRET-KEY-***" in str(lines[2]["exception"])


def test_stdlib_loggers_are_routed_and_floored(stream: io.StringIO) -> None:
    logging.getLogger("telegram.ext.Updater").debug("update %s", {"text": "canary answer"})
    logging.getLogger("telegram.Bot").info("Bot API %s", f"/file/bot{TOKEN}/photos/1.jpg")
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/sendMessage", TOKEN)
    logging.getLogger("httpx").warning("retrying https://x/bot%s/getMe", TOKEN)
    logging.getLogger("aiosqlite").debug("executing %s", "canary answer")
    logging.getLogger("telegram.ext").error("boom", exc_info=ValueError(f"bad {TOKEN}"))
    # Even a library logger lowered by someone later stays floored by the handler.
    logging.getLogger("telegram").setLevel(logging.DEBUG)
    logging.getLogger("telegram.Bot").debug("Call returned %s", "canary answer")
    text = stream.getvalue()
    assert "canary answer" not in text
    lines = _lines(stream)
    assert [line["event"] for line in lines] == [
        "Bot API …",  # python-telegram-bot's arguments are never shown (they carry payloads)
        "retrying https://x/bot***/getMe",
        "boom",
    ]
    assert lines[0]["logger"] == "telegram.Bot"
    assert lines[2]["level"] == "error"
    assert "ValueError: bad ***" in str(lines[2]["exception"])


def test_levels_filter_our_own_events() -> None:
    out = io.StringIO()
    configure_logging("WARNING", "json", stream=out)
    structlog.get_logger("intake.x").info("hidden")
    logging.getLogger("intake.y").info("hidden")
    structlog.get_logger("intake.x").warning("shown")
    assert [line["event"] for line in _lines(out)] == ["shown"]


def test_console_format_is_redacted() -> None:
    out = io.StringIO()
    register_secret(TOKEN)
    configure_logging("INFO", "console", stream=out)
    structlog.get_logger("intake.x").info("started", token=TOKEN)
    assert "started" in out.getvalue()
    assert TOKEN not in out.getvalue()


def test_reconfiguring_replaces_the_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", "json", stream=first)
    configure_logging("INFO", "json", stream=second)
    structlog.get_logger().info("once")
    assert first.getvalue() == ""
    assert len(second.getvalue().splitlines()) == 1


def test_capture_logs_still_works_after_configuring() -> None:
    configure_logging("INFO", "json", stream=io.StringIO())
    with capture_logs() as logs:
        structlog.get_logger().info("captured", n=1)
    assert logs == [{"event": "captured", "n": 1, "log_level": "info"}]


def test_redact_and_register_secret() -> None:
    assert redact("GET /bot123:abc/getMe") == "GET /bot***/getMe"
    assert redact("see /bottle/ and /bot") == "see /bottle/ and /bot"
    assert redact("age-secret-key-1abc") == "AGE-SECRET-KEY-***"
    register_secret("s3cr3t:with/slash")
    assert redact("x=s3cr3t%3Awith%2Fslash") == "x=***"
    with pytest.raises(ValueError, match="shorter than 8"):
        register_secret("short")


def test_bad_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("chatty")


@given(
    bot_id=st.integers(min_value=100_000, max_value=10**12),
    secret=st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=30, max_size=50),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_any_token_shape_is_redacted(bot_id: int, secret: str, before: str, after: str) -> None:
    text = f"{before}https://api.telegram.org/bot{bot_id}:{secret}/getMe {bot_id}:{secret}{after}"
    assert secret not in redact(text)
