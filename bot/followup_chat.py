"""The Telegram side of follow-up codes: the code's message goes at once, replies are shown.

A message typed while the bot asks for a follow-up code is deleted before anything else is done
with it — whatever happens next (a wrong code, a crash, Telegram down for the reply), the code
does not stay in the chat. Staff replies are sent with ``protect_content`` (the Application's
defaults: no forwarding, no saving), each under a neutral heading, their files as documents; the
message ids join the conversation's record, so they go with it — on Done, with an addition, or
when the ten-minute reading time of the draft expires.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from telegram import InputFile

from bot.markup import Chunk
from bot.retry import with_retry
from bot.traces import ChatRecord, delete_messages
from intake import i18n
from intake.channel import ShownReply

if TYPE_CHECKING:
    from bot.actions import Flow, Incoming

#: Prompt stages at which a typed message is a secret (the follow-up code): deleted at once.
SECRET_STAGES = frozenset({"followup"})


async def before_code(flow: Flow, inc: Incoming, rec: ChatRecord) -> None:
    """Delete the message that may hold a code now; say "one moment" if derivations queue."""
    if inc.message_id is not None:
        await delete_messages(flow.bot, inc.chat_id, [inc.message_id], flow.policy, flow.on_error)
    desk = flow.svc.followup
    if desk is not None and desk.busy:
        text = i18n.render(flow.ui(rec.language), "followup.wait")
        rec.add(await flow.send(inc.chat_id, [Chunk(text)]))


async def drop_if_secret(flow: Flow, inc: Incoming) -> None:
    """A message the bot does not take (forwarded, edited) while it asks for a code may hold
    the code all the same: it goes at once too."""
    rec = await flow.record(flow.key(inc))
    if rec.stage in SECRET_STAGES and inc.message_id is not None:
        await delete_messages(flow.bot, inc.chat_id, [inc.message_id], flow.policy, flow.on_error)


async def show_replies(
    flow: Flow, chat_id: int, shown: Sequence[ShownReply], language: str | None
) -> list[int]:
    """Send each reply (heading and text, then its files); returns the new message ids."""
    heading = i18n.render(flow.ui(language), "followup.reply_heading")
    ids: list[int] = []
    for reply in shown:
        text = f"{heading}\n\n{reply.text}" if reply.text.strip() else heading
        ids += await flow.send(chat_id, [Chunk(text)])
        for item in reply.files:

            async def call(data: bytes = item.data, name: str = item.filename) -> int:
                sent = await flow.bot.send_document(
                    chat_id, document=InputFile(io.BytesIO(data), filename=name)
                )
                return sent.message_id

            ids.append(
                await with_retry(call, flow.policy, what="sendDocument", on_error=flow.on_error)
            )
    return ids
