"""Running the real bot (PTB over real HTTP) against the fake Bot API, with a real data dir,
store, questionnaire and recipients — and a :class:`Witness` that drives it like a person."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.actions import Flow
from bot.retry import RetryPolicy
from bot.wiring import BotSettings, build_application, start_polling, stop
from fakebot.api import Msg
from fakebot.inject import FakeBotApi, FakeUser
from intake.ops.metrics import Metrics
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import Store

# Short backoff so fault tests take seconds; production uses RetryPolicy() defaults.
TEST_RETRY = RetryPolicy(base=0.05, cap=0.5, deadline=60.0)


def settings_for(fake: FakeBotApi, **overrides: Any) -> BotSettings:
    """Bot settings pointing at ``fake`` (as TELEGRAM_API_BASE_URL would)."""
    values: dict[str, Any] = {
        "token": fake.token,
        "base_url": fake.base_url + "/bot",
        "base_file_url": fake.base_url + "/file/bot",
        "retry": TEST_RETRY,
        "expiry_interval": 3600.0,
        "poll_timeout": 10,
    }
    values.update(overrides)
    return BotSettings(**values)


@dataclass
class RunningBot:
    """A started bot and its parts, for assertions."""

    fake: FakeBotApi
    svc: IntakeService
    store: Store
    flow: Flow
    app: Any


@asynccontextmanager
async def running_bot(
    fake: FakeBotApi,
    data_dir: Path,
    questionnaire: Questionnaire,
    recipients: list[Any],
    *,
    clock: Callable[[], float] | None = None,
    limits: dict[str, tuple[int, int]] | None = None,
    metrics: Metrics | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningBot]:
    """Open the store, start the bot polling ``fake``; stop and close on exit."""
    store_kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    store = await Store.open(data_dir, **store_kwargs)
    svc_kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    if limits is not None:
        svc_kwargs["limits"] = limits
    svc = IntakeService(store, questionnaire, recipients, **svc_kwargs)
    app, flow = build_application(settings_for(fake, **overrides), svc, metrics=metrics)
    try:
        await svc.recover()
        await start_polling(app, poll_timeout=overrides.get("poll_timeout", 10))
        yield RunningBot(fake, svc, store, flow, app)
    finally:
        await stop(app)
        await store.close()


@dataclass
class Witness:
    """One simulated person in a private chat with the bot."""

    fake: FakeBotApi
    user: FakeUser
    last: Msg | None = None
    sent: list[int] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def reply(self) -> Msg:
        """The bot's next message (or edit) in this chat; remembered as :attr:`last`."""
        self.last = await self.fake.next_reply(self.chat_id)
        return self.last

    async def say(self, text: str) -> Msg:
        self.sent.append(await self.fake.send_text(self.user, text))
        return await self.reply()

    async def press(self, label: str, on: Msg | None = None) -> Msg:
        """Press the button whose label contains ``label`` on ``on`` (default: the last prompt)."""
        msg = on or self.last
        assert msg is not None, "nothing to press on yet"
        await self.fake.press(self.user, msg.message_id, msg.button(label))
        return await self.reply()

    async def send_file(self, kind: str, content: bytes, **kw: Any) -> Msg:
        self.sent.append(await self.fake.send_media(self.user, kind, content, **kw))
        return await self.reply()

    def visible(self) -> list[Msg]:
        return self.fake.chat(self.chat_id).visible()

    async def wiped(self, keep: Msg | None = None, wait: float = 30.0) -> None:
        """Wait until the chat holds only ``keep`` (or nothing): the traces are deleted."""
        want = [] if keep is None else [keep.message_id]
        await self.fake.wait_for(lambda: [m.message_id for m in self.visible()] == want, wait)
