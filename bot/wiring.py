"""Wiring in one place: the PTB Application, its handlers, and the background expiry sweep.

Updates run concurrently across witnesses and in order per witness (:mod:`bot.dispatch`); no
ConversationHandler, no PTB persistence — the engine and the store are the source of truth. PTB's
own Updater is not used: it confirms updates to Telegram before they are applied; our
:class:`bot.poller.Poller` confirms them after. Every handler is blocking (PTB's default), which is
what makes "the handler returned" mean "applied". Every message goes out with ``protect_content``
(PTB ``Defaults``).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from dataclasses import dataclass, field, replace

import structlog
from telegram import Bot, BotCommand, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.actions import Flow
from bot.dispatch import Dispatcher
from bot.handlers import Handlers
from bot.media import Downloader
from bot.ordering import PerWitnessUpdateProcessor
from bot.poller import Poller
from bot.request import (
    DEFAULT_CONNECTIONS,
    ApiObserver,
    HttpClient,
    ObservedRequest,
    make_request,
)
from bot.retry import ErrorHook, GaveUpError, RetryPolicy, with_retry
from intake.ops.metrics import Metrics
from intake.questionnaire import Questionnaire
from intake.service import IntakeService

# Only what the handlers use: Telegram then never sends the rest (inline queries, polls…).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# The command menu, in this order; each description is `telegram.commands.<name>` in the
# witness's language (setMyCommands with language_code), and /help lists the same commands.
COMMANDS = ("start", "followup", "help", "back", "skip", "language", "cancel", "delete", "x")
MAX_COMMAND_TEXT, MAX_DESCRIPTION, MAX_SHORT = 256, 512, 120  # Bot API limits (characters)
# Longer than PTB's 5 s: a send that times out is retried, and if Telegram had in fact delivered
# it the witness sees it twice. Telegram answers in well under a second when it answers at all.
READ_TIMEOUT = 15.0
# Waiting for a free connection is local queueing, not a Telegram fault: wait rather than fail.
POOL_TIMEOUT = 30.0
HELD_AT_STOP = 3.0  # seconds a stop gives Telegram to delete the messages held for a while
log = structlog.get_logger("bot.wiring")


class _NoObserver:
    def telegram_ok(self) -> None:
        """Nothing to record without metrics."""

    def telegram_error(self, kind: str) -> None:
        """Nothing to record without metrics."""


@dataclass(frozen=True)
class BotSettings:
    """What the Application needs, taken from :class:`intake.config.Config` (or a test)."""

    token: str = field(repr=False)
    base_url: str | None = None  # <root>/bot of a self-hosted Bot API server
    base_file_url: str | None = None  # <root>/file/bot
    max_file_bytes: int = 20 * 1024 * 1024
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    expiry_interval: float = 60.0  # seconds between sweeps of drafts past their TTL
    concurrency: int = 256  # updates processed at once (of different witnesses)
    # HTTP connections to the Bot API; None: the client's own default (bot.request). A button
    # press costs two calls (edit, answer), so at 50 ms per call 16 connections held the bot to
    # ~13 conversations/s at 100 witnesses where 64 reach ~22 (docs/benchmarks.md).
    connections: int | None = None
    poll_timeout: int = 30  # long polling: seconds Telegram holds getUpdates open
    # The Bot API client: "lean" (bot.lean_request, no proxy support) or PTB's httpx one.
    http_client: HttpClient = "lean"
    # On SIGTERM, updates in progress get this long to finish; the rest stay with Telegram and
    # are applied after the restart (systemd waits 90 s before it kills).
    stop_grace: float = 5.0


@dataclass
class _Parts:
    """What :func:`start_polling` and :func:`stop` need besides the Application itself."""

    dispatcher: Dispatcher
    settings: BotSettings
    poller: Poller | None = None


_PARTS: weakref.WeakKeyDictionary[Application, _Parts] = weakref.WeakKeyDictionary()  # type: ignore[type-arg]


def dispatcher_of(app: Application) -> Dispatcher:  # type: ignore[type-arg]
    """The :class:`Dispatcher` every update of ``app`` must go through (polling or webhook)."""
    return _PARTS[app].dispatcher


def _private_handlers(h: Handlers) -> list[MessageHandler | CommandHandler | CallbackQueryHandler]:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    new = private & filters.UpdateType.MESSAGE
    files = filters.PHOTO | filters.Document.ALL | filters.VIDEO | filters.VOICE | filters.AUDIO
    files = files | filters.VIDEO_NOTE
    commands = [
        CommandHandler(name, cb, filters=new)
        for name, cb in (
            ("start", h.start),
            ("followup", h.followup),
            ("help", h.help),
            ("cancel", h.cancel),
            ("delete", h.delete),
            ("language", h.language),
            ("back", h.back),
            ("skip", h.skip),
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


def update_kind(update: object) -> str:
    """The metrics kind of an update (from ``intake.ops.metrics.UPDATE_KINDS``)."""
    if not isinstance(update, Update):
        return "other"
    chat = update.effective_chat
    if update.my_chat_member is not None:
        return "my_chat_member"
    if chat is not None and chat.type != ChatType.PRIVATE:
        return "group"
    if update.callback_query is not None:
        return "callback_query"
    if update.edited_message is not None:
        return "edited_message"
    message = update.message
    if message is None:
        return "other"
    if message.text and message.text.startswith("/"):
        return "command"
    if message.effective_attachment is not None and not message.location:
        return "media"
    return "message"


def build_application(
    settings: BotSettings,
    svc: IntakeService,
    on_error: ErrorHook | None = None,
    metrics: Metrics | None = None,
) -> tuple[Application, Flow]:  # type: ignore[type-arg]
    """The configured Application (not started) and its :class:`Flow`."""
    observer: ApiObserver = metrics if metrics is not None else _NoObserver()
    latency = metrics.handler_latency.observe if metrics is not None else None
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(Defaults(protect_content=True))
        .concurrent_updates(PerWitnessUpdateProcessor(settings.concurrency, latency))
        .request(
            ObservedRequest(
                make_request(
                    settings.http_client,
                    connection_pool_size=settings.connections
                    or DEFAULT_CONNECTIONS[settings.http_client],
                    read_timeout=READ_TIMEOUT,
                    pool_timeout=POOL_TIMEOUT,
                ),
                observer,
            )
        )
        .get_updates_request(
            ObservedRequest(
                make_request(
                    settings.http_client,
                    connection_pool_size=1,
                    read_timeout=settings.poll_timeout + 10,
                ),
                observer,
            )
        )
        .job_queue(None)
        .updater(None)  # see bot.poller: PTB's Updater confirms updates before they are applied
    )
    if settings.base_url and settings.base_file_url:
        builder = builder.base_url(settings.base_url).base_file_url(settings.base_file_url)
    app = builder.build()
    _PARTS[app] = _Parts(Dispatcher(app), settings)
    flow = Flow(svc, app.bot, settings.retry, on_error, metrics)
    downloader = Downloader(
        app.bot, settings.retry, settings.max_file_bytes, local_files=bool(settings.base_url)
    )
    h = Handlers(flow, downloader)
    if metrics is not None:

        async def count(update: Update, context: object) -> None:
            metrics.update(update_kind(update))

        app.add_handler(TypeHandler(Update, count), group=-1)

    not_private = ~filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(not_private, h.not_private), group=0)
    app.add_handler(ChatMemberHandler(h.not_private, ChatMemberHandler.MY_CHAT_MEMBER), group=0)
    for handler in _private_handlers(h):
        app.add_handler(handler, group=1)
    app.add_error_handler(h.error)

    sweeper: list[asyncio.Task[None]] = []

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        await downloader.start()
        with contextlib.suppress(TelegramError, GaveUpError):  # a nicety: never block start-up
            await set_profile(application.bot, svc.questionnaire, settings.retry)
        await flow.take_back()  # what was held before a restart, before any update
        sweeper.append(asyncio.create_task(_sweep(flow, settings.expiry_interval)))

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        for task in sweeper:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await downloader.close()

    async def post_stop(application: Application) -> None:  # type: ignore[type-arg]
        await flow.answers.drain()  # button answers in flight, while the HTTP client is still open
        brief = replace(settings.retry, deadline=min(settings.retry.deadline, HELD_AT_STOP))
        await flow.held.release_all(brief, HELD_AT_STOP)  # no record of them left on the disk

    app.post_init = post_init
    app.post_stop = post_stop
    app.post_shutdown = post_shutdown
    return app, flow


def profile_texts(q: Questionnaire, lang: str) -> tuple[list[BotCommand], str, str]:
    """The command menu, description and short description in ``lang``, within Telegram's
    limits (a questionnaire's ``[ui.<lang>]`` may make them longer)."""
    ui = q.ui[lang]
    commands = [
        BotCommand(name, ui.get(f"telegram.commands.{name}", name)[:MAX_COMMAND_TEXT])
        for name in COMMANDS
    ]
    description = ui.get("telegram.description", "")[:MAX_DESCRIPTION]
    return commands, description, ui.get("telegram.short_description", "")[:MAX_SHORT]


async def set_profile(bot: Bot, q: Questionnaire, policy: RetryPolicy) -> None:
    """The command menu and the bot's description (shown before Start) in every language of the
    questionnaire; users of other languages get the default language's."""
    targets: list[tuple[str, str | None]] = [(q.default_language, None)]
    targets += [(lang, lang) for lang in q.languages]
    for lang, code in targets:
        commands, description, short = profile_texts(q, lang)

        async def call(
            c: list[BotCommand] = commands,
            d: str = description,
            s: str = short,
            code: str | None = code,
        ) -> None:
            await bot.set_my_commands(c, language_code=code)
            await bot.set_my_description(d, language_code=code)
            await bot.set_my_short_description(s, language_code=code)

        await with_retry(call, policy, what="setMyCommands")


async def _sweep(flow: Flow, interval: float) -> None:
    """Every ``interval`` seconds: warn drafts about to expire, destroy expired ones and wipe
    their chats, finish clean-ups left by a crash or an outage, and delete held messages (the
    receipt, lines of chats without a draft) whose time is up."""
    while True:
        try:
            await flow.expire()
        except Exception as exc:  # the sweep must outlive one bad round
            log.error("expiry_sweep_failed", error=type(exc).__name__)
        await asyncio.sleep(interval)


async def start_polling(
    app: Application,  # type: ignore[type-arg]
    poll_timeout: int | None = None,
    *,
    initialized: bool = False,
) -> asyncio.Task[None]:
    """Initialise, start, and long-poll with only :data:`ALLOWED_UPDATES` (stop: :func:`stop`).

    Returns the polling task: it ends only by :func:`stop`, or with ``InvalidToken`` when
    Telegram refuses the token."""
    parts = _PARTS[app]
    if not initialized:
        await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    parts.poller = Poller(
        app,
        parts.dispatcher,
        allowed_updates=ALLOWED_UPDATES,
        poll_timeout=poll_timeout or parts.settings.poll_timeout,
        retry=parts.settings.retry,
    )
    return parts.poller.start()


async def stop(app: Application, grace: float | None = None) -> None:  # type: ignore[type-arg]
    """Stop polling, give updates in progress ``grace`` seconds (default: the settings'), confirm
    what was applied, and shut down."""
    parts = _PARTS.get(app)
    grace = grace if grace is not None else parts.settings.stop_grace if parts else 5.0
    if parts is not None and parts.poller is not None:
        await parts.poller.stop(grace)
        parts.poller = None
    elif parts is not None:
        await parts.dispatcher.drain(grace)  # webhook mode: nothing to confirm
    if app.running:
        await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
