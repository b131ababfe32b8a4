"""Configuration from the environment and ``.env`` (GUIDE §3), validated in one pass.

Every problem is collected and reported together as a :class:`ConfigError`, so an operator fixes
the whole file at once instead of restarting once per mistake. Secrets (the bot token, the webhook
secret) are held in :class:`Secret`, whose ``str``/``repr`` is ``***``: no message, repr or log line
built from a :class:`Config` can echo them — not even partially.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from crypto import Recipient

LogFormat = Literal["json", "console"]

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
_TOKEN_SHAPE_RE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,256}")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Telegram's cloud Bot API serves downloads up to 20 MB; a self-hosted server goes to 2000 MB.
_CLOUD_FILE_LIMIT_MB = 20
_LOCAL_FILE_LIMIT_MB = 2000
# Bots may delete messages in private chats only while they are younger than 48 h; a draft that
# lives longer could not have its traces wiped at expiry. One hour of margin for the expiry sweep.
_MAX_DRAFT_TTL_HOURS = 47.0


class Secret:
    """A string that never shows itself: ``str``, ``repr`` and f-strings give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The real value, for the one place that must use it (the HTTP client)."""
        return self._value

    def __str__(self) -> str:
        return "***"

    def __repr__(self) -> str:
        return "Secret('***')"


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
    max_file_mb: int = _CLOUD_FILE_LIMIT_MB
    rate_messages_per_minute: int = 30
    rate_submissions_per_day: int = 5
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8443

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

    def secrets(self) -> list[str]:
        """Every secret value, for :func:`intake.logging.register_secret`."""
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
    ``export``); ``require_recipients=False`` those that never seal (``ack``).
    """
    if env is None:
        env = _environment(Path(dotenv_path))
    r = _Reader(env)
    token = r.token(required=require_telegram)
    api_root = r.api_root()
    recipients = r.recipients(required=require_recipients)
    http_host, http_port = r.addr("INTAKE_HTTP_ADDR", "127.0.0.1:9464")
    max_mb = r.number("INTAKE_MAX_FILE_MB", _CLOUD_FILE_LIMIT_MB, 1, _LOCAL_FILE_LIMIT_MB)
    if api_root is None and max_mb > _CLOUD_FILE_LIMIT_MB:
        r.problem(
            f"INTAKE_MAX_FILE_MB={max_mb:g} is above Telegram's {_CLOUD_FILE_LIMIT_MB} MB download "
            "limit; set TELEGRAM_API_BASE_URL to a self-hosted Bot API server to accept more"
        )
    webhook_url, webhook_secret, (wh_host, wh_port) = r.webhook(api_root is not None)
    config = Config(
        telegram_token=token,
        telegram_api_root=api_root,
        recipients=tuple(recipients),
        data_dir=r.data_dir(),
        questionnaire=r.questionnaire(),
        http_host=http_host,
        http_port=http_port,
        operator_ids=r.operator_ids(),
        log_level=r.log_level(),
        log_format=r.log_format(is_tty),
        draft_ttl_hours=r.number(
            "INTAKE_DRAFT_TTL_HOURS", 24, 0.01, _MAX_DRAFT_TTL_HOURS, int_=False
        ),
        max_file_mb=int(max_mb),
        rate_messages_per_minute=int(r.number("INTAKE_RATE_MESSAGES_PER_MINUTE", 30, 1, 10_000)),
        rate_submissions_per_day=int(r.number("INTAKE_RATE_SUBMISSIONS_PER_DAY", 5, 1, 10_000)),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_host=wh_host,
        webhook_port=wh_port,
    )
    if r.problems:
        raise ConfigError(r.problems)
    return config


def print_config_error(error: ConfigError, file: IO[str] | None = None) -> int:
    """Print one ``intake: error: …`` line per problem; return the exit status 2."""
    out = file if file is not None else sys.stderr
    for problem in error.problems:
        print(f"intake: error: {problem}", file=out)
    return 2


def _environment(dotenv_path: Path) -> dict[str, str]:
    import os

    from dotenv import dotenv_values

    merged: dict[str, str] = {}
    if dotenv_path.is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(os.environ)
    return merged


class _Reader:
    """Reads one variable at a time, recording problems instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []
        self._token: str | None = None

    def problem(self, text: str) -> None:
        # Last line of defence: a token pasted into the wrong variable must not be echoed back.
        if self._token:
            text = text.replace(self._token, "***")
        text = _TOKEN_SHAPE_RE.sub("***", text)
        self.problems.append(text)

    def get(self, name: str) -> str | None:
        value = self.env.get(name, "").strip()
        return value or None

    def token(self, *, required: bool) -> Secret | None:
        value = self.get("TELEGRAM_BOT_TOKEN")
        if value is None:
            if required:
                self.problem("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather)")
            return None
        self._token = value
        if not _TOKEN_RE.fullmatch(value):
            self.problem(
                "TELEGRAM_BOT_TOKEN does not look like a bot token "
                "(expected <digits>:<30 or more letters, digits, '_' or '-'> from @BotFather)"
            )
            return None
        return Secret(value)

    def url(self, name: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.hostname:
            self.problem(f"{name} must be an {' or '.join(schemes)} URL with a host")
            return None
        if parts.query or parts.fragment or parts.username or parts.password:
            self.problem(f"{name} must not contain a query, fragment or credentials")
            return None
        return value.rstrip("/")

    def api_root(self) -> str | None:
        root = self.url("TELEGRAM_API_BASE_URL")
        if root is not None and re.search(r"/(file/)?bot[^/]*$", root):
            self.problem(
                "TELEGRAM_API_BASE_URL must be the server root (e.g. http://127.0.0.1:8081); "
                "the bot adds /bot and /file/bot itself"
            )
            return None
        return root

    def recipients(self, *, required: bool) -> list[Recipient]:
        inline, path = self.get("INTAKE_RECIPIENTS"), self.get("INTAKE_RECIPIENTS_FILE")
        if inline and path:
            self.problem("set INTAKE_RECIPIENTS or INTAKE_RECIPIENTS_FILE, not both")
            return []
        source, text = "INTAKE_RECIPIENTS", inline
        if path is not None:
            source = f"INTAKE_RECIPIENTS_FILE ({path})"
            try:
                text = Path(path).expanduser().read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.problem(f"{source}: cannot read: {exc.__class__.__name__}")
                return []
        if not text or not text.strip():
            if required:
                self.problem("no staff recipients: set INTAKE_RECIPIENTS or INTAKE_RECIPIENTS_FILE")
            return []
        if "AGE-SECRET-KEY-" in text.upper():
            self.problem(
                f"{source} contains an age private key (AGE-SECRET-KEY-…): a staff private key "
                "must never be on the server; give the public recipient (age1…) instead"
            )
            return []
        try:
            from crypto import KeyFormatError, parse_recipients
        except ImportError as exc:  # pragma: no cover - only while the crypto package is missing
            self.problem(f"{source}: cannot load the crypto package ({exc})")
            return []
        try:
            recipients = parse_recipients(text, source=source)
        except KeyFormatError as exc:
            self.problem(str(exc))
            return []
        if required and not recipients:
            self.problem(f"{source} lists no recipient")
        if len({r.post_quantum for r in recipients}) > 1:
            self.problem(
                f"{source} mixes post-quantum (age1pq1…) and classic (age1…) recipients; a file "
                "sealed to both would only be as strong as the classic one — use one kind"
            )
            return []
        return recipients

    def addr(self, name: str, default: str) -> tuple[str, int]:
        value = self.get(name) or default
        host, sep, port = value.rpartition(":")
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            self.problem(f"{name}={value!r} must be HOST:PORT (e.g. {default})")
            host, _, port = default.rpartition(":")
        return host, int(port)

    def number(
        self, name: str, default: float, low: float, high: float, *, int_: bool = True
    ) -> float:
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value) if int_ else float(value)
        except ValueError:
            self.problem(f"{name}={value!r} is not a {'whole ' if int_ else ''}number")
            return default
        if not low <= number <= high:
            self.problem(f"{name}={value} must be between {low:g} and {high:g}")
            return default
        return number

    def data_dir(self) -> Path:
        path = Path(self.get("INTAKE_DATA_DIR") or "./data").expanduser().resolve()
        if path.exists() and not path.is_dir():
            self.problem(f"INTAKE_DATA_DIR={path} exists and is not a directory")
        return path

    def questionnaire(self) -> Path | None:
        value = self.get("INTAKE_QUESTIONNAIRE")
        if value is None:
            return None
        path = Path(value).expanduser().resolve()
        if not path.is_file():
            self.problem(f"INTAKE_QUESTIONNAIRE={path} is not a readable file")
        return path

    def operator_ids(self) -> frozenset[int]:
        ids: set[int] = set()
        # Operator ids are Telegram ids: a bad entry is named by position, never echoed.
        for n, item in enumerate(re.split(r"[,\s]+", self.get("INTAKE_OPERATOR_IDS") or ""), 1):
            if not item:
                continue
            if item.isdigit() and int(item) > 0:
                ids.add(int(item))
            else:
                self.problem(f"INTAKE_OPERATOR_IDS entry #{n} is not a Telegram user id (a number)")
        return frozenset(ids)

    def log_level(self) -> str:
        value = (self.get("INTAKE_LOG_LEVEL") or "INFO").upper()
        if value not in _LOG_LEVELS:
            self.problem(f"INTAKE_LOG_LEVEL={value!r} must be one of {', '.join(_LOG_LEVELS)}")
            return "INFO"
        return value

    def log_format(self, is_tty: Callable[[], bool]) -> LogFormat:
        value = (self.get("INTAKE_LOG_FORMAT") or "").lower()
        if value == "json":
            return "json"
        if value == "console":
            return "console"
        if value:
            self.problem(f"INTAKE_LOG_FORMAT={value!r} must be json or console")
            return "json"
        return "console" if is_tty() else "json"

    def webhook(self, local_api: bool) -> tuple[str | None, Secret | None, tuple[str, int]]:
        # Telegram's cloud only calls https webhooks; a self-hosted Bot API server may use http.
        url = self.url("INTAKE_WEBHOOK_URL", schemes=("http", "https") if local_api else ("https",))
        secret = self.get("INTAKE_WEBHOOK_SECRET")
        listen = self.addr("INTAKE_WEBHOOK_LISTEN", "127.0.0.1:8443")
        if url is None:
            if secret is not None:
                self.problem("INTAKE_WEBHOOK_SECRET is set but INTAKE_WEBHOOK_URL is not")
            return None, None, listen
        if secret is None or not _WEBHOOK_SECRET_RE.fullmatch(secret):
            self.problem(
                "INTAKE_WEBHOOK_SECRET must be set with INTAKE_WEBHOOK_URL: 16–256 letters, "
                "digits, '_' or '-' (e.g. from `openssl rand -hex 32`)"
            )
            return url, None, listen
        return url, Secret(secret), listen
