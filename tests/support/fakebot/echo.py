"""A minimal python-telegram-bot echo bot: the baseline of the benchmark and a check that the fake
server speaks PTB's dialect. Concurrent updates, no storage — the fastest a PTB bot can answer."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def build_echo(token: str, root: str, concurrency: int = 256, connections: int = 16) -> Application:  # type: ignore[type-arg]
    """An echo bot polling the Bot API server at ``root`` (HTTP pool sized like our bot's)."""
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(root + "/bot")
        .base_file_url(root + "/file/bot")
        .concurrent_updates(concurrency)
        .connection_pool_size(connections)
        .pool_timeout(30.0)
        .job_queue(None)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app
