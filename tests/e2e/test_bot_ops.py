"""Operations with the real bot on the fake Bot API: operator commands for operators only, alerts
pushed to them, /readyz following Telegram down and up, metric values after a conversation."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

import crypto
from bot.operator import register_operator_handlers
from bot.wiring import build_application, start_polling, stop
from intake.config import Config, load_config
from intake.ops.checks import standard_checks
from intake.ops.http import HealthServer
from intake.ops.metrics import Metrics
from intake.ops.monitor import Monitor
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import ChatWitness
from tests.support.clock import Clock
from tests.support.fakebot import FakeBotApi, FakeUser
from tests.support.fakebot.harness import settings_for


@dataclass
class Ops:
    fake: FakeBotApi
    config: Config
    metrics: Metrics
    monitor: Monitor
    health: HealthServer
    store: Store
    operator: FakeUser


@asynccontextmanager
async def ops_bot(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any, *, crashed: bool = False
) -> AsyncIterator[Ops]:
    operator = fake.user()
    config = load_config(
        {
            "INTAKE_DATA_DIR": str(tmp_path / "data"),
            "INTAKE_RECIPIENTS": str(staff.recipient()),
            "INTAKE_OPERATOR_IDS": str(operator.id),
            "INTAKE_HTTP_ADDR": "127.0.0.1:0",
        },
        require_telegram=False,
    )
    clock = Clock()
    metrics = Metrics(clock=clock)
    store = await Store.open(config.data_dir)
    svc = IntakeService(store, sample, list(config.recipients))
    app, _flow = build_application(settings_for(fake), svc, metrics=metrics)
    ready = standard_checks(config, metrics, clock=clock)
    # probe_interval is real time between keep-alive probes; readiness itself uses `clock`.
    monitor = Monitor(store, metrics, ready, crashed=crashed, clock=clock, probe_interval=0.05)
    send = register_operator_handlers(app, config=config, monitor=monitor)
    assert send is not None
    health = HealthServer(
        (config.http_host, config.http_port),
        ready,
        metrics.registry,
        before_metrics=monitor.refresh,
    )
    await health.start()
    try:
        await start_polling(app, poll_timeout=1)
        monitor.start(send, probe=app.bot.get_me)
        yield Ops(fake, config, metrics, monitor, health, store, operator)
    finally:
        await monitor.stop()
        await stop(app)
        await health.stop()
        await store.close()


async def _get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_operator_commands_answer_operators_only(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with ops_bot(fake, tmp_path, sample, staff) as ops:
        op = ChatWitness(fake, ops.operator)
        health = (await op.say("/health")).text or ""
        assert health.splitlines()[0] in ("✅ ready", "⚠️ not ready")
        assert "Telegram: OK" in health
        assert health.splitlines()[-1] == (
            f"Sealing to 1 staff key(s): {crypto.fingerprint(staff.recipient())}"
        )
        queue = (await op.say("/queue")).text or ""
        assert queue.splitlines() == [
            "Open drafts: 0",
            "Waiting for export: 0",
            "Exported, waiting for ack: 0",
            "Acknowledged: 0",
            "Replies waiting for their witness: 0",  # follow-up: a count, nothing else
        ]
        # Anyone else: /health is just an unknown command, word for word.
        stranger = ChatWitness(fake, fake.user())
        unknown = (await stranger.say("/nonsense")).text
        assert (await stranger.say("/health")).text == unknown
        assert (await stranger.say("/queue")).text == unknown
        assert "Open drafts" not in (unknown or "")
        assert "ready" not in (unknown or "")


async def test_crash_alert_is_pushed_to_operators(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with ops_bot(fake, tmp_path, sample, staff, crashed=True) as ops:
        alert = await fake.next_reply(ops.operator.id)
        assert "unclean shutdown" in (alert.text or "")


async def test_readyz_follows_telegram_down_and_up(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with ops_bot(fake, tmp_path, sample, staff) as ops:
        port = ops.health.port
        clock = ops.monitor.clock
        assert isinstance(clock, Clock)
        assert await _get(port, "/readyz") == (200, b'{"ready": true}\n')
        fake_port = int(fake.base_url.rsplit(":", 1)[1])
        await fake.stop()  # Telegram unreachable: nothing can succeed from here on
        clock.now += 61
        status, body = await _get(port, "/readyz")
        assert status == 503
        assert json.loads(body)["reasons"] == ["telegram not reached for 61 s"]
        await fake.start(fake_port)  # back: the keep-alive probe or polling reaches it
        await fake.wait_for(lambda: ops.metrics.last_telegram_ok == clock.now, wait=10)
        assert (await _get(port, "/readyz"))[0] == 200


async def test_metric_values_after_a_conversation(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    async with ops_bot(fake, tmp_path, sample, staff) as ops:
        w = ChatWitness(fake, fake.user())
        await w.say("/start")
        await w.press("English")
        await w.press("agree")
        await w.say("CanaryMetrics-Answer-4417")  # free text where a button is expected
        status, body = await _get(ops.health.port, "/metrics")
        assert b"intake_open_drafts 1.0" in body
        await w.cancel()
        for _ in range(500):  # the closing line comes before the handler ends: poll its count
            status, body = await _get(ops.health.port, "/metrics")
            done = re.search(rb"intake_handler_latency_seconds_count (\d+)", body)
            if done and int(done.group(1)) >= 6:  # /start, English, agree, text, /cancel, yes
                break
            await asyncio.sleep(0.01)
    assert status == 200
    assert b"Canary" not in body
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }
    assert samples[("intake_conversations_started_total", ())] == 1
    assert samples[("intake_conversations_cancelled_total", ())] == 1
    assert samples[("intake_conversations_submitted_total", ())] == 0
    assert samples[("intake_updates_total", (("kind", "command"),))] == 2
    assert samples[("intake_updates_total", (("kind", "callback_query"),))] == 3  # + "yes, delete"
    assert samples[("intake_updates_total", (("kind", "message"),))] == 1
    assert samples[("intake_open_drafts", ())] == 0
    assert samples[("intake_queue_depth", (("state", "queued"),))] == 0
    assert samples[("intake_data_disk_free_bytes", ())] > 0
    assert samples[("intake_handler_latency_seconds_count", ())] >= 5
    assert samples[("intake_telegram_last_ok_timestamp_seconds", ())] > 0


async def test_no_operators_no_commands(
    fake: FakeBotApi, tmp_path: Path, sample: Questionnaire, staff: Any
) -> None:
    config = load_config(
        {"INTAKE_DATA_DIR": str(tmp_path / "d"), "INTAKE_RECIPIENTS": str(staff.recipient())},
        require_telegram=False,
    )
    store = await Store.open(config.data_dir)
    try:
        svc = IntakeService(store, sample, list(config.recipients))
        app, _ = build_application(settings_for(fake), svc)
        before = {group: list(handlers) for group, handlers in app.handlers.items()}
        monitor = Monitor(store, Metrics(), [])
        assert register_operator_handlers(app, config=config, monitor=monitor) is None
        assert app.handlers == before
    finally:
        await store.close()
