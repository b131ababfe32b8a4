"""Secrets show themselves as ``***`` — also inside a Config's repr."""

from __future__ import annotations

from intake.config import Secret, load_config

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_canary"


def _load(env: dict[str, str], **kwargs: object):
    kwargs.setdefault("require_recipients", False)
    return load_config(env, is_tty=lambda: False, **kwargs)  # type: ignore[arg-type]


def test_secret_never_shows_itself() -> None:
    secret = Secret(TOKEN)
    assert str(secret) == "***"
    assert TOKEN not in repr(secret)
    assert f"{secret}" == "***"
    config = _load({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(config)
    assert "AAHdqTcv" not in repr(config)
