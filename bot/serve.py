"""``intake run`` assembled: store, service, metrics and health endpoints, the bot, until a signal.

Start-up order is the safe one: configuration is already valid; the store opens (refusing an
unsafe data dir) and recovers interrupted submits *before* Telegram is polled, so no update is
handled against a half-recovered store. Shutdown finishes in-flight updates, then closes the store.

SIGTERM and SIGINT are honoured in every state: while ``getMe`` is retried at start-up, during an
outage's backoff, and mid-update (updates in progress get ``stop_grace`` seconds; those that do
not finish are not confirmed to Telegram and are applied after the restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
from typing import Any

import structlog
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.operator import register_operator_handlers
from bot.retry import GaveUpError, with_retry
from bot.webhook import WebhookServer
from bot.wiring import (
    ALLOWED_UPDATES,
    BotSettings,
    build_application,
    start_polling,
    stop,
)
from crypto.followup import Argon2Params
from intake import tui
from intake.config import Config
from intake.followup.kdfparams import load_params
from intake.followup.placement import PlacementServer
from intake.followup.session import FollowupSettings
from intake.ops import checks
from intake.ops.http import HealthServer
from intake.ops.metrics import Metrics
from intake.ops.monitor import Monitor
from intake.ops.runmarker import RunMarker
from intake.questionnaire import Questionnaire, QuestionnaireError, load, load_default
from intake.service import IntakeService
from intake.store import Store, StoreError
from intake.store.trouble import storage_trouble

log = structlog.get_logger("bot.serve")

EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1


def run(config: Config) -> int:
    """``intake run`` after configuration: serve; problems become ``intake: error:`` lines.

    An unsafe data dir, a broken questionnaire or a token Telegram refuses exit with status 2,
    Telegram unreachable at start-up with 1 — never a traceback, never the token.
    """
    try:
        return asyncio.run(serve(config))
    except GaveUpError:
        tui.error("Telegram could not be reached at start-up")
        tui.hint("check the network or TELEGRAM_API_BASE_URL")
        return EXIT_UNREACHABLE
    except InvalidToken:
        tui.error("Telegram refused TELEGRAM_BOT_TOKEN (revoked or mistyped?)")
        tui.hint("get the current token from @BotFather (/mybots → API Token)")
        return EXIT_CONFIG
    except QuestionnaireError as err:
        for problem in err.problems:
            tui.error(str(problem))
        return EXIT_CONFIG
    except StoreError as err:
        tui.error(str(err))
        return EXIT_CONFIG
    except (OSError, sqlite3.Error) as err:
        # an OSError without a file name is not about the data dir (e.g. the health address)
        trouble = storage_trouble(err) if not isinstance(err, OSError) or err.filename else None
        if trouble is None:
            tui.error(str(err) if isinstance(err, sqlite3.Error) else str(err.strerror or err))
            return EXIT_CONFIG
        tui.error(trouble.describe(config.data_dir))
        tui.hint(f"{trouble.advice}, or set INTAKE_DATA_DIR to a writable directory")
        return EXIT_CONFIG


def settings_from(config: Config) -> BotSettings:
    """The bot's settings from the validated configuration."""
    if config.telegram_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required for `intake run`")
    return BotSettings(
        token=config.telegram_token.get_secret_value(),
        base_url=config.base_url,
        base_file_url=config.base_file_url,
        max_file_bytes=config.max_file_bytes,
        http_client=config.telegram_http_client,
    )


def questionnaire_of(config: Config) -> Questionnaire:
    """The configured questionnaire, or the bundled one."""
    return load(config.questionnaire) if config.questionnaire else load_default()


async def _start_telegram(
    app: Application,  # type: ignore[type-arg]
    config: Config,
    settings: BotSettings,
) -> tuple[WebhookServer | None, asyncio.Task[None] | None]:
    """Polling (default) or webhook; returns the webhook server or the polling task."""
    # getMe at start-up: retried while the network is not there yet; a bad token is not retried.
    await with_retry(app.initialize, settings.retry, what="getMe")
    if config.webhook_url is None or config.webhook_secret is None:
        return None, await start_polling(app, settings.poll_timeout, initialized=True)
    secret = config.webhook_secret.get_secret_value()
    server = WebhookServer(
        app, config.webhook_url, secret, config.webhook_host, config.webhook_port
    )
    await server.start()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        await with_retry(
            lambda: app.bot.set_webhook(
                config.webhook_url or "", secret_token=secret, allowed_updates=ALLOWED_UPDATES
            ),
            settings.retry,
            what="setWebhook",
        )
    except BaseException:  # stopped (or failed) during start-up: do not leave it listening
        await server.stop()
        raise
    return server, None


async def _until_stopped(task: asyncio.Task[Any], stop_event: asyncio.Event) -> bool:
    """Wait for ``task`` or ``stop_event``, whichever comes first. On a stop request the task is
    cancelled (a retry's backoff or a request in flight ends at once) and False returned; else
    True, and the task's exception, if it failed, is raised."""
    stopping = asyncio.create_task(stop_event.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if task.done():
        task.result()
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return False


def followup_settings(config: Config) -> FollowupSettings:
    """The data dir's follow-up parameters (made on its first start from the configuration)."""
    wanted = Argon2Params(
        config.followup_memory_mib * 1024, config.followup_iterations, config.followup_lanes
    )
    params, warnings = load_params(config.data_dir, wanted)
    for warning in warnings:
        log.warning("followup_parameters", warning=warning)
    return FollowupSettings(
        params, concurrency=config.followup_concurrency, reply_ttl=config.reply_days * 86400
    )


async def serve(config: Config, *, stop_event: asyncio.Event | None = None) -> int:
    """Run the bot until SIGINT/SIGTERM (or ``stop_event``); return the exit status."""
    questionnaire = questionnaire_of(config)
    settings = settings_from(config)
    store = await Store.open(
        config.data_dir, key_source=config.key_source, draft_ttl=config.draft_ttl_seconds
    )
    for warning in store.warnings:  # also in /health and `intake status`
        log.warning("seizure_exposure", warning=warning)
    limits = {
        "message": (config.rate_messages_per_minute, 60),
        "submission": (config.rate_submissions_per_day, 24 * 3600),
    }
    followup = followup_settings(config)
    svc = IntakeService(
        store,
        questionnaire,
        list(config.recipients),
        limits=limits,
        max_draft_bytes=config.max_draft_bytes,
        followup=followup,
    )
    placement = PlacementServer(config.data_dir, svc.followup.mailboxes) if svc.followup else None
    metrics = Metrics()
    ready = checks.standard_checks(config, metrics)
    marker = RunMarker(config.data_dir)
    monitor = Monitor(store, metrics, ready, crashed=marker.start())

    async def refresh() -> None:
        await monitor.refresh()

    health = HealthServer(
        (config.http_host, config.http_port), ready, metrics.registry, before_metrics=refresh
    )
    app, _flow = build_application(settings, svc, metrics=metrics)
    stop_event = stop_event or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_event.set)
    webhook = None
    try:
        await svc.recover()
        if placement is not None:  # `intake ack` hands replies over here
            await placement.start()
        await health.start()
        send = register_operator_handlers(app, config=config, monitor=monitor)
        starting = asyncio.create_task(_start_telegram(app, config, settings))
        if not await _until_stopped(starting, stop_event):
            log.info("bot_stopping", during="start-up")
            return 0
        webhook, polling = starting.result()
        # in webhook mode nothing calls Telegram while witnesses are quiet: probe it
        monitor.start(send, probe=app.bot.get_me if webhook is not None else None)
        log.info("bot_started", mode="polling" if webhook is None else "webhook")
        if polling is not None:
            await _until_stopped(polling, stop_event)  # it ends by itself only on a bad token
        else:
            await stop_event.wait()
        log.info("bot_stopping")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await monitor.stop()
        if webhook is not None:
            await webhook.stop()
        with contextlib.suppress(NetworkError):
            await stop(app)
        await app.bot.shutdown()  # closes the HTTP clients even if getMe never succeeded
        await health.stop()
        if placement is not None:
            await placement.stop()
        if svc.followup is not None:
            svc.followup.close()
        await store.close()
        marker.stop()  # a clean shutdown: the next start is not reported as a crash
    return 0
