"""Configuration: every problem reported at once, secrets never echoed."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from intake.config import Config, ConfigError, load_config, print_config_error
from tests.support.paths import ROOT

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_canary"


CLASSIC = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


def _crypto() -> Any:
    """The crypto package, or a skip while the crypto helper has not committed it yet."""
    crypto = pytest.importorskip("crypto")
    if not hasattr(crypto, "parse_recipients"):
        pytest.skip("crypto.parse_recipients not there yet")
    return crypto


def _load(env: dict[str, str], **kwargs: object) -> Config:
    kwargs.setdefault("require_recipients", False)
    return load_config(env, is_tty=lambda: False, **kwargs)  # type: ignore[arg-type]


def _problems(env: dict[str, str], **kwargs: object) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _load(env, **kwargs)
    return info.value.problems


def test_defaults() -> None:
    config = _load({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert config.telegram_token is not None
    assert config.telegram_token.get_secret_value() == TOKEN
    assert config.telegram_api_root is None
    assert config.base_url is None
    assert (config.http_host, config.http_port) == ("127.0.0.1", 9464)
    assert config.data_dir == Path("./data").resolve()
    assert config.questionnaire is None
    assert config.log_level == "INFO"
    assert config.log_format == "json"
    assert config.draft_ttl_seconds == 24 * 3600
    assert config.max_file_bytes == 20 * 1024 * 1024
    assert config.operator_ids == frozenset()
    assert config.webhook_url is None
    assert config.secrets() == [TOKEN]


def test_missing_token_is_a_problem_unless_not_required() -> None:
    assert any("TELEGRAM_BOT_TOKEN is not set" in p for p in _problems({}))
    assert _load({}, require_telegram=False).telegram_token is None


@pytest.mark.parametrize(
    "bad",
    [
        "123456789",
        "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        "123456789:short_canary",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw canary",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/canary",
    ],
)
def test_bad_token_is_refused_without_echo(bad: str) -> None:
    problems = _problems({"TELEGRAM_BOT_TOKEN": bad})
    assert len(problems) == 1
    assert "does not look like a bot token" in problems[0]
    assert "canary" not in problems[0]
    assert bad not in problems[0]


def test_token_pasted_elsewhere_is_not_echoed() -> None:
    problems = _problems({"TELEGRAM_BOT_TOKEN": TOKEN, "INTAKE_LOG_LEVEL": TOKEN})
    assert problems
    assert all(TOKEN not in p and "canary" not in p for p in problems)
    other = "987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_canary"
    problems = _problems({"INTAKE_HTTP_ADDR": other}, require_telegram=False)
    assert all("canary" not in p for p in problems)


def test_every_problem_is_collected() -> None:
    problems = _problems(
        {
            "TELEGRAM_BOT_TOKEN": "nope",
            "TELEGRAM_API_BASE_URL": "ftp://example.org",
            "INTAKE_HTTP_ADDR": "9464",
            "INTAKE_OPERATOR_IDS": "12,x",
            "INTAKE_LOG_LEVEL": "chatty",
            "INTAKE_LOG_FORMAT": "xml",
            "INTAKE_DRAFT_TTL_HOURS": "100",
            "INTAKE_MAX_FILE_MB": "lots",
            "INTAKE_RATE_MESSAGES_PER_MINUTE": "0",
        }
    )
    assert len(problems) == 9, problems
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "INTAKE_HTTP_ADDR", "#2"):
        assert any(name in p for p in problems), name


def test_api_root_derives_bot_and_file_urls() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/"}
    config = _load(env)
    assert config.telegram_api_root == "http://127.0.0.1:8081"
    assert config.base_url == "http://127.0.0.1:8081/bot"
    assert config.base_file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8081/bot", "https://api.example/file/bot", "127.0.0.1:8081", "x"]
)
def test_api_root_must_be_a_root_url(url: str) -> None:
    problems = _problems({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": url})
    assert len(problems) == 1
    assert "TELEGRAM_API_BASE_URL" in problems[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.org",
        "https://bot-api.example.org",  # a host starting with "bot" is not a /bot path
        "http://127.0.0.1:8081",
        "http://[::1]:8081",
        "http://10.1.2.3:8081",
        "http://192.168.0.7",
        "http://[fd00::7]:8081",
        "http://localhost:8081",
        "http://telegram-bot-api:8081",
    ],
)
def test_plain_http_api_root_on_this_machine_or_network(url: str) -> None:
    config = _load({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": url})
    assert config.telegram_api_root == url


@pytest.mark.parametrize(
    "url", ["http://api.example.org", "http://bot-api.corp.example:8081", "http://8.8.8.8:8081"]
)
def test_plain_http_api_root_across_the_internet_is_refused(url: str) -> None:
    """The token is in every request path and the updates hold witnesses' words."""
    (problem,) = _problems({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": url})
    assert problem.startswith("TELEGRAM_API_BASE_URL is plain http to ")
    assert "use https://" in problem
    assert "http://telegram-bot-api:8081" in problem


def test_file_size_above_cloud_limit_needs_a_local_server() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "INTAKE_MAX_FILE_MB": "200"}
    assert "TELEGRAM_API_BASE_URL" in _problems(env)[0]
    env["TELEGRAM_API_BASE_URL"] = "http://127.0.0.1:8081"
    assert _load(env).max_file_mb == 200


def test_addresses_operators_and_numbers() -> None:
    config = _load(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "INTAKE_HTTP_ADDR": "[::1]:9000",
            "INTAKE_OPERATOR_IDS": "11, 22 33,,",
            "INTAKE_LOG_LEVEL": "debug",
            "INTAKE_LOG_FORMAT": "Console",
            "INTAKE_DRAFT_TTL_HOURS": "0.5",
            "INTAKE_RATE_SUBMISSIONS_PER_DAY": "2",
        }
    )
    assert (config.http_host, config.http_port) == ("::1", 9000)
    assert config.operator_ids == frozenset({11, 22, 33})
    assert (config.log_level, config.log_format) == ("DEBUG", "console")
    assert config.draft_ttl_seconds == 1800
    assert config.rate_submissions_per_day == 2


def test_console_logs_on_a_terminal_when_unset() -> None:
    config = load_config({}, require_telegram=False, require_recipients=False, is_tty=lambda: True)
    assert config.log_format == "console"


def test_webhook_needs_a_secret_and_https() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "INTAKE_WEBHOOK_URL": "https://bot.example/hook"}
    assert "INTAKE_WEBHOOK_SECRET" in _problems(env)[0]
    env["INTAKE_WEBHOOK_SECRET"] = "s" * 32
    config = _load(env)
    assert config.webhook_secret is not None
    assert "s" * 32 not in repr(config)
    assert (config.webhook_host, config.webhook_port) == ("127.0.0.1", 8443)
    assert "s" * 32 in config.secrets()
    env["INTAKE_WEBHOOK_URL"] = "http://bot.example/hook"
    assert "https" in _problems(env)[0]
    env["TELEGRAM_API_BASE_URL"] = "http://127.0.0.1:8081"
    assert _load(env).webhook_url == "http://bot.example/hook"
    assert _problems({"INTAKE_WEBHOOK_SECRET": "x" * 20}, require_telegram=False)


def test_paths(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("x")
    problems = _problems(
        {"INTAKE_DATA_DIR": str(afile), "INTAKE_QUESTIONNAIRE": str(tmp_path / "missing.toml")},
        require_telegram=False,
    )
    assert len(problems) == 2
    config = _load(
        {"INTAKE_DATA_DIR": str(tmp_path / "data"), "INTAKE_QUESTIONNAIRE": str(afile)},
        require_telegram=False,
    )
    assert config.data_dir == tmp_path / "data"
    assert config.questionnaire == afile


def test_dotenv_fills_in_but_real_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nINTAKE_LOG_LEVEL=DEBUG\n")
    dotenv.chmod(0o600)
    monkeypatch.setenv("INTAKE_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    config = load_config(dotenv_path=dotenv, require_recipients=False)
    assert config.telegram_token is not None
    assert config.log_level == "WARNING"
    assert "TELEGRAM_BOT_TOKEN" not in os.environ


def test_dotenv_readable_by_others_is_refused_unread(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n")
    dotenv.chmod(0o644)
    with pytest.raises(ConfigError) as info:
        load_config(dotenv_path=dotenv, require_recipients=False)
    (problem,) = info.value.problems
    assert "mode 644, readable by other users" in problem
    assert f"chmod 600 {dotenv}" in problem
    assert TOKEN not in problem


def test_server_key_from_systemd_credentials_or_a_file(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    env = {"INTAKE_DATA_DIR": str(tmp_path / "data")}
    config = load_config(env, require_telegram=False, require_recipients=False)
    assert config.key_source.path == tmp_path / "data" / "server.key"  # the fallback
    env["INTAKE_SERVER_KEY_FILE"] = str(tmp_path / "ram" / "server.key")
    assert "does not exist" in _problems(env, require_telegram=False)[0]
    (tmp_path / "ram").mkdir()
    config = load_config(env, require_telegram=False, require_recipients=False)
    assert config.key_source.origin == "INTAKE_SERVER_KEY_FILE"
    env["CREDENTIALS_DIRECTORY"] = str(creds)
    assert load_config(env, require_telegram=False, require_recipients=False).key_source.origin == (
        "INTAKE_SERVER_KEY_FILE"
    )  # the unit passes no server.key credential: not used
    (creds / "server.key").write_bytes(bytes(32))
    source = load_config(env, require_telegram=False, require_recipients=False).key_source
    assert (source.path, source.origin) == (creds / "server.key", "systemd credential")


def test_private_key_is_refused(tmp_path: Path) -> None:
    key = "AGE-SECRET-KEY-1DV3KDYCSU5Z8S5A0TFVN90ZFL3Z4K4NEGCGW5RRWJ5X8SD7NV68SKEM2S8"
    problems = _problems({"INTAKE_RECIPIENTS": key}, require_telegram=False)
    assert "must never be on the server" in problems[0]
    assert key not in problems[0]
    keyfile = tmp_path / "keys.txt"
    keyfile.write_text(f"# public key: {CLASSIC}\n{key}\n")
    problems = _problems({"INTAKE_RECIPIENTS_FILE": str(keyfile)}, require_telegram=False)
    assert "must never be on the server" in problems[0]


def test_recipients_are_required_and_single_sourced(tmp_path: Path) -> None:
    assert any("no staff recipients" in p for p in _problems({}, require_recipients=True))
    env = {"INTAKE_RECIPIENTS": CLASSIC, "INTAKE_RECIPIENTS_FILE": str(tmp_path / "r.txt")}
    assert "not both" in _problems(env, require_telegram=False)[0]
    env = {"INTAKE_RECIPIENTS_FILE": str(tmp_path / "missing.txt")}
    assert "cannot read" in _problems(env, require_telegram=False)[0]


def test_recipients_parse(tmp_path: Path) -> None:
    _crypto()
    out = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True).stdout
    other = next(ln.split()[-1] for ln in out.splitlines() if ln.startswith("# public key:"))
    env = {"INTAKE_RECIPIENTS": f"{CLASSIC}, {other}"}
    config = _load(env, require_telegram=False, require_recipients=True)
    assert [str(r) for r in config.recipients] == [CLASSIC, other]
    assert config.post_quantum is False
    rfile = tmp_path / "recipients.txt"
    rfile.write_text(f"# staff laptop A\n{CLASSIC}\n\n")
    env = {"INTAKE_RECIPIENTS_FILE": str(rfile)}
    assert len(_load(env, require_telegram=False, require_recipients=True).recipients) == 1
    assert _problems({"INTAKE_RECIPIENTS": "age1notarecipient"}, require_telegram=False)


def test_post_quantum_and_classic_do_not_mix() -> None:
    crypto = _crypto()
    pq = str(crypto.generate_identity(post_quantum=True).recipient())
    config = _load({"INTAKE_RECIPIENTS": pq}, require_telegram=False, require_recipients=True)
    assert config.post_quantum is True
    problems = _problems({"INTAKE_RECIPIENTS": f"{pq} {CLASSIC}"}, require_telegram=False)
    assert "mixes post-quantum" in problems[0]


def test_print_config_error() -> None:
    out = io.StringIO()
    assert print_config_error(ConfigError(["a is bad", "b is bad"]), out) == 2
    assert out.getvalue() == "intake: error: a is bad\nintake: error: b is bad\n"


def test_env_example_documents_every_variable() -> None:
    """Every variable is explained; the file as shipped (required values empty) loads once they
    are filled in, so no default in it overrides what the systemd unit or compose sets."""
    example = (ROOT / ".env.example").read_text()
    package = ROOT / "intake" / "config"
    source = "".join(p.read_text() for p in package.glob("*.py"))
    names = set(re.findall(r'"((?:TELEGRAM|INTAKE)_[A-Z_]+)"', source))
    assert len(names) >= 17
    for name in names:
        assert f"\n{name}=" in example or f"\n# {name}=" in example, name


def test_env_example_sets_nothing_but_the_required() -> None:
    example = (ROOT / ".env.example").read_text()
    set_lines = [ln.split("=")[0] for ln in example.splitlines() if re.match(r"[A-Z_]+=", ln)]
    assert set_lines == [
        "TELEGRAM_BOT_TOKEN",
        "INTAKE_RECIPIENTS",
        "INTAKE_OPERATOR_IDS",
    ]


def test_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    problems = _problems(
        {"INTAKE_DATA_DIR": str(tmp_path / "afile" / "sub")}, require_telegram=False
    )
    assert problems == [
        f"INTAKE_DATA_DIR={tmp_path / 'afile' / 'sub'} cannot be created: "
        f"{tmp_path / 'afile'} is not a directory"
    ]
    deep = tmp_path / "new" / "deeper" / "data"  # missing parents are fine: they get created
    assert _load({"INTAKE_DATA_DIR": str(deep)}, require_telegram=False).data_dir == deep


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_data_dir_under_a_read_only_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    problems = _problems({"INTAKE_DATA_DIR": str(locked / "data")}, require_telegram=False)
    assert problems[0].endswith("is not writable")


def test_questionnaire_problems_come_with_the_others(tmp_path: Path) -> None:
    bad = tmp_path / "q.toml"
    bad.write_text('id = "x"\n')
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "INTAKE_QUESTIONNAIRE": str(bad), "INTAKE_LOG_LEVEL": "X"}
    problems = _problems(env)
    assert any(p.startswith("INTAKE_LOG_LEVEL") for p in problems)
    assert any(p.startswith(f"INTAKE_QUESTIONNAIRE: {bad}") for p in problems)
    # Commands that do not run the bot do not need the questionnaire to be right.
    assert _load({"INTAKE_QUESTIONNAIRE": str(bad)}, require_telegram=False).questionnaire == bad


def test_http_client_is_lean_unless_a_proxy_is_set() -> None:
    assert _load({"TELEGRAM_BOT_TOKEN": TOKEN}).telegram_http_client == "lean"
    for proxy in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "http_proxy"):
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, proxy: "http://proxy.example:3128"}
        assert _load(env).telegram_http_client == "httpx", proxy  # httpx honours the proxy
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_HTTP_CLIENT": "HTTPX"}
    assert _load(env).telegram_http_client == "httpx"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_HTTP_CLIENT": "lean", "HTTPS_PROXY": " "}
    assert _load(env).telegram_http_client == "lean"  # an empty proxy variable names none


def test_lean_client_with_a_proxy_is_refused() -> None:
    """Reaching Telegram around a configured proxy could expose the server: refuse to start."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_HTTP_CLIENT": "lean", "ALL_PROXY": "socks5://x"}
    (problem,) = _problems(env)
    assert "TELEGRAM_HTTP_CLIENT=lean" in problem
    assert "ALL_PROXY" in problem
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_HTTP_CLIENT": "curl"}
    assert _problems(env) == ["TELEGRAM_HTTP_CLIENT='curl' must be auto, lean or httpx"]
