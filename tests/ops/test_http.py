"""The /healthz /readyz /metrics server: status codes, readiness flips, exposition, odd input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from intake.ops import checks
from intake.ops.http import MAX_REQUEST_HEAD, HealthServer
from intake.ops.metrics import Metrics
from tests.support.clock import Clock


@pytest.fixture
def metrics(clock: Clock) -> Metrics:
    return Metrics(clock=clock)


@pytest.fixture
async def server(metrics: Metrics, clock: Clock, tmp_path: Path) -> AsyncIterator[HealthServer]:
    srv = HealthServer(
        ("127.0.0.1", 0),
        [
            checks.telegram_reached(lambda: metrics.last_telegram_ok, clock=clock),
            checks.directory_writable(tmp_path),
            checks.recipients_present(["age1…"]),
        ],
        metrics.registry,
    )
    await srv.start()
    yield srv
    await srv.stop()


async def _request(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


async def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    return await _request(port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())


async def test_healthz(server: HealthServer) -> None:
    status, headers, body = await _get(server.port, "/healthz")
    assert (status, body) == (200, b"ok\n")
    assert headers["Content-Length"] == "3"
    assert headers["Connection"] == "close"


async def test_readyz_turns_503_and_back(
    server: HealthServer, metrics: Metrics, clock: Clock
) -> None:
    status, _, body = await _get(server.port, "/readyz")
    assert status == 503
    assert json.loads(body) == {"ready": False, "reasons": ["telegram not reached yet"]}
    metrics.telegram_ok()
    status, _, body = await _get(server.port, "/readyz")
    assert (status, json.loads(body)) == (200, {"ready": True})
    clock.now += 61
    status, _, body = await _get(server.port, "/readyz")
    assert status == 503
    assert json.loads(body)["reasons"] == ["telegram not reached for 61 s"]
    metrics.telegram_ok()
    assert (await _get(server.port, "/readyz"))[0] == 200


async def test_every_failing_check_is_listed(tmp_path: Path) -> None:
    async def broken() -> str | None:
        raise RuntimeError("detail that must not leak")

    async def slow() -> str | None:
        await asyncio.Event().wait()
        return None

    srv = HealthServer(
        ("127.0.0.1", 0),
        [
            checks.directory_writable(tmp_path / "missing"),
            checks.disk_free(tmp_path, min_free_bytes=2**62),
            checks.recipients_present([]),
            broken,
            slow,
        ],
        Metrics().registry,
        check_timeout=0.05,
    )
    await srv.start()
    try:
        status, _, body = await _get(srv.port, "/readyz")
    finally:
        await srv.stop()
    assert status == 503
    reasons = json.loads(body)["reasons"]
    assert reasons[0].startswith("data directory not writable")
    assert reasons[1].startswith("disk almost full:")
    assert reasons[2:] == [
        "no valid staff recipient",
        "broken failed (RuntimeError)",
        "slow timed out",
    ]


async def test_metrics_parse(server: HealthServer, metrics: Metrics) -> None:
    metrics.update("message")
    metrics.update("canary-answer text")
    metrics.telegram_error("rate_limited")
    metrics.handler_latency.observe(0.03)
    metrics.set_queue(queued=3, exported=1, oldest_unexported_age=120.0, open_drafts=2)
    status, headers, body = await _get(server.port, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    updates = {
        s.labels["kind"]: s.value
        for s in families["intake_updates"].samples
        if s.name.endswith("_total")
    }
    assert updates["message"] == 1
    assert updates["other"] == 1
    assert "canary" not in body.decode()
    depth = {s.labels["state"]: s.value for s in families["intake_queue_depth"].samples}
    assert depth == {"queued": 3, "exported": 1}
    assert families["intake_oldest_unexported_age_seconds"].samples[0].value == 120
    assert families["intake_up"].samples[0].value == 1


async def test_before_metrics_hook_refreshes_and_failures_do_not_break(metrics: Metrics) -> None:
    calls = 0

    async def refresh() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("db gone")
        metrics.set_queue(queued=calls, exported=0, oldest_unexported_age=None, open_drafts=0)

    srv = HealthServer(("127.0.0.1", 0), [], metrics.registry, before_metrics=refresh)
    await srv.start()
    try:
        assert b'intake_queue_depth{state="queued"} 1.0' in (await _get(srv.port, "/metrics"))[2]
        status, _, body = await _get(srv.port, "/metrics")
        assert status == 200
        assert b'intake_queue_depth{state="queued"} 1.0' in body
        assert (await _get(srv.port, "/readyz"))[0] == 200
    finally:
        await srv.stop()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"POST /metrics HTTP/1.1\r\n\r\n", 405),
        (b"GET /nope HTTP/1.1\r\n\r\n", 404),
        (b"GET /healthz?x=1 HTTP/1.0\r\n\r\n", 200),
        (b"garbage\r\n\r\n", 400),
        (b"GET /healthz HTTP/1.1\r\nX: " + b"a" * MAX_REQUEST_HEAD + b"\r\n\r\n", 431),
    ],
)
async def test_odd_requests(server: HealthServer, raw: bytes, expected: int) -> None:
    assert (await _request(server.port, raw))[0] == expected


async def test_head_has_no_body(server: HealthServer) -> None:
    status, headers, body = await _request(server.port, b"HEAD /healthz HTTP/1.1\r\n\r\n")
    assert (status, headers["Content-Length"], body) == (200, "3", b"")


async def test_incomplete_request_is_closed(server: HealthServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\n")
    writer.write_eof()
    assert (await reader.read()).startswith(b"HTTP/1.1 400 ")
    writer.close()


async def test_bind_failure_names_the_address(server: HealthServer) -> None:
    other = HealthServer(("127.0.0.1", server.port), [], Metrics().registry)
    with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{server.port}"):
        await other.start()


async def test_idle_clients_at_the_cap_cannot_keep_healthz_out(server: HealthServer) -> None:
    """32 clients that connect and say nothing fill every slot; a health check still gets in at
    once (the oldest silent client gives way), not after their read timeout."""
    idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(32)]
    try:
        for _ in range(3):
            status, _, body = await asyncio.wait_for(_get(server.port, "/healthz"), 1.0)
            assert (status, body) == (200, b"ok\n")
    finally:
        for _, writer in idle:
            writer.close()
