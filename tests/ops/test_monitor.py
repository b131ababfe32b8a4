"""Monitor on a real store: status counts, gauges, alerts (crash first), failed sends, probe."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from intake.config import Config, load_config
from intake.ops.alerts import AlertPolicy
from intake.ops.checks import standard_checks
from intake.ops.metrics import Metrics
from intake.ops.monitor import Monitor
from intake.ops.status import health_text, queue_text
from intake.store import Store
from tests.support.clock import Clock

CLASSIC = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


NOW = Clock().now  # the conftest ``clock`` starts here


# ``store`` (tests/conftest.py) opens the configured data dir, tmp_path / "data".


@pytest.fixture
def config(tmp_path: Path) -> Config:
    env = {"INTAKE_DATA_DIR": str(tmp_path / "data"), "INTAKE_RECIPIENTS": CLASSIC}
    return load_config(env, require_telegram=False)


def _monitor(config: Config, store: Store, clock: Clock, **kwargs: object) -> Monitor:
    metrics = Metrics(clock=clock)
    return Monitor(
        store,
        metrics,
        standard_checks(config, metrics, clock=clock),
        policy=AlertPolicy(backlog_age=3600, repeat_after=10**9),
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_status_counts_and_texts(config: Config, store: Store, clock: Clock) -> None:
    await store.outbox.add("sub-a", "0" * 64, 100, NOW - 7200)
    await store.outbox.add("sub-b", "1" * 64, 100, NOW - 60)
    monitor = _monitor(config, store, clock)
    snap = await monitor.status()
    assert snap.ready_reasons == ("telegram not reached yet",)
    assert snap.telegram_last_ok_age is None
    assert (snap.queue.queued, snap.queue.exported, snap.queue.open_drafts) == (2, 0, 0)
    assert snap.queue.oldest_unexported_age == 7200
    assert snap.queue.disk_free_bytes
    assert health_text(snap).splitlines()[:3] == [
        "⚠️ not ready",
        "• telegram not reached yet",
        "Telegram: not reached yet",
    ]
    assert queue_text(snap).splitlines()[1] == "Waiting for export: 2 (oldest 2 h 0 min)"
    monitor.metrics.telegram_ok()
    clock.now += 30
    snap = await monitor.status()
    assert snap.ready_reasons == ()
    assert snap.telegram_last_ok_age == 30
    assert snap.uptime == 30
    assert health_text(snap).splitlines()[:2] == ["✅ ready", "Telegram: OK 30 s ago"]
    names = {s.name: s.value for f in monitor.metrics.registry.collect() for s in f.samples}
    assert names["intake_oldest_unexported_age_seconds"] == 7230
    assert names["intake_data_disk_free_bytes"] > 0


async def test_crash_alert_first_then_backlog(config: Config, store: Store, clock: Clock) -> None:
    await store.outbox.add("sub-old", "0" * 64, 100, NOW - 7200)
    monitor = _monitor(config, store, clock, crashed=True, alert_interval=3600)
    sent: list[str] = []
    done = asyncio.Event()

    async def send(text: str) -> None:
        sent.append(text)
        if len(sent) == 2:
            done.set()

    monitor.start(send)
    try:
        await asyncio.wait_for(done.wait(), timeout=5)
    finally:
        await monitor.stop()
    assert "unclean shutdown" in sent[0]
    assert sent[1].startswith("📦 1 sealed submission(s) waiting for export; the oldest for 2 h")


async def test_failed_sends_do_not_stop_alerting(
    config: Config, store: Store, clock: Clock
) -> None:
    monitor = _monitor(config, store, clock, crashed=True)
    attempted = asyncio.Event()

    async def send(text: str) -> None:
        attempted.set()
        raise ConnectionError("telegram down")

    monitor.start(send)
    try:
        await asyncio.wait_for(attempted.wait(), timeout=5)
        assert not monitor._tasks[0].done()
    finally:
        await monitor.stop()


async def test_without_operators_gauges_are_still_refreshed(
    config: Config, store: Store, clock: Clock
) -> None:
    await store.outbox.add("sub-a", "0" * 64, 100, NOW - 10)
    monitor = _monitor(config, store, clock, crashed=True)
    assert await monitor.alert_round() == []
    registry = monitor.metrics.registry
    assert registry.get_sample_value("intake_queue_depth", {"state": "queued"}) == 1


async def test_probe_keeps_readiness_when_idle(config: Config, store: Store, clock: Clock) -> None:
    monitor = _monitor(config, store, clock, probe_interval=3600)
    called = asyncio.Event()

    async def get_me() -> object:
        called.set()
        return object()

    monitor.start(None, probe=get_me)
    try:
        await asyncio.wait_for(called.wait(), timeout=5)
        assert monitor.metrics.last_telegram_ok == NOW
    finally:
        await monitor.stop()
