"""``/healthz``, ``/readyz`` and ``/metrics`` on the bot's own loop, for a Prometheus scraper and a
container health check on a private address.

GET/HEAD only; request limits, timeouts and the connection cap are the shared
:class:`intake.ops.responder.HttpResponder`'s, so it can never be a way to stall the bot.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from intake.ops.responder import MAX_HEAD, HttpResponder, Request, Response, text

log = structlog.get_logger(__name__)

# An async callable: None when ready, or one short reason (counts and ages only) when not.
ReadinessCheck = Callable[[], Awaitable[str | None]]

MAX_REQUEST_HEAD = MAX_HEAD


class HealthServer(HttpResponder):
    """Serves health, readiness and metrics on ``addr`` (host, port; port 0 picks a free one);
    ``start``, ``stop`` and ``port`` are the responder's."""

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
        super().__init__(addr, self._route, event="http_listening")

    async def readiness(self) -> list[str]:
        """Run every check concurrently; return the reasons the bot is not ready (empty: ready)."""
        return await run_checks(self.checks, self.check_timeout)

    async def _route(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return text(405, "only GET", allow="GET, HEAD")
        if request.path == "/healthz":
            return text(200, "ok")
        if request.path == "/readyz":
            reasons = await self.readiness()
            doc = {"ready": True} if not reasons else {"ready": False, "reasons": reasons}
            body = json.dumps(doc).encode() + b"\n"
            return Response(503 if reasons else 200, body, "application/json")
        if request.path == "/metrics":
            if self.before_metrics is not None:
                try:
                    await asyncio.wait_for(self.before_metrics(), timeout=self.check_timeout)
                except Exception as exc:  # stale gauges are better than no metrics at all
                    log.warning("metrics_refresh_failed", error=type(exc).__name__)
            return Response(200, generate_latest(self.registry), CONTENT_TYPE_LATEST)
        return text(404, "not found")


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
