"""Running the real bot (PTB over real HTTP) against the fake Bot API, with a real data dir,
store, questionnaire and recipients. The person in the chat is
:class:`tests.support.witness.ChatWitness`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.actions import Flow
from bot.retry import RetryPolicy
from bot.wiring import BotSettings, build_application, start_polling, stop
from intake.followup.placement import PlacementServer
from intake.followup.session import FollowupSettings
from intake.ops.metrics import Metrics
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import Store
from tests.support.fakebot.inject import FakeBotApi

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
    draft_ttl: float | None = None,
    max_draft_bytes: int | None = None,
    followup: FollowupSettings | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningBot]:
    """Open the store, start the bot polling ``fake``; stop and close on exit."""
    store_kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    if draft_ttl is not None:
        store_kwargs["draft_ttl"] = draft_ttl
    store = await Store.open(data_dir, **store_kwargs)
    svc_kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    if limits is not None:
        svc_kwargs["limits"] = limits
    if max_draft_bytes is not None:
        svc_kwargs["max_draft_bytes"] = max_draft_bytes
    if followup is not None:
        svc_kwargs["followup"] = followup
    svc = IntakeService(store, questionnaire, recipients, **svc_kwargs)
    app, flow = build_application(settings_for(fake, **overrides), svc, metrics=metrics)
    placement = None if svc.followup is None else PlacementServer(data_dir, svc.followup.mailboxes)
    try:
        await svc.recover()
        if placement is not None:  # as `intake run` does: `intake ack` places replies here
            await placement.start()
        await start_polling(app, poll_timeout=overrides.get("poll_timeout", 10))
        yield RunningBot(fake, svc, store, flow, app)
    finally:
        await stop(app)
        if placement is not None:
            await placement.stop()
        if svc.followup is not None:
            svc.followup.close()
        await store.close()
