"""Configuration from the environment and ``.env`` (GUIDE §3), validated in one pass.

Every problem is collected and reported together as a :class:`ConfigError`, so an operator fixes
the whole file at once instead of restarting once per mistake. Secrets (the bot token, the webhook
secret) are held in :class:`Secret`, whose ``str``/``repr`` is ``***``: no message, repr or log line
built from a :class:`Config` can echo them — not even partially.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from intake.config.reader import (
    CLOUD_FILE_LIMIT_MB,
    LOCAL_FILE_LIMIT_MB,
    MAX_DRAFT_TTL_HOURS,
    MIN_DRAFT_TTL_HOURS,
    HttpClientName,
    LogFormat,
    Reader,
)
from intake.config.secret import Secret

if TYPE_CHECKING:
    from crypto import Recipient
    from intake.store import KeySource

__all__ = [
    "Config",
    "ConfigError",
    "HttpClientName",
    "LogFormat",
    "Secret",
    "load_config",
    "print_config_error",
]


class ConfigError(Exception):
    """The configuration has one or more problems; ``problems`` lists each as one line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Config:
    """Validated settings. Paths are absolute; ``questionnaire`` is None for the bundled one."""

    telegram_token: Secret | None
    telegram_api_root: str | None
    recipients: tuple[Recipient, ...]
    data_dir: Path
    questionnaire: Path | None
    http_host: str
    http_port: int
    operator_ids: frozenset[int]
    log_level: str
    log_format: LogFormat
    draft_ttl_hours: float = 24.0
    max_file_mb: int = CLOUD_FILE_LIMIT_MB
    max_draft_mb: int = 100  # every file of one conversation together
    rate_messages_per_minute: int = 30
    rate_submissions_per_day: int = 5
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8443
    telegram_http_client: HttpClientName = "lean"  # the Bot API client (bot.request)
    server_key_file: Path | None = None  # None: <data>/server.key (the fallback, warned about)
    server_key_origin: str = "data dir"
    # follow-up codes (docs/threat-model.md, "Follow-up"): Argon2id cost of the data dir's
    # first start (kept from then on), derivations at once, days an unread reply waits
    followup_memory_mib: int = 256
    followup_iterations: int = 3
    followup_lanes: int = 1
    followup_concurrency: int = 2
    reply_days: float = 90.0

    @property
    def base_url(self) -> str | None:
        """``<root>/bot`` of a self-hosted Bot API server, or None for Telegram's cloud."""
        return None if self.telegram_api_root is None else self.telegram_api_root + "/bot"

    @property
    def base_file_url(self) -> str | None:
        """``<root>/file/bot`` of a self-hosted Bot API server, or None for Telegram's cloud."""
        return None if self.telegram_api_root is None else self.telegram_api_root + "/file/bot"

    @property
    def post_quantum(self) -> bool:
        """True when submissions are sealed with the post-quantum hybrid (the default kind)."""
        return all(r.post_quantum for r in self.recipients)

    @property
    def draft_ttl_seconds(self) -> int:
        """How long an open draft may live, in seconds."""
        return int(self.draft_ttl_hours * 3600)

    @property
    def max_file_bytes(self) -> int:
        """Largest attachment accepted, in bytes."""
        return self.max_file_mb * 1024 * 1024

    @property
    def key_source(self) -> KeySource:
        """Where the store reads the server key from (see docs/operations.md, "Server key")."""
        from intake.store import KeySource, default_key_source

        if self.server_key_file is None:
            return default_key_source(self.data_dir)
        return KeySource(self.server_key_file, self.server_key_origin)

    @property
    def max_draft_bytes(self) -> int:
        """Most bytes the files of one draft may take together."""
        return self.max_draft_mb * 1024 * 1024

    def secrets(self) -> list[str]:
        """Every secret value, for :func:`intake.ops.logs.register_secret`."""
        return [s.get_secret_value() for s in (self.telegram_token, self.webhook_secret) if s]


def load_config(
    env: Mapping[str, str] | None = None,
    *,
    require_telegram: bool = True,
    require_recipients: bool = True,
    dotenv_path: str | Path = ".env",
    is_tty: Callable[[], bool] = lambda: sys.stderr.isatty(),
) -> Config:
    """Read and validate the configuration; raise :class:`ConfigError` listing every problem.

    With ``env=None`` the process environment is used, completed by ``dotenv_path`` (real
    environment variables win; ``os.environ`` is not modified). An explicit ``env`` is used as is.
    ``require_telegram=False`` serves commands that never talk to Telegram (``status``,
    ``export``), and skips validating the questionnaire file, which only ``run`` uses;
    ``require_recipients=False`` serves those that never seal (``ack``).
    """
    if env is None:
        env = _environment(Path(dotenv_path))
    r = Reader(env)
    token = r.token(required=require_telegram)
    api_root = r.api_root()
    http_client = r.http_client()
    recipients = r.recipients(required=require_recipients)
    http_host, http_port = r.addr("INTAKE_HTTP_ADDR", "127.0.0.1:9464")
    max_mb = r.number("INTAKE_MAX_FILE_MB", CLOUD_FILE_LIMIT_MB, 1, LOCAL_FILE_LIMIT_MB)
    if api_root is None and max_mb > CLOUD_FILE_LIMIT_MB:
        r.problem(
            f"INTAKE_MAX_FILE_MB={max_mb:g} is above Telegram's {CLOUD_FILE_LIMIT_MB} MB download "
            "limit; set TELEGRAM_API_BASE_URL to a self-hosted Bot API server to accept more"
        )
    webhook_url, webhook_secret, (wh_host, wh_port) = r.webhook(api_root is not None)
    key_file, key_origin = r.server_key()
    config = Config(
        telegram_token=token,
        telegram_api_root=api_root,
        recipients=tuple(recipients),
        data_dir=r.data_dir(),
        questionnaire=r.questionnaire(check=require_telegram),
        http_host=http_host,
        http_port=http_port,
        operator_ids=r.operator_ids(),
        log_level=r.log_level(),
        log_format=r.log_format(is_tty),
        draft_ttl_hours=r.number(
            "INTAKE_DRAFT_TTL_HOURS", 24, MIN_DRAFT_TTL_HOURS, MAX_DRAFT_TTL_HOURS, int_=False
        ),
        max_file_mb=int(max_mb),
        max_draft_mb=int(r.number("INTAKE_MAX_DRAFT_MB", 100, 1, 100 * LOCAL_FILE_LIMIT_MB)),
        rate_messages_per_minute=int(r.number("INTAKE_RATE_MESSAGES_PER_MINUTE", 30, 1, 10_000)),
        rate_submissions_per_day=int(r.number("INTAKE_RATE_SUBMISSIONS_PER_DAY", 5, 1, 10_000)),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_host=wh_host,
        webhook_port=wh_port,
        telegram_http_client=http_client,
        server_key_file=key_file,
        server_key_origin=key_origin,
        followup_memory_mib=int(r.number("INTAKE_FOLLOWUP_MEMORY_MIB", 256, 1, 4096)),
        followup_iterations=int(r.number("INTAKE_FOLLOWUP_ITERATIONS", 3, 1, 100)),
        followup_lanes=int(r.number("INTAKE_FOLLOWUP_LANES", 1, 1, 16)),
        followup_concurrency=int(r.number("INTAKE_FOLLOWUP_CONCURRENCY", 2, 1, 64)),
        reply_days=r.number("INTAKE_REPLY_DAYS", 90, 1, 3650, int_=False),
    )
    if r.problems:
        raise ConfigError(r.problems)
    return config


def print_config_error(error: ConfigError, file: TextIO | None = None) -> int:
    """Print one ``intake: error: …`` line per problem; return the exit status 2."""
    from intake import tui

    for problem in error.problems:
        tui.error(str(problem), file=file)
    return 2


def _environment(dotenv_path: Path) -> dict[str, str]:
    import os

    from dotenv import dotenv_values

    merged: dict[str, str] = {}
    if dotenv_path.is_file():
        _check_dotenv(dotenv_path)
        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(os.environ)
    return merged


def _check_dotenv(path: Path) -> None:
    """Refuse a ``.env`` others may read or that another user owns: it holds the bot token."""
    import os
    import stat

    st = path.stat()
    if st.st_uid != os.geteuid():
        raise ConfigError(
            [f"{path} is owned by uid {st.st_uid}, not by this user (uid {os.geteuid()}): it holds "
             "the bot token; check who wrote it, then take it over (chown) or remove it"]
        )  # fmt: skip
    if st.st_mode & 0o077:
        raise ConfigError(
            [f"{path} has mode {stat.S_IMODE(st.st_mode):o}, readable by other users: it holds "
             f"the bot token; check who could have read it, then fix with: chmod 600 {path}"]
        )  # fmt: skip
