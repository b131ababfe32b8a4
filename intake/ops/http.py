"""A tiny HTTP/1.1 server for ``/healthz``, ``/readyz`` and ``/metrics`` on the bot's own loop.

No framework: ``asyncio.start_server``, GET/HEAD only, one request per connection, a bounded
request head, a read timeout and a cap on simultaneous connections — it is meant for a Prometheus
scraper and a container health check on a private address, and must not be a way to stall the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Sequence

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from intake.ops.listener import Listener

log = structlog.get_logger(__name__)

# An async callable: None when ready, or one short reason (counts and ages only) when not.
ReadinessCheck = Callable[[], Awaitable[str | None]]

MAX_REQUEST_HEAD = 8192
READ_TIMEOUT = 5.0
MAX_CONNECTIONS = 32
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


class HealthServer:
    """Serves health, readiness and metrics on ``addr`` (host, port; port 0 picks a free one)."""

    def __init__(
        self,
        addr: tuple[str, int],
        checks: Sequence[ReadinessCheck],
        registry: CollectorRegistry,
        *,
        before_metrics: Callable[[], Awaitable[None]] | None = None,
        check_timeout: float = 2.0,
    ) -> None:
        self.addr = addr
        self.checks = list(checks)
        self.registry = registry
        self.before_metrics = before_metrics
        self.check_timeout = check_timeout
        self._listener = Listener(
            addr, self._handle, limit=MAX_REQUEST_HEAD, event="http_listening"
        )
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)

    @property
    def port(self) -> int:
        """The bound port (useful after binding port 0)."""
        return self._listener.port

    async def start(self) -> None:
        """Bind and start serving; raises OSError naming the address if it cannot bind."""
        await self._listener.start()

    async def stop(self) -> None:
        """Stop accepting connections and close the server."""
        await self._listener.stop()

    async def readiness(self) -> list[str]:
        """Run every check concurrently; return the reasons the bot is not ready (empty: ready)."""
        return await run_checks(self.checks, self.check_timeout)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._slots.locked():
            writer.close()
            return
        async with self._slots:
            try:
                status, ctype, body, head_only = await self._respond(reader)
                _write(writer, status, ctype, b"" if head_only else body, len(body))
                await writer.drain()
            except (ConnectionError, TimeoutError):
                pass
            finally:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()

    async def _respond(self, reader: asyncio.StreamReader) -> tuple[int, str, bytes, bool]:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=READ_TIMEOUT)
        except (asyncio.LimitOverrunError, ValueError):
            return _text(431, "request head too large")
        except asyncio.IncompleteReadError:
            return _text(400, "incomplete request")
        parts = head.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            return _text(400, "bad request line")
        method, target = parts[0], parts[1].split(b"?", 1)[0]
        if method not in (b"GET", b"HEAD"):
            return _text(405, "only GET")
        head_only = method == b"HEAD"
        if target == b"/healthz":
            return _text(200, "ok", head_only)
        if target == b"/readyz":
            reasons = await self.readiness()
            doc = {"ready": True} if not reasons else {"ready": False, "reasons": reasons}
            body = json.dumps(doc).encode() + b"\n"
            return (503 if reasons else 200, "application/json", body, head_only)
        if target == b"/metrics":
            if self.before_metrics is not None:
                try:
                    await asyncio.wait_for(self.before_metrics(), timeout=self.check_timeout)
                except Exception as exc:  # stale gauges are better than no metrics at all
                    log.warning("metrics_refresh_failed", error=type(exc).__name__)
            return (200, CONTENT_TYPE_LATEST, generate_latest(self.registry), head_only)
        return _text(404, "not found", head_only)


async def run_checks(checks: Sequence[ReadinessCheck], check_timeout: float = 2.0) -> list[str]:
    """Run ``checks`` concurrently; the reasons of those that are not fine, in order. A check that
    raises or outlasts ``check_timeout`` is a reason too (named, without its error message)."""
    results = await asyncio.gather(*(_run_check(c, check_timeout) for c in checks))
    return [r for r in results if r]


async def _run_check(check: ReadinessCheck, check_timeout: float) -> str | None:
    name = getattr(check, "__name__", "check")
    try:
        return await asyncio.wait_for(check(), timeout=check_timeout)
    except TimeoutError:
        return f"{name} timed out"
    except Exception as exc:  # a broken check makes the bot unready, it does not crash it
        log.warning("readiness_check_failed", check=name, error=type(exc).__name__)
        return f"{name} failed ({type(exc).__name__})"


def _text(status: int, message: str, head_only: bool = False) -> tuple[int, str, bytes, bool]:
    return status, "text/plain; charset=utf-8", message.encode() + b"\n", head_only


def _write(writer: asyncio.StreamWriter, status: int, ctype: str, body: bytes, length: int) -> None:
    allow = "Allow: GET, HEAD\r\n" if status == 405 else ""
    writer.write(
        (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            f"Content-Type: {ctype}\r\n"
            f"Content-Length: {length}\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            f"{allow}Connection: close\r\n\r\n"
        ).encode()
        + body
    )
