"""Answers to pressed buttons (``answerCallbackQuery``), each in a task of its own.

An answer stops the button's spinner (and may pop up a short notice); it changes nothing in the
chat. Awaiting it inside the witness's lock made their next update wait one more Bot API round
trip (116 ms instead of 56 ms to the next prompt at 50 ms per call, docs/benchmarks.md), so
:class:`bot.actions.Flow` starts it as soon as the chat shows what comes next and moves on. The
answer is best effort: Telegram refuses answers to queries older than about 15 s, a failure only
lets the spinner time out, and at shutdown :meth:`CallbackAnswers.drain` lets those in flight
finish before the HTTP client closes.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import structlog
from telegram import CallbackQuery
from telegram.error import BadRequest, Forbidden

from bot.retry import RetryPolicy, with_retry

# Telegram refuses to answer a callback query older than about 15 s: retrying longer is useless.
ANSWER_DEADLINE = 15.0
DRAIN_TIMEOUT = 5.0  # at shutdown, how long answers still in flight may take
log = structlog.get_logger("bot.answers")


class CallbackAnswers:
    """:meth:`answer` a query now, or :meth:`soon` without waiting; :meth:`drain` at the end."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = replace(policy, deadline=min(policy.deadline, ANSWER_DEADLINE))
        self._tasks: set[asyncio.Task[None]] = set()

    async def answer(self, query: CallbackQuery, text: str | None, *, alert: bool = False) -> None:
        """Stop the button's spinner; a short notice pops up if given (with ``alert``, as an
        alert the witness dismisses). Best effort."""
        short = text[:190] if text else None
        show_alert = alert and short is not None
        with contextlib.suppress(BadRequest, Forbidden):  # an old query cannot be answered
            await with_retry(
                lambda: query.answer(short, show_alert=True) if show_alert else query.answer(short),
                self.policy,
                what="answerCallbackQuery",
            )

    def soon(self, query: CallbackQuery, text: str | None, *, alert: bool = False) -> None:
        """:meth:`answer` in a task of its own; nothing waits for it."""
        task = asyncio.create_task(self.answer(query, text, alert=alert))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.info("callback_answer_failed", error=type(exc).__name__)  # the spinner times out

    @property
    def in_flight(self) -> int:
        """Answers started and not finished."""
        return len(self._tasks)

    async def drain(self) -> None:
        """Let answers in flight finish (at most :data:`DRAIN_TIMEOUT` s; the rest are
        cancelled), before the HTTP client is shut down."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=DRAIN_TIMEOUT)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
