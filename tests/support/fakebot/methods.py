"""Bot API methods of the fake server (``m_<method>``), with Telegram's checks that matter to us:
text ≤ 4096, callback_data ≤ 64 bytes, deleteMessages 1–100 ids, "message is not modified"."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.fakebot.api import BOT_USER, ApiError, FakeBotApiCore, Msg


def _bool(value: object) -> bool:
    return value is True or value == "true" or value == "True"


class FakeBotApiMethods(FakeBotApiCore):
    """The methods; parameters arrive already decoded (see ``fakebot.http.parse_body``)."""

    def message_json(self, msg: Msg) -> dict[str, Any]:
        chat = self.chats[msg.chat_id]
        out: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": self._now(),
            "chat": {"id": msg.chat_id, "type": chat.type, "first_name": "W"}
            if chat.type == "private"
            else {"id": msg.chat_id, "type": chat.type, "title": "T"},
            "from": BOT_USER,
        }
        if msg.text is not None:
            out["text"] = msg.text
        if msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        return out

    def _known_chat(self, p: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        chat = self.chats.get(chat_id)
        if chat is None or chat.left:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return dict(markup)

    @staticmethod
    def _check_text(p: dict[str, Any]) -> str:
        text = str(p.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    async def m_getMe(self, p: dict[str, Any]) -> Any:
        return BOT_USER

    async def m_getUpdates(self, p: dict[str, Any]) -> Any:
        return await self._get_updates(p)

    async def m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = {}
        if _bool(p.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def m_setWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = dict(p)
        return True

    async def m_setMyCommands(self, p: dict[str, Any]) -> Any:
        commands = list(p.get("commands") or [])
        for c in commands:
            if not 1 <= len(c.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: command description must be 1-256 characters")
        if not p.get("language_code"):
            self.commands = commands
        self.profile.setdefault(p.get("language_code") or "", {})["commands"] = commands
        return True

    async def m_setMyDescription(self, p: dict[str, Any]) -> Any:
        text = str(p.get("description") or "")
        if len(text) > 512:
            raise ApiError(400, "Bad Request: description is too long")
        self.profile.setdefault(p.get("language_code") or "", {})["description"] = text
        return True

    async def m_setMyShortDescription(self, p: dict[str, Any]) -> Any:
        text = str(p.get("short_description") or "")
        if len(text) > 120:
            raise ApiError(400, "Bad Request: short description is too long")
        self.profile.setdefault(p.get("language_code") or "", {})["short_description"] = text
        return True

    async def m_getMyCommands(self, p: dict[str, Any]) -> Any:
        return self.commands

    async def m_close(self, p: dict[str, Any]) -> Any:
        return True

    async def m_logOut(self, p: dict[str, Any]) -> Any:
        return True

    async def m_sendChatAction(self, p: dict[str, Any]) -> Any:
        self._known_chat(p)
        return True

    async def m_sendMessage(self, p: dict[str, Any]) -> Any:
        chat = self._known_chat(p)
        msg = Msg(
            chat.new_id(),
            chat.chat_id,
            True,
            self._check_text(p),
            reply_markup=self._check_markup(p.get("reply_markup")),
            protect_content=_bool(p.get("protect_content")),
        )
        chat.messages[msg.message_id] = msg
        chat.bot_events.append(("send", copy.deepcopy(msg)))
        return self.message_json(msg)

    async def m_sendDocument(self, p: dict[str, Any]) -> Any:
        chat = self._known_chat(p)
        msg = Msg(
            chat.new_id(),
            chat.chat_id,
            True,
            None,
            kind="document",
            protect_content=_bool(p.get("protect_content")),
        )
        msg.document = self.uploads.pop("document", b"")
        chat.messages[msg.message_id] = msg
        chat.bot_events.append(("send", copy.deepcopy(msg)))
        return self.message_json(msg)

    def _bot_message(self, p: dict[str, Any]) -> Msg:
        chat = self._known_chat(p)
        msg = chat.messages.get(int(p["message_id"]))
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not msg.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    async def m_editMessageText(self, p: dict[str, Any]) -> Any:
        msg = self._bot_message(p)
        text, markup = self._check_text(p), self._check_markup(p.get("reply_markup"))
        if text == msg.text and markup == msg.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        msg.text, msg.reply_markup, msg.edits = text, markup, msg.edits + 1
        self.chats[msg.chat_id].bot_events.append(("edit", copy.deepcopy(msg)))
        return self.message_json(msg)

    async def m_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        msg = self._bot_message(p)
        markup = self._check_markup(p.get("reply_markup"))
        if markup == msg.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        msg.reply_markup, msg.edits = markup, msg.edits + 1
        return self.message_json(msg)

    async def answer_to(self, query_id: str, wait: float = 30.0) -> dict[str, Any]:
        """Wait for the bot's answerCallbackQuery to ``query_id``; its parameters."""

        def found() -> dict[str, Any] | None:
            return next(
                (a for a in self.callback_answers if a["callback_query_id"] == query_id), None
            )

        answer: dict[str, Any] = await self.wait_for(found, wait)
        return answer

    async def m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        self.callback_answers.append(dict(p))
        return True

    async def m_deleteMessage(self, p: dict[str, Any]) -> Any:
        chat = self._known_chat(p)
        msg = chat.messages.get(int(p["message_id"]))
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        msg.deleted = True
        return True

    async def m_deleteMessages(self, p: dict[str, Any]) -> Any:
        chat = self._known_chat(p)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must contain 1-100 ids")
        if any(int(i) in self.undeletable for i in ids):  # e.g. older than 48 h
            raise ApiError(400, "Bad Request: message can't be deleted for everyone")
        for message_id in ids:  # unknown ids are skipped, as Telegram does
            if (msg := chat.messages.get(int(message_id))) is not None:
                msg.deleted = True
        return True

    async def m_leaveChat(self, p: dict[str, Any]) -> Any:
        chat = self._known_chat(p)
        chat.left = True
        return True

    async def m_getFile(self, p: dict[str, Any]) -> Any:
        file_id = str(p.get("file_id"))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        if len(content) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(content),
            "file_path": path,
        }
