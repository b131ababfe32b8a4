"""Reading the environment one variable at a time, recording every problem instead of stopping at
the first. Messages name the variable and what is wrong; they never echo a secret."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from intake.config.secret import Secret

if TYPE_CHECKING:
    from crypto import Recipient

LogFormat = Literal["json", "console"]
HttpClientName = Literal["lean", "httpx"]

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
_TOKEN_SHAPE_RE = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,256}")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The proxy variables httpx honours (in either case); the lean Bot API client ignores them.
_PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
# Telegram's cloud Bot API serves downloads up to 20 MB; a self-hosted server goes to 2000 MB.
CLOUD_FILE_LIMIT_MB = 20
LOCAL_FILE_LIMIT_MB = 2000
# Bots may delete messages in private chats only while they are younger than 48 h; a draft that
# lives longer could not have its traces wiped at expiry. One hour of margin for the expiry sweep.
MAX_DRAFT_TTL_HOURS = 47.0
# Seconds are allowed (3.6 s): the forensic test lets real drafts expire; nobody else needs it.
MIN_DRAFT_TTL_HOURS = 0.001


class Reader:
    """Reads one variable at a time, recording problems instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []
        self._token: str | None = None

    def problem(self, text: str) -> None:
        """Record one problem (secrets and token shapes are masked first)."""
        # Last line of defence: a token pasted into the wrong variable must not be echoed back.
        if self._token:
            text = text.replace(self._token, "***")
        text = _TOKEN_SHAPE_RE.sub("***", text)
        self.problems.append(text)

    def get(self, name: str) -> str | None:
        """The variable's value, stripped; None when unset or empty."""
        value = self.env.get(name, "").strip()
        return value or None

    def token(self, *, required: bool) -> Secret | None:
        """TELEGRAM_BOT_TOKEN, checked for the shape BotFather gives."""
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
        """A URL variable: one of ``schemes``, a host, no query, fragment or credentials."""
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
        """TELEGRAM_API_BASE_URL: a server root, without /bot; plain http only to a host that
        cannot be across the internet (every request path holds the bot token)."""
        root = self.url("TELEGRAM_API_BASE_URL")
        if root is not None and re.search(r"/(file/)?bot[^/]*$", urlsplit(root).path):
            self.problem(
                "TELEGRAM_API_BASE_URL must be the server root (e.g. http://127.0.0.1:8081); "
                "the bot adds /bot and /file/bot itself"
            )
            return None
        host = urlsplit(root).hostname if root is not None else None
        if root is not None and root.startswith("http:") and not _near(host or ""):
            self.problem(
                f"TELEGRAM_API_BASE_URL is plain http to {host}: the bot token (in every "
                "request) and every witness's message would cross the network unencrypted; "
                "use https://, or http:// only to this machine, a private address or a "
                "single-label service name (e.g. http://telegram-bot-api:8081)"
            )
            return None
        return root

    def http_client(self) -> HttpClientName:
        """TELEGRAM_HTTP_CLIENT: auto (lean, or httpx when a proxy variable is set), lean or
        httpx. The lean client cannot use a proxy: asked for one anyway, refuse to start rather
        than reach Telegram around the proxy."""
        value = (self.get("TELEGRAM_HTTP_CLIENT") or "auto").lower()
        proxy = next(
            (n for n in sorted(self.env) if n.upper() in _PROXY_VARIABLES and self.get(n)), None
        )
        if value not in ("auto", "lean", "httpx"):
            self.problem(f"TELEGRAM_HTTP_CLIENT={value!r} must be auto, lean or httpx")
            return "httpx" if proxy else "lean"
        if value == "lean" and proxy is not None:
            self.problem(
                f"TELEGRAM_HTTP_CLIENT=lean cannot use the proxy that {proxy} names; "
                "set TELEGRAM_HTTP_CLIENT=httpx (or auto), or unset the proxy"
            )
        if value == "auto":
            return "httpx" if proxy is not None else "lean"
        return "httpx" if value == "httpx" else "lean"

    def recipients(self, *, required: bool) -> list[Recipient]:
        """INTAKE_RECIPIENTS or INTAKE_RECIPIENTS_FILE, parsed; no private key, no mixed kinds."""
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
                reason = getattr(exc, "strerror", None) or type(exc).__name__
                self.problem(f"{source}: cannot read: {reason}")
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
        """A HOST:PORT (or [IPv6]:PORT) variable."""
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
        """A number variable within [low, high]; ``default`` when unset."""
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
        """INTAKE_DATA_DIR, absolute; it may not exist yet, but then it must be creatable."""
        path = Path(self.get("INTAKE_DATA_DIR") or "./data").expanduser().resolve()
        if path.exists():
            if not path.is_dir():
                self.problem(f"INTAKE_DATA_DIR={path} exists and is not a directory")
            return path
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            self.problem(f"INTAKE_DATA_DIR={path} cannot be created: {parent} is not a directory")
        elif not os.access(parent, os.W_OK | os.X_OK):
            self.problem(f"INTAKE_DATA_DIR={path} cannot be created: {parent} is not writable")
        return path

    def questionnaire(self, *, check: bool) -> Path | None:
        """INTAKE_QUESTIONNAIRE, absolute and existing, or None for the bundled one. With
        ``check``, the file's own problems are reported here too, with everything else."""
        value = self.get("INTAKE_QUESTIONNAIRE")
        if value is None:
            return None
        path = Path(value).expanduser().resolve()
        if not path.is_file():
            self.problem(f"INTAKE_QUESTIONNAIRE={path} is not a readable file")
        elif check:
            from intake.questionnaire import check as check_questionnaire

            for problem in check_questionnaire(path)[1]:
                self.problem(f"INTAKE_QUESTIONNAIRE: {problem}")
        return path

    def server_key(self) -> tuple[Path | None, str]:
        """Where the server key is: a systemd credential (``$CREDENTIALS_DIRECTORY/server.key``),
        else INTAKE_SERVER_KEY_FILE, else (None) the data dir's ``server.key``."""
        credentials = self.env.get("CREDENTIALS_DIRECTORY", "").strip()
        if credentials and (Path(credentials) / "server.key").is_file():
            return Path(credentials) / "server.key", "systemd credential"
        value = self.get("INTAKE_SERVER_KEY_FILE")
        if value is None:
            return None, "data dir"
        path = Path(value).expanduser().resolve()
        if not path.parent.is_dir():
            self.problem(f"INTAKE_SERVER_KEY_FILE={path}: its folder {path.parent} does not exist")
        elif path.exists() and not path.is_file():
            self.problem(f"INTAKE_SERVER_KEY_FILE={path} is not a file")
        return path, "INTAKE_SERVER_KEY_FILE"

    def operator_ids(self) -> frozenset[int]:
        """INTAKE_OPERATOR_IDS as numbers."""
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
        """INTAKE_LOG_LEVEL, upper-cased."""
        value = (self.get("INTAKE_LOG_LEVEL") or "INFO").upper()
        if value not in _LOG_LEVELS:
            self.problem(f"INTAKE_LOG_LEVEL={value!r} must be one of {', '.join(_LOG_LEVELS)}")
            return "INFO"
        return value

    def log_format(self, is_tty: Callable[[], bool]) -> LogFormat:
        """INTAKE_LOG_FORMAT; unset: console on a terminal, json otherwise."""
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
        """INTAKE_WEBHOOK_URL, _SECRET and _LISTEN (the secret is required with the URL)."""
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


def _near(host: str) -> bool:
    """Whether plain HTTP to ``host`` stays off the internet: a loopback or private address,
    or a name without dots (``localhost``, a compose service on the host's own network)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return address.is_loopback or address.is_private
