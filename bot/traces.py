"""What the bot remembers about a witness's chat, and wiping it from the phone.

The record (chat id, every message id of the conversation — the witness's and the bot's — the
current prompt's ids, the language) is stored only inside the encrypted draft through
``IntakeService.set_channel_data``; in memory it lives in :class:`ChatRecord` for the duration of
an update. :func:`delete_traces` removes the messages with ``deleteMessages`` in batches of ≤ 100
(bots may delete any message of a private chat for 48 h).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from telegram import Bot
from telegram.error import BadRequest, Forbidden

from bot.retry import ErrorHook, GaveUpError, RetryPolicy, with_retry

BATCH = 100  # deleteMessages takes 1–100 ids
MAX_SPAN = 3000  # at most 30 deleteMessages calls to fill the gaps of one conversation
log = structlog.get_logger("bot.traces")


@dataclass
class ChatRecord:
    """The channel data of one draft (serialised with :meth:`to_data`)."""

    chat_id: int | None = None
    message_ids: list[int] = field(default_factory=list)
    prompt_ids: list[int] = field(default_factory=list)  # the messages showing the current prompt
    language: str | None = None
    expects: str = "nothing"
    stage: str | None = None
    question: str | None = None  # the question the current prompt asks (a questionnaire id)
    last_update: int | None = None  # Telegram update id last applied: a replay is skipped

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> ChatRecord:
        """Read the dict the service returned (tolerating missing or odd fields)."""
        data = data or {}

        def ints(value: object) -> list[int]:
            return [int(v) for v in value if isinstance(v, int)] if isinstance(value, list) else []

        chat = data.get("chat")
        return cls(
            chat_id=chat if isinstance(chat, int) else None,
            message_ids=ints(data.get("ids")),
            prompt_ids=ints(data.get("prompt")),
            language=data.get("lang") if isinstance(data.get("lang"), str) else None,
            expects=str(data.get("expects") or "nothing"),
            stage=data.get("stage") if isinstance(data.get("stage"), str) else None,
            question=data.get("q") if isinstance(data.get("q"), str) else None,
            last_update=data.get("upd") if isinstance(data.get("upd"), int) else None,
        )

    def to_data(self) -> dict[str, object]:
        """The dict given to ``set_channel_data`` (encrypted with the draft by the store)."""
        return {
            "chat": self.chat_id,
            "ids": list(self.message_ids),  # copies: the record keeps changing after this
            "prompt": list(self.prompt_ids),
            "lang": self.language,
            "expects": self.expects,
            "stage": self.stage,
            "q": self.question,
            "upd": self.last_update,
        }

    def add(self, ids: Iterable[int]) -> None:
        """Remember more message ids of the conversation (each once)."""
        known = set(self.message_ids)
        for message_id in ids:
            if message_id not in known:
                self.message_ids.append(message_id)
                known.add(message_id)


async def delete_messages(
    bot: Bot,
    chat_id: int,
    message_ids: Iterable[int],
    policy: RetryPolicy,
    on_error: ErrorHook | None = None,
    *,
    failed: list[int] | None = None,
) -> int:
    """Delete ``message_ids`` from ``chat_id`` in batches of ≤ 100; return how many were asked.

    Messages already gone are skipped by Telegram; a batch refused outright (chat gone, bot
    blocked, older than 48 h) is logged by kind and the next batch is still tried. The ids of a
    batch Telegram could not be reached for (the retries gave up) go into ``failed``: unlike a
    refusal, that is worth trying again later.
    """
    ids = sorted(set(message_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]

        async def call(batch: list[int] = batch) -> bool:
            return await bot.delete_messages(chat_id=chat_id, message_ids=batch)

        try:
            await with_retry(call, policy, what="deleteMessages", on_error=on_error)
        except (BadRequest, Forbidden, GaveUpError) as exc:
            log.warning("trace_delete_failed", kind=type(exc).__name__, count=len(batch))
            if isinstance(exc, GaveUpError) and failed is not None:
                failed.extend(batch)
    if ids:
        log.info("traces_deleted", count=len(ids))
    return len(ids)


def span(known: Iterable[int], upto: int | None = None) -> set[int]:
    """``known`` ids plus every id between the first of them and ``upto`` (or the last).

    A bot's private chat numbers its messages one by one, so everything between the
    conversation's first message and its last belongs to the conversation — including messages
    whose ids were never recorded because the bot was killed between replying and recording.
    Without a first id, or over :data:`MAX_SPAN` ids, only ``known`` is returned.
    """
    ids = set(known)
    if not ids:
        return ids
    low, high = min(ids), max(max(ids), upto or 0)
    if high - low <= MAX_SPAN:
        ids.update(range(low, high + 1))
    return ids


async def delete_traces(
    bot: Bot,
    record: ChatRecord,
    policy: RetryPolicy,
    extra: Iterable[int] = (),
    on_error: ErrorHook | None = None,
    *,
    upto: int | None = None,
    failed: list[int] | None = None,
) -> int:
    """Delete every message of the conversation: those ``record`` knows, ``extra`` (e.g. the
    triggering message) and the gaps between them up to ``upto`` (see :func:`span`); ids that
    could not be deleted for want of Telegram go into ``failed``."""
    if record.chat_id is None:
        return 0
    known = {*record.message_ids, *record.prompt_ids, *extra}
    # The known ids first, in batches of their own: they are recent enough to be deletable, and
    # a batch Telegram refuses (a filled-in id older than 48 h) must not take them down with it.
    done = await delete_messages(bot, record.chat_id, known, policy, on_error, failed=failed)
    gaps = span(known, upto) - known
    return done + await delete_messages(bot, record.chat_id, gaps, policy, on_error, failed=failed)
