"""What a test can make a Telegram user do: every kind of update the bot may receive."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from tests.support.fakebot.api import Msg
from tests.support.fakebot.methods import FakeBotApiMethods

_ids = itertools.count(100001)


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user; their private chat has the same id."""

    id: int
    language_code: str | None = "en"
    first_name: str = "Canaryname"
    username: str | None = "canary_username"

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            out["language_code"] = self.language_code
        if self.username:
            out["username"] = self.username
        return out


class FakeBotApi(FakeBotApiMethods):
    """The fake Bot API server plus helpers to act as users (see the package docstring)."""

    def user(self, language_code: str | None = "en") -> FakeUser:
        return FakeUser(next(_ids), language_code)

    def _user_message(self, user: FakeUser, chat_id: int | None = None, **fields: Any) -> Any:
        chat = self.chat(chat_id if chat_id is not None else user.id)
        kind = next(
            (
                k
                for k in (
                    "text",
                    "photo",
                    "document",
                    "voice",
                    "video",
                    "audio",
                    "video_note",
                    "location",
                    "sticker",
                )
                if k in fields
            ),
            "other",
        )
        msg = Msg(chat.new_id(), chat.chat_id, False, fields.get("text"), kind=kind)
        chat.messages[msg.message_id] = msg
        chat_json = {"id": chat.chat_id, "type": chat.type}
        chat_json.update(
            {"first_name": user.first_name} if chat.type == "private" else {"title": "Some group"}
        )
        payload = {
            "message_id": msg.message_id,
            "date": self._now(),
            "chat": chat_json,
            "from": user.json(),
            **fields,
        }
        return msg, payload

    async def send_text(self, user: FakeUser, text: str, **extra: Any) -> int:
        """The user types ``text`` (commands get their ``bot_command`` entity). Returns msg id."""
        fields: dict[str, Any] = {"text": text, **extra}
        if text.startswith("/"):
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        msg, payload = self._user_message(user, **fields)
        await self.push_update("message", payload)
        return msg.message_id

    async def send_forwarded(self, user: FakeUser, text: str) -> int:
        origin = {"type": "hidden_user", "sender_user_name": "Someone", "date": self._now()}
        return await self.send_text(user, text, forward_origin=origin)

    async def edit_text(self, user: FakeUser, message_id: int, text: str) -> int:
        """The user edits an earlier message (an ``edited_message`` update)."""
        chat = self.chat(user.id)
        chat.messages[message_id].text = text
        payload = {
            "message_id": message_id,
            "date": self._now(),
            "edit_date": self._now(),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.json(),
            "text": text,
        }
        return await self.push_update("edited_message", payload)

    def add_file(self, content: bytes, path: str) -> tuple[str, str]:
        """Make ``content`` downloadable; returns (file_id, file_unique_id)."""
        file_id = f"F{next(_ids)}"
        self.files[file_id] = (path, content)
        return file_id, "u" + file_id

    async def send_media(
        self,
        user: FakeUser,
        kind: str,
        content: bytes,
        *,
        filename: str | None = None,
        mime: str | None = None,
        caption: str | None = None,
    ) -> int:
        """The user sends a photo/document/video/voice/audio/video_note with ``content``."""
        ext = {
            "photo": "jpg",
            "voice": "oga",
            "video": "mp4",
            "video_note": "mp4",
            "audio": "mp3",
        }.get(kind, "bin")
        file_id, unique = self.add_file(content, f"{kind}s/file_{next(_ids)}.{ext}")
        obj: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": len(content),
        }
        if kind == "photo":
            small_id, small_unique = self.add_file(content[:10], f"photos/thumb_{next(_ids)}.jpg")
            small = {
                "file_id": small_id,
                "file_unique_id": small_unique,
                "file_size": 10,
                "width": 90,
                "height": 60,
            }
            media: Any = [small, {**obj, "width": 1280, "height": 853}]
        else:
            media = obj
            if kind in ("video", "video_note", "voice", "audio"):
                obj["duration"] = 3
            if kind in ("video",):
                obj.update(width=640, height=480)
            if kind == "video_note":
                obj["length"] = 240
            if filename:
                obj["file_name"] = filename
            if mime:
                obj["mime_type"] = mime
        fields: dict[str, Any] = {kind: media}
        if caption:
            fields["caption"] = caption
        msg, payload = self._user_message(user, **fields)
        await self.push_update("message", payload)
        return msg.message_id

    async def send_location(self, user: FakeUser, latitude: float, longitude: float) -> int:
        msg, payload = self._user_message(
            user, location={"latitude": latitude, "longitude": longitude}
        )
        await self.push_update("message", payload)
        return msg.message_id

    async def send_sticker(self, user: FakeUser) -> int:
        sticker = {
            "file_id": "S1",
            "file_unique_id": "US1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        msg, payload = self._user_message(user, sticker=sticker)
        await self.push_update("message", payload)
        return msg.message_id

    async def press(self, user: FakeUser, message_id: int, data: str) -> str:
        """The user presses a button carrying ``data`` (may be forged) under ``message_id``."""
        chat = self.chat(user.id)
        query_id = f"Q{next(_ids)}"
        message = chat.messages.get(message_id)
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.json(),
            "chat_instance": "ci",
            "data": data,
        }
        if message is not None and not message.deleted:
            payload["message"] = self.message_json(message)
        await self.push_update("callback_query", payload)
        return query_id

    async def group_message(
        self, user: FakeUser, chat_id: int, text: str, chat_type: str = "group"
    ) -> int:
        self.chat(chat_id).type = chat_type
        msg, payload = self._user_message(user, chat_id=chat_id, text=text)
        await self.push_update("message", payload)
        return msg.message_id

    async def added_to_chat(self, user: FakeUser, chat_id: int, chat_type: str = "group") -> int:
        """The bot is added to a group/channel (a ``my_chat_member`` update)."""
        self.chat(chat_id).type = chat_type
        bot = {"id": 7000001, "is_bot": True, "first_name": "Intake"}
        member = {
            "old_chat_member": {"status": "left", "user": bot},
            "new_chat_member": {"status": "member", "user": bot},
        }
        payload = {
            "chat": {"id": chat_id, "type": chat_type, "title": "T"},
            "from": user.json(),
            "date": self._now(),
            **member,
        }
        return await self.push_update("my_chat_member", payload)

    async def channel_post(self, chat_id: int, text: str) -> int:
        self.chat(chat_id).type = "channel"
        payload = {
            "message_id": self.chat(chat_id).new_id(),
            "date": self._now(),
            "chat": {"id": chat_id, "type": "channel", "title": "C"},
            "text": text,
        }
        return await self.push_update("channel_post", payload, force=True)

    async def inline_query(self, user: FakeUser, query: str) -> int:
        payload = {"id": f"I{next(_ids)}", "from": user.json(), "query": query, "offset": ""}
        return await self.push_update("inline_query", payload, force=True)

    async def raw_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Any update at all (delivered even outside ``allowed_updates``)."""
        return await self.push_update(kind, payload, force=True)
