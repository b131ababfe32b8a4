"""One short handler per thing a witness can do. Each only parses the update into an
:class:`~intake.channel.Event` (or a wipe) and hands it to :class:`bot.actions.Flow`.

Nothing here reads or logs names, usernames, phone numbers or message text beyond passing the
text to the engine; the Telegram user id only becomes the keyed hash inside ``Flow.key``.
"""

from __future__ import annotations

import contextlib

import structlog
from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import followup_chat
from bot.actions import Flow, Incoming
from bot.markup import CLOSE
from bot.media import Downloader, DownloadError, FileTooBigError, IncomingFile, incoming_file
from bot.retry import GaveUpError
from intake.channel import (
    AttachmentRef,
    Command,
    CommandName,
    FollowUp,
    Location,
    Media,
    Press,
    Reply,
    Start,
    Text,
)
from intake.service import NoRoomError
from intake.store.trouble import storage_trouble

Ctx = ContextTypes.DEFAULT_TYPE
log = structlog.get_logger("bot.handlers")


def incoming(update: Update) -> Incoming | None:
    """Where a private-chat update came from; None for anything without a user and chat, or
    whose chat is not the sender's own private chat (Telegram never sends that; a forged or
    compromised Bot API endpoint could, to act in another witness's conversation)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.id != user.id:
        return None
    message = update.message or update.edited_message
    return Incoming(
        chat_id=chat.id,
        user_id=user.id,
        message_id=message.message_id if message else None,
        callback=update.callback_query,
        language_code=user.language_code,
        update_id=update.update_id,
    )


def well_formed(text: str) -> str:
    """``text`` with any lone UTF-16 surrogate (which JSON allows and UTF-8 cannot hold: the
    store and the sealed document would fail on it) replaced by U+FFFD."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class Handlers:
    """The callbacks registered with the Application (see :mod:`bot.wiring`)."""

    def __init__(self, flow: Flow, downloader: Downloader) -> None:
        self.flow = flow
        self.downloader = downloader

    async def start(self, update: Update, context: Ctx) -> None:
        """/start: open (or resume) the conversation, language preselected from Telegram's."""
        if (inc := incoming(update)) is not None:
            await self.flow.event(inc, Start(language_hint=inc.language_code))

    async def followup(self, update: Update, context: Ctx) -> None:
        """/followup: come back with a follow-up code (asked for next; deleted at once)."""
        if (inc := incoming(update)) is not None:
            await self.flow.event(inc, FollowUp(language_hint=inc.language_code))

    async def _command(self, update: Update, name: CommandName) -> None:
        if (inc := incoming(update)) is not None:
            await self.flow.event(inc, Command(name))

    async def help(self, update: Update, context: Ctx) -> None:
        """/help: the engine's help for where the witness is."""
        await self._command(update, "help")

    async def cancel(self, update: Update, context: Ctx) -> None:
        """/cancel: stop; the engine destroys the draft and the chat is wiped."""
        await self._command(update, "cancel")

    async def back(self, update: Update, context: Ctx) -> None:
        """/back: the previous question."""
        await self._command(update, "back")

    async def skip(self, update: Update, context: Ctx) -> None:
        """/skip: skip the question being asked."""
        await self._command(update, "skip")

    async def language(self, update: Update, context: Ctx) -> None:
        """/language: choose the language again."""
        await self._command(update, "language")

    async def delete(self, update: Update, context: Ctx) -> None:
        """/delete: wipe my open draft and the chat, leaving one neutral line."""
        if (inc := incoming(update)) is not None:
            await self.flow.wipe(inc, quick=False)

    async def quick_exit(self, update: Update, context: Ctx) -> None:
        """/x: wipe everything at once and leave nothing in the chat."""
        if (inc := incoming(update)) is not None:
            await self.flow.wipe(inc, quick=True)

    async def text(self, update: Update, context: Ctx) -> None:
        """Typed text: an answer (forwarded text is someone else's words: not taken)."""
        inc, message = incoming(update), update.message
        if inc is None or message is None or message.text is None:
            return
        if message.forward_origin is not None:
            await followup_chat.drop_if_secret(self.flow, inc)  # it may hold a code
            await self.flow.notice(inc, "telegram.forwarded")
            return
        await self.flow.event(inc, Text(well_formed(message.text), at=message.date.timestamp()))

    async def location(self, update: Update, context: Ctx) -> None:
        """A shared location (the engine rejects it politely where not asked)."""
        inc, message = incoming(update), update.message
        if inc is None or message is None or message.location is None:
            return
        loc = message.location
        await self.flow.event(inc, Location(latitude=loc.latitude, longitude=loc.longitude))

    async def press(self, update: Update, context: Ctx) -> None:
        """A button: its data goes back to the engine verbatim (forged or stale: rejected)."""
        inc, query = incoming(update), update.callback_query
        if inc is None or query is None:
            return
        if not isinstance(query.data, str) or not query.data:
            await self.flow.answer(query, None)  # game/inline-only queries carry no data
            return
        if query.data == CLOSE:  # the OK under the thank-you: there is no draft any more
            await self.flow.close(inc)
            return
        await self.flow.event(inc, Press(query.data))

    async def media(self, update: Update, context: Ctx) -> None:
        """A file for a media question, or sent at a text question (kept with that answer, its
        caption read as the typed answer), streamed from Telegram into the encrypted draft; the
        caption is kept with the file too (the witness's words). Past the question's files or the
        draft's size it is refused before anything is downloaded."""
        inc, message = incoming(update), update.message
        if inc is None or message is None or (item := incoming_file(message)) is None:
            return
        if (admitted := await self.flow.admit(inc)) is None:
            return
        key, rec = admitted
        if self.flow.replayed(inc, rec):
            return
        caption = well_formed(message.caption) if message.caption else None
        language = rec.language or inc.language_code
        if rec.expects not in ("media", "voice"):  # "voice": a text question keeps files too
            await self._refuse(inc, self.flow.texts("telegram.not_now", language), caption)
            return
        svc, limit = self.flow.svc, self.downloader.max_bytes
        room = await svc.room_for_file(key, size=item.size, max_bytes=limit, seq=inc.update_id)
        if isinstance(room, Reply):  # seen before (a re-delivery), or no draft any more
            await self.flow.show(inc, key, rec, room)
        elif room.refusal is not None:
            await self._refuse(inc, room.refusal, caption)
        elif (ref := await self._store(inc, key, item, caption, language)) is not None:
            await self.flow.apply(inc, key, rec, Media(ref, caption=caption))

    async def _store(
        self, inc: Incoming, key: str, item: IncomingFile, caption: str | None, language: str | None
    ) -> AttachmentRef | None:
        """Download ``item`` into the draft; None after telling the witness why not."""
        texts, limit = self.flow.texts, self.downloader.max_bytes
        try:
            url = await self.downloader.url_of(item, self.flow.on_error)
            return await self.flow.svc.add_attachment(
                key, self.downloader.chunks(url), filename=item.filename, mime=item.mime,
                max_bytes=limit, caption=caption,
                received_as=item.kind,  # photo = recompressed by Telegram; document = original
            )  # fmt: skip
        except NoRoomError as exc:  # the announced size was missing or wrong
            refusal = str(exc)
        except FileTooBigError:
            refusal = texts("telegram.file_too_big", language, mb=limit // (1024 * 1024))
        except DownloadError as exc:
            log.warning("media_download_failed", kind=type(exc).__name__, media=item.kind)
            refusal = texts("telegram.file_failed", language)
        await self._refuse(inc, refusal, caption)
        return None

    async def _refuse(self, inc: Incoming, text: str, caption: str | None) -> None:
        """Tell why a file was not kept; a caption sent with it was not kept either: say so."""
        if caption and caption.strip():
            language = (await self.flow.record(self.flow.key(inc))).language or inc.language_code
            text += "\n\n" + self.flow.texts("trouble.caption_not_kept", language)
        await self.flow.tell(inc, text)

    async def edited(self, update: Update, context: Ctx) -> None:
        """An edited message: not used (the answer was already committed as first sent)."""
        if (inc := incoming(update)) is not None:
            await followup_chat.drop_if_secret(self.flow, inc)  # an edited code goes too
            await self.flow.notice(inc, "telegram.edited")

    async def other(self, update: Update, context: Ctx) -> None:
        """Stickers, contacts, polls, unknown commands…: a polite line, nothing stored."""
        if (inc := incoming(update)) is not None and update.message is not None:
            sticker = update.message.sticker is not None
            await self.flow.notice(inc, "telegram.not_now" if sticker else "telegram.unsupported")

    async def not_private(self, update: Update, context: Ctx) -> None:
        """Groups and channels: a polite refusal, then leave. Nothing is read or stored."""
        chat = update.effective_chat
        if chat is None or chat.type == ChatType.PRIVATE:
            return
        member = update.my_chat_member
        if member is not None and member.new_chat_member.status in ("left", "kicked"):
            return  # we were removed: nothing to say, nowhere to say it
        language = update.effective_user.language_code if update.effective_user else None
        with contextlib.suppress(BadRequest, Forbidden):  # channels may not let us post
            refusal = self.flow.texts("telegram.private_only", language)
            await context.bot.send_message(chat.id, refusal)
        with contextlib.suppress(BadRequest, Forbidden):
            await context.bot.leave_chat(chat.id)
        log.info("left_non_private_chat", chat_type=str(chat.type))

    async def error(self, update: object, context: Ctx) -> None:
        """Last resort: log the exception type and update id only — never the update itself.
        When the store could not write, the witness is told to try again later."""
        update_id = update.update_id if isinstance(update, Update) else None
        trouble = storage_trouble(context.error)
        inc = incoming(update) if isinstance(update, Update) else None
        if trouble is not None and inc is not None:
            try:
                await self.flow.trouble(inc, trouble, type(context.error).__name__)
            except (TelegramError, GaveUpError) as exc:
                log.warning("trouble_not_told", error=type(exc).__name__)
            return
        log.error("bot_update_failed", error=type(context.error).__name__, update_id=update_id)
