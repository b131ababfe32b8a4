"""The fake Telegram Bot API: the methods PTB and our bot call, with per-chat message history.

State lives in plain objects the test can read (``chat(id).visible()``), and every change notifies
one :class:`asyncio.Condition`, so tests await what they expect instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fakebot.faults import Faults
from tests.support.fakebot.http import HttpServer, Request, Response

BOT_ID = 7000001
TEST_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Intake",
    "username": "intake_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class ApiError(Exception):
    """A Bot API error answer (``ok: false``)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class Msg:
    """One message in a chat, as the fake server keeps it."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str | None = None
    kind: str = "text"
    reply_markup: dict[str, Any] | None = None
    protect_content: bool = False
    deleted: bool = False
    edits: int = 0
    document: bytes | None = None  # what a sendDocument uploaded

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def button(self, label_part: str) -> str:
        """callback_data of the first button whose label contains ``label_part``."""
        for label, data in self.buttons:
            if label_part.lower() in label.lower():
                return data
        raise KeyError(f"no button like {label_part!r} in {self.buttons}")


@dataclass
class Chat:
    """A chat: its type, its messages by id, and what the bot did in it, in order."""

    chat_id: int
    type: str = "private"
    messages: dict[int, Msg] = field(default_factory=dict)
    bot_events: list[tuple[str, Msg]] = field(default_factory=list)  # ("send"|"edit", snapshot)
    read: int = 0  # cursor of next_reply()
    next_id: int = 1
    left: bool = False

    def visible(self) -> list[Msg]:
        """Messages not deleted, oldest first."""
        return [m for m in self.messages.values() if not m.deleted]

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class FakeBotApiCore:
    """Bot API handlers and shared state; :class:`~tests.support.fakebot.FakeBotApi` adds the
    injection of user actions."""

    def __init__(self, token: str = TEST_TOKEN) -> None:
        self.token = token
        self.latency = 0.0
        self.faults = Faults()
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: list[Any] = []
        # language_code ("" = default) -> commands / description / short_description, as set
        self.profile: dict[str, dict[str, Any]] = {}
        self.allowed_updates: list[str] | None = None
        self.webhook: dict[str, Any] = {}
        self.undeletable: set[int] = set()  # message ids deleteMessages refuses (too old)
        self.blocked: set[int] = set()  # chats whose user blocked the bot: 403 to every call
        self.delivered: dict[int, int] = {}  # update id -> how many getUpdates answers held it
        self.uploads: dict[str, bytes] = {}  # the files of the call being handled
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._changed = asyncio.Condition()
        self._http = HttpServer(self._handle)

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        await self._http.start(port)

    async def stop(self) -> None:
        await self._http.stop()

    @property
    def base_url(self) -> str:
        """What ``TELEGRAM_API_BASE_URL`` must be to reach this server."""
        return f"http://127.0.0.1:{self._http.port}"

    # -- waiting -----------------------------------------------------------------------------
    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], wait: float = 30.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked after every change); return it."""
        async with asyncio.timeout(wait), self._changed:
            while not (result := predicate()):
                await self._changed.wait()
            return result

    def chat(self, chat_id: int) -> Chat:
        return self.chats.setdefault(chat_id, Chat(chat_id))

    async def next_reply(self, chat_id: int, wait: float = 30.0) -> Msg:
        """The next message the bot sent or edited in ``chat_id`` (a snapshot), in order."""
        chat = self.chat(chat_id)
        await self.wait_for(lambda: len(chat.bot_events) > chat.read, wait)
        chat.read += 1
        return chat.bot_events[chat.read - 1][1]

    def drain_replies(self, chat_id: int) -> list[Msg]:
        """Every bot message not yet read with :meth:`next_reply`, without waiting."""
        chat = self.chat(chat_id)
        out = [m for _, m in chat.bot_events[chat.read :]]
        chat.read = len(chat.bot_events)
        return out

    # -- updates -----------------------------------------------------------------------------
    async def push_update(self, kind: str, payload: dict[str, Any], *, force: bool = False) -> int:
        """Queue an update for getUpdates. Like Telegram, types outside ``allowed_updates`` are
        not delivered unless ``force``. Returns the update id."""
        update_id = self._next_update
        self._next_update += 1
        if (
            force
            or self.allowed_updates is None
            or kind in self.allowed_updates
            or not self.allowed_updates
        ):
            self._updates.append({"update_id": update_id, kind: payload})
        await self._notify()
        return update_id

    @property
    def last_update_id(self) -> int:
        """The id of the update queued last."""
        return self._next_update - 1

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def _get_updates(self, p: dict[str, Any]) -> Any:
        offset = int(p.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if "allowed_updates" in p:
            self.allowed_updates = list(p["allowed_updates"] or [])
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        if not self._updates and timeout > 0:
            try:
                await self.wait_for(lambda: self._updates, timeout)
            except TimeoutError:
                return []
        batch = self._updates[:limit]
        for update in batch:
            self.delivered[update["update_id"]] = self.delivered.get(update["update_id"], 0) + 1
        return batch  # serialised to JSON at once: nothing can change it afterwards

    # -- HTTP dispatch -----------------------------------------------------------------------
    async def _handle(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if parts[0] == "file" and len(parts) >= 3:
            return await self._download(parts[1], "/".join(parts[2:]))
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return Response.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        token, method = parts[0][3:], parts[1]
        if token != self.token:
            return Response.json(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        if self.latency:
            await asyncio.sleep(self.latency)  # simulated network round trip, not synchronisation
        fault = self.faults.pick(method)
        if fault is not None:
            await self._notify()  # a test may wait for faults to be hit (faults.injected)
            faulted = await self._apply_fault(fault)
            if faulted is not None:
                return faulted
        self.calls.append((method, request.form))
        await self._notify()  # a test may wait for a call to start (e.g. a long poll)
        impl = getattr(self, f"m_{method}", None)
        if impl is None:
            return Response.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        self.uploads = dict(request.files)  # files of this call (sendDocument)
        try:
            result = await impl(request.form)
        except ApiError as err:
            body = {"ok": False, "error_code": err.code, "description": err.description}
            return Response.json(body, err.code)
        await self._notify()
        response = Response.json({"ok": True, "result": result})
        if (
            fault is not None
            and fault.kind == "truncate"
            and result == []
            and fault.calls is not None
        ):
            fault.calls += 1  # an empty poll carries nothing worth cutting: the next one is cut
        elif fault is not None and fault.kind == "truncate":  # the real answer, cut short
            response.cut, response.framing = min(fault.cut, len(response.body)), fault.framing
            fault.served = response.body
        return response

    async def _apply_fault(self, fault: Any) -> Response | None:
        if fault.kind in ("truncate", "trickle"):
            return None  # applied to the real answer once it is made
        if fault.kind == "429":
            body = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {fault.retry_after}",
                "parameters": {"retry_after": fault.retry_after},
            }
            return Response.json(body, 429)
        if fault.kind in ("502", "500"):
            code = int(fault.kind)
            return Response.json(
                {"ok": False, "error_code": code, "description": "Bad Gateway"}, code
            )
        if fault.kind == "drop":
            return Response(drop=True)
        if fault.kind == "hold" and fault.gate is not None:
            await fault.gate.wait()  # released by the test
            return None
        if fault.kind == "garbage":  # e.g. a captive portal or a broken proxy answering instead
            page = b"<html>CanaryProxyPage: sign in to continue</html>"
            return Response(body=page, content_type="text/html")
        await asyncio.sleep(fault.delay)  # "slow": the answer comes late, then normally
        return None

    async def _download(self, token_part: str, path: str) -> Response:
        if token_part != f"bot{self.token}":
            return Response(status=401, body=b"Unauthorized")
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self.faults.pick("download")
        if fault is not None and (faulted := await self._apply_fault(fault)) is not None:
            return faulted
        for file_path, content in self.files.values():
            if file_path == path:
                response = Response(body=content, content_type="application/octet-stream")
                if fault is not None and fault.kind == "trickle":
                    response.trickle = fault.delay
                return response
        return Response(status=404, body=b"Not Found")

    def _now(self) -> int:
        return int(time.time())
