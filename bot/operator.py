"""Operator commands and alerts in the bot: ``/health`` and ``/queue`` (counts and ages only), and
the sender that pushes :class:`intake.ops.monitor.Monitor` alerts to the operators' private chats.

Only the Telegram user ids in ``INTAKE_OPERATOR_IDS`` reach these handlers. For anyone else the
commands do not exist: their ``/health`` falls through to the witness flow exactly like any unknown
command, and the commands are in no menu. Operator ids are never logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

import structlog
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, filters

from crypto import fingerprint
from intake.ops.monitor import Monitor
from intake.ops.status import OpsStatus, health_text, queue_text

if TYPE_CHECKING:
    from intake.config import Config

log = structlog.get_logger("bot.operator")
# After the update counter (group -1) and beside the group-chat refusal (group 0, non-private
# chats only), before the witness flow (group 1), which never sees an operator's command.
OPERATOR_GROUP = 0


def register_operator_handlers(
    application: Application,  # type: ignore[type-arg]
    *,
    config: Config,
    monitor: Monitor,
) -> Callable[[str], Awaitable[None]] | None:
    """Add ``/health`` and ``/queue`` for ``config.operator_ids``, answered from ``monitor``.

    Returns the coroutine function that sends an alert text to every operator (None when there
    are no operators), for ``monitor.start(send, probe=…)``, which the caller runs once the bot
    is started and stops before shutting the bot down."""
    operators = sorted(config.operator_ids)
    if not operators:
        return None
    only_operators = (
        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.User(user_id=operators)
    )
    fingerprints = [fingerprint(r) for r in config.recipients]

    def health(status: OpsStatus) -> str:
        return health_text(status, fingerprints)

    for name, render in (("health", health), ("queue", queue_text)):
        application.add_handler(
            CommandHandler(name, _answer(monitor, render), filters=only_operators),
            group=OPERATOR_GROUP,
        )
    return _alert_sender(application, operators)


def _answer(
    monitor: Monitor, render: Callable[[OpsStatus], str]
) -> Callable[[Update, Any], Coroutine[Any, Any, None]]:
    async def answer(update: Update, context: Any) -> None:
        message = update.effective_message
        if message is not None:
            await message.reply_text(render(await monitor.status()))
        raise ApplicationHandlerStop  # the witness flow never sees an operator's command

    return answer


def _alert_sender(
    application: Application,  # type: ignore[type-arg]
    operators: list[int],
) -> Callable[[str], Awaitable[None]]:
    async def send(text: str) -> None:
        failed = 0
        for chat_id in operators:
            try:
                await application.bot.send_message(chat_id, text)
            except Exception as exc:  # one unreachable operator must not silence the others
                failed += 1
                log.warning("operator_alert_failed", error=type(exc).__name__)
        if failed == len(operators):
            raise ConnectionError("no operator could be alerted")

    return send
