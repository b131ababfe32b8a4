"""``intake run``: serve witnesses on Telegram (configuration from the environment / ``.env``).

Configuration problems end the command with one ``intake: error: …`` line per problem and exit
status 2 — never a traceback, never the token (it is registered for redaction before anything can
log). Everything after that is :func:`bot.serve.run`.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``run`` to the parser."""
    p = sub.add_parser("run", help="serve witnesses on Telegram (configuration from env / .env)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Harden the process, validate the configuration, set up logging, then serve until
    SIGTERM/SIGINT."""
    from intake.config import ConfigError, load_config, print_config_error
    from intake.ops.hardening import harden
    from intake.ops.logs import configure_logging, register_secret

    not_hardened = harden()  # first: before anything secret is read into this process
    try:
        config = load_config()
    except ConfigError as err:
        return print_config_error(err)
    for secret in config.secrets():
        register_secret(secret)
    configure_logging(config.log_level, config.log_format)
    if not_hardened:
        import structlog

        structlog.get_logger("intake.run").warning("process_not_hardened", missing=not_hardened)
    from bot.serve import run as serve_bot  # after logging: PTB logs from import time on

    return serve_bot(config)
