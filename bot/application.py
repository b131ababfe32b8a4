"""Wiring in one place: the PTB Application, its handlers, and the background expiry sweep.

Updates run concurrently across witnesses and in order per witness
(:class:`bot.ordering.PerWitnessUpdateProcessor`); no ConversationHandler, no PTB persistence —
the engine and the store are the source of truth. Every message goes out with
``protect_content`` (PTB ``Defaults``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import structlog
from telegram import BotCommand
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.flow import Flow
from bot.handlers import Handlers
from bot.media import Downloader
from bot.ordering import PerWitnessUpdateProcessor
from bot.retry import ErrorHook, RetryPolicy, with_retry
from intake.service import IntakeService

# Only what the handlers use: Telegram then never sends the rest (inline queries, polls…).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
COMMANDS = [
    ("start", "Start or resume"),
    ("help", "Help"),
    ("cancel", "Stop and delete"),
    ("delete", "Delete my draft"),
    ("language", "Language"),
    ("x", "Quick exit: wipe everything"),
]
log = structlog.get_logger("bot.application")


@dataclass(frozen=True)
class BotSettings:
    """What the Application needs, taken from :class:`intake.config.Config` (or a test)."""

    token: str = field(repr=False)
    base_url: str | None = None  # <root>/bot of a self-hosted Bot API server
    base_file_url: str | None = None  # <root>/file/bot
    max_file_bytes: int = 20 * 1024 * 1024
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    expiry_interval: float = 60.0  # seconds between sweeps of drafts past their TTL
    concurrency: int = 256
    poll_timeout: int = 30  # long polling: seconds Telegram holds getUpdates open


def _private_handlers(h: Handlers) -> list[MessageHandler | CommandHandler | CallbackQueryHandler]:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    new = private & filters.UpdateType.MESSAGE
    files = filters.PHOTO | filters.Document.ALL | filters.VIDEO | filters.VOICE | filters.AUDIO
    files = files | filters.VIDEO_NOTE
    commands = [
        CommandHandler(name, cb, filters=new)
        for name, cb in (
            ("start", h.start),
            ("help", h.help),
            ("cancel", h.cancel),
            ("delete", h.delete),
            ("language", h.language),
            ("x", h.quick_exit),
        )
    ]
    return [
        *commands,
        MessageHandler(new & filters.TEXT & ~filters.COMMAND, h.text),
        MessageHandler(new & files, h.media),
        MessageHandler(new & filters.LOCATION, h.location),
        CallbackQueryHandler(h.press),
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, h.edited),
        MessageHandler(new, h.other),
    ]


def build_application(
    settings: BotSettings, svc: IntakeService, on_error: ErrorHook | None = None
) -> tuple[Application, Flow]:  # type: ignore[type-arg]
    """The configured Application (not started) and its :class:`Flow`."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(Defaults(protect_content=True))
        .concurrent_updates(PerWitnessUpdateProcessor(settings.concurrency))
        .connection_pool_size(settings.concurrency)
        .get_updates_read_timeout(settings.poll_timeout + 10)
        .job_queue(None)
    )
    if settings.base_url and settings.base_file_url:
        builder = builder.base_url(settings.base_url).base_file_url(settings.base_file_url)
    app = builder.build()
    flow = Flow(svc, app.bot, settings.retry, on_error)
    downloader = Downloader(app.bot, settings.retry, settings.max_file_bytes)
    h = Handlers(flow, downloader)

    not_private = ~filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(not_private, h.not_private), group=0)
    app.add_handler(ChatMemberHandler(h.not_private, ChatMemberHandler.MY_CHAT_MEMBER), group=0)
    for handler in _private_handlers(h):
        app.add_handler(handler, group=1)
    app.add_error_handler(h.error)

    sweeper: list[asyncio.Task[None]] = []

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        await downloader.start()
        commands = [BotCommand(name, text) for name, text in COMMANDS]
        with contextlib.suppress(Exception):  # a menu is a nicety; never block start-up on it
            await with_retry(
                lambda: application.bot.set_my_commands(commands),
                settings.retry,
                what="setMyCommands",
            )
        sweeper.append(asyncio.create_task(_sweep(flow, settings.expiry_interval)))

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        for task in sweeper:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await downloader.close()

    app.post_init = post_init
    app.post_shutdown = post_shutdown
    return app, flow


async def _sweep(flow: Flow, interval: float) -> None:
    """Every ``interval`` seconds: destroy expired drafts and wipe their chats."""
    while True:
        try:
            await flow.expire()
        except Exception as exc:  # the sweep must outlive one bad round
            log.error("expiry_sweep_failed", error=type(exc).__name__)
        await asyncio.sleep(interval)


async def start_polling(app: Application, poll_timeout: int = 30) -> None:  # type: ignore[type-arg]
    """Initialise, start, and poll with only :data:`ALLOWED_UPDATES`. Stop with :func:`stop`."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=poll_timeout)


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    """Stop polling and shut down (in-flight updates finish first)."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
