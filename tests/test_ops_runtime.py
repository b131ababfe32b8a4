"""OpsRuntime on a real store: readiness, counts, alerts, crash marker, probe; the httpx hooks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from intake.config import Config, load_config
from intake.ops.alerts import AlertPolicy
from intake.ops.runtime import OpsRuntime
from intake.store import Store

CLASSIC = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config(tmp_path: Path) -> Config:
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_HTTP_ADDR": "127.0.0.1:0",
        "INTAKE_RECIPIENTS": CLASSIC,
    }
    return load_config(env, require_telegram=False)


@pytest.fixture
async def store(config: Config) -> AsyncIterator[Store]:
    s = await Store.open(config.data_dir)
    yield s
    await s.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _runtime(config: Config, store: Store, clock: Clock, **kwargs: object) -> OpsRuntime:
    policy = AlertPolicy(backlog_age=3600, repeat_after=10**9)
    return OpsRuntime(config, store, policy=policy, clock=clock, **kwargs)  # type: ignore[arg-type]


async def _get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_readiness_status_and_clean_stop(config: Config, store: Store, clock: Clock) -> None:
    await store.outbox.add("sub-a", "0" * 64, 100, NOW - 7200)
    await store.outbox.add("sub-b", "1" * 64, 100, NOW - 60)
    ops = _runtime(config, store, clock)
    assert await ops.start() is False
    assert (config.data_dir / "running").exists()
    try:
        port = ops.server.port
        status, body = await _get(port, "/readyz")
        assert status == 503
        assert json.loads(body)["reasons"] == ["telegram not reached yet"]
        ops.metrics.telegram_ok()
        assert (await _get(port, "/readyz"))[0] == 200
        status, body = await _get(port, "/metrics")
        assert b'intake_queue_depth{state="queued"} 2.0' in body
        assert b"intake_oldest_unexported_age_seconds 7200.0" in body
        clock.now += 30
        snap = await ops.status()
        assert snap.ready_reasons == ()
        assert snap.telegram_last_ok_age == 30
        assert snap.uptime == 30
        assert (snap.queue.queued, snap.queue.exported, snap.queue.open_drafts) == (2, 0, 0)
        assert snap.queue.oldest_unexported_age == 7230
        assert snap.queue.disk_free_bytes
    finally:
        await ops.stop()
    assert not (config.data_dir / "running").exists()


async def test_crash_is_detected_and_alerted_first(
    config: Config, store: Store, clock: Clock
) -> None:
    first = _runtime(config, store, clock)
    await first.start()
    await first.server.stop()  # "killed": the marker stays behind
    await store.outbox.add("sub-old", "0" * 64, 100, NOW - 7200)
    ops = _runtime(config, store, clock, alert_interval=3600)
    assert await ops.start() is True
    sent: list[str] = []
    done = asyncio.Event()

    async def send(text: str) -> None:
        sent.append(text)
        if len(sent) == 2:
            done.set()

    ops.start_alerts(send)
    try:
        await asyncio.wait_for(done.wait(), timeout=5)
    finally:
        await ops.stop()
    assert "unclean shutdown" in sent[0]
    assert sent[1].startswith("📦 1 sealed submission(s) waiting for export; the oldest for 2 h")


async def test_failed_sends_do_not_stop_alerting(
    config: Config, store: Store, clock: Clock
) -> None:
    ops = _runtime(config, store, clock)
    await ops.start()
    ops.crashed = True
    attempted = asyncio.Event()

    async def send(text: str) -> None:
        attempted.set()
        raise ConnectionError("telegram down")

    ops.start_alerts(send)
    try:
        await asyncio.wait_for(attempted.wait(), timeout=5)
        assert not ops._tasks[0].done()
    finally:
        await ops.stop()


async def test_probe_keeps_readiness_when_idle(config: Config, store: Store, clock: Clock) -> None:
    ops = _runtime(config, store, clock, probe_interval=3600)
    await ops.start()
    called = asyncio.Event()

    async def get_me() -> object:
        called.set()
        return object()

    ops.start_telegram_probe(get_me)
    try:
        await asyncio.wait_for(called.wait(), timeout=5)
        assert ops.metrics.last_telegram_ok == NOW
    finally:
        await ops.stop()
