"""Webhook mode: only requests carrying the secret token reach the bot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fakebot import FakeBotApi
from fakebot.harness import settings_for

from bot.application import build_application, stop
from bot.webhook import SECRET_HEADER, WebhookServer
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import Store

pytest_plugins = ["fakebot.fixtures"]
SECRET = "s3cret-webhook-token-0123456789"


async def test_webhook_checks_the_secret_then_serves_the_update(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, identity: Any
) -> None:
    store = await Store.open(tmp_path / "d")
    svc = IntakeService(store, sample, [identity.recipient()])
    app, _ = build_application(settings_for(fake), svc)
    server = WebhookServer(app, "https://bot.example.org/tg/hook", SECRET, "127.0.0.1", 0)
    user = fake.user()
    command = [{"type": "bot_command", "offset": 0, "length": 6}]
    msg, payload = fake._user_message(user, text="/start", entities=command)
    update = {"update_id": 41, "message": payload}
    try:
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        await server.start()
        url = f"http://127.0.0.1:{server.port}/tg/hook"
        async with httpx.AsyncClient() as client:
            assert (await client.post(url, json=update)).status_code == 403
            bad = {SECRET_HEADER: SECRET[:-1] + "X"}
            assert (await client.post(url, json=update, headers=bad)).status_code == 403
            assert (await client.get(url, headers={SECRET_HEADER: SECRET})).status_code == 405
            other = f"http://127.0.0.1:{server.port}/elsewhere"
            assert (await client.post(other, json=update)).status_code == 404
            assert fake.drain_replies(user.id) == []
            good = {SECRET_HEADER: SECRET}
            assert (await client.post(url, json=update, headers=good)).status_code == 200
        prompt = await fake.next_reply(user.id)
        assert "English" in [label.lstrip("✓ ") for label, _ in prompt.buttons]
        assert msg.message_id < prompt.message_id
    finally:
        await server.stop()
        await stop(app)
        await store.close()
