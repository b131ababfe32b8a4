"""Webhook mode: only requests carrying the secret token reach the bot."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import httpx

from bot.serve import serve
from bot.webhook import SECRET_HEADER, WebhookServer
from bot.wiring import ALLOWED_UPDATES, build_application, stop
from intake.config import load_config
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import Store
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.harness import settings_for

SECRET = "s3cret-webhook-token-0123456789"


async def test_webhook_checks_the_secret_then_serves_the_update(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    store = await Store.open(tmp_path / "d")
    svc = IntakeService(store, sample, [staff.recipient()])
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
            # the secret first: without it not even which path is the webhook's is told
            assert (await client.post(other, json=update)).status_code == 403
            good = {SECRET_HEADER: SECRET}
            assert (await client.post(other, json=update, headers=good)).status_code == 404
            assert fake.drain_replies(user.id) == []
            assert (await client.post(url, json=update, headers=good)).status_code == 200
            # 200 means applied: the reply is already out; a re-delivery is not applied again
            assert len(fake.drain_replies(user.id)) == 1
            assert (await client.post(url, json=update, headers=good)).status_code == 200
            assert fake.drain_replies(user.id) == []
        prompt = fake.chat(user.id).bot_events[0][1]
        assert "English" in [label.lstrip("✓ ") for label, _ in prompt.buttons]
        assert msg.message_id < prompt.message_id
    finally:
        await server.stop()
        await stop(app)
        await store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_intake_run_in_webhook_mode_registers_and_serves(
    fake: FakeBotApi, tmp_path: Path, staff: Any
) -> None:
    port = _free_port()
    env = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "INTAKE_RECIPIENTS": str(staff.recipient()),
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_HTTP_ADDR": "127.0.0.1:0",
        "INTAKE_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "INTAKE_WEBHOOK_SECRET": SECRET,
        "INTAKE_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    config = load_config(env, is_tty=lambda: False)
    stop_event = asyncio.Event()
    task = asyncio.create_task(serve(config, stop_event=stop_event))
    try:
        await fake.wait_for(lambda: fake.webhook.get("secret_token") == SECRET)
        assert fake.webhook["allowed_updates"] == ALLOWED_UPDATES
        assert not any(name == "getUpdates" for name, _ in fake.calls)  # no polling
        user = fake.user()
        command = [{"type": "bot_command", "offset": 0, "length": 6}]
        _, payload = fake._user_message(user, text="/start", entities=command)
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"http://127.0.0.1:{port}/hook",
                json={"update_id": 1, "message": payload},
                headers={SECRET_HEADER: SECRET},
            )
        assert answer.status_code == 200
        assert (await fake.next_reply(user.id)).buttons
    finally:
        stop_event.set()
        assert await asyncio.wait_for(task, 30) == 0


async def test_idle_connections_cannot_keep_telegram_out(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    """The receiver is capped (64 connections); clients that connect and say nothing give way to
    a new connection instead of keeping Telegram's update out until they time out."""
    from bot.webhook import MAX_CONNECTIONS

    store = await Store.open(tmp_path / "d")
    svc = IntakeService(store, sample, [staff.recipient()])
    app, _ = build_application(settings_for(fake), svc)
    server = WebhookServer(app, "https://bot.example.org/hook", SECRET, "127.0.0.1", 0)
    user = fake.user()
    command = [{"type": "bot_command", "offset": 0, "length": 6}]
    _, payload = fake._user_message(user, text="/start", entities=command)
    idle = []
    try:
        await app.initialize()
        await app.start()
        await server.start()
        for _ in range(MAX_CONNECTIONS):
            idle.append(await asyncio.open_connection("127.0.0.1", server.port))
        url = f"http://127.0.0.1:{server.port}/hook"
        async with httpx.AsyncClient() as client:
            update = {"update_id": 7, "message": payload}
            answer = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
        assert answer.status_code == 200
        assert fake.drain_replies(user.id)  # applied before the 200
    finally:
        for _, writer in idle:
            writer.close()
        await server.stop()
        await stop(app)
        await store.close()
