"""The operator's watch over a running bot: queue gauges, status snapshots, alerts, a keep-alive.

``intake run`` owns the HTTP endpoints and the crash marker; a :class:`Monitor` runs beside them::

    monitor = Monitor(store, metrics, checks, crashed=crashed)
    monitor.start(send=alert_operators, probe=bot.get_me)   # two background loops
    snapshot = await monitor.status()                        # for /health and /queue
    await monitor.stop()

``send`` may be None (no operators configured): the gauges are still refreshed. ``probe`` is called
when Telegram was quiet for ``probe_interval`` seconds — in webhook mode nothing else talks to
Telegram while no witness writes, and readiness would otherwise turn red on an idle night.
Nothing here imports Telegram; the bot passes plain callables in.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import structlog

from intake.ops.alerts import Alerter, AlertPolicy, Observation
from intake.ops.http import ReadinessCheck, run_checks
from intake.ops.metrics import Metrics
from intake.ops.status import OpsStatus, QueueCounts, publish, queue_counts

if TYPE_CHECKING:
    from intake.store import Store

log = structlog.get_logger(__name__)
Send = Callable[[str], Awaitable[None]]
Probe = Callable[[], Awaitable[object]]


class Monitor:
    """Status, gauges and alerts of one bot process."""

    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        checks: Sequence[ReadinessCheck],
        *,
        crashed: bool = False,
        policy: AlertPolicy | None = None,
        clock: Callable[[], float] = time.time,
        alert_interval: float = 60.0,
        probe_interval: float = 30.0,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.checks = list(checks)
        self.crashed = crashed
        self.alerter = Alerter(policy or AlertPolicy())
        self.clock = clock
        self.alert_interval = alert_interval
        self.probe_interval = probe_interval
        self.started_at = clock()
        self._tasks: list[asyncio.Task[None]] = []

    async def refresh(self) -> QueueCounts:
        """Read the store's counts and publish them as gauges."""
        counts = await queue_counts(self.store, self.clock())
        publish(self.metrics, counts)
        return counts

    async def readiness(self) -> list[str]:
        """Reasons the bot is not ready (empty: ready), as ``/readyz`` reports them."""
        return await run_checks(self.checks)

    async def status(self) -> OpsStatus:
        """The snapshot behind ``/health`` and ``/queue``."""
        now = self.clock()
        counts = await self.refresh()
        last_ok = self.metrics.last_telegram_ok
        return OpsStatus(
            now=now,
            ready_reasons=tuple(await self.readiness()),
            telegram_last_ok_age=None if last_ok is None else max(0.0, now - last_ok),
            telegram_errors_total=self.metrics.telegram_errors_count,
            uptime=max(0.0, now - self.started_at),
            queue=counts,
            warnings=self.store.warnings,
        )

    async def alert_round(self) -> list[str]:
        """One evaluation of the alert rules (the loop runs it every ``alert_interval``)."""
        counts = await self.refresh()
        return self.alerter.evaluate(
            Observation(
                now=self.clock(),
                telegram_errors_total=self.metrics.telegram_errors_count,
                unexported=counts.queued,
                oldest_unexported_age=counts.oldest_unexported_age,
                disk_free_bytes=counts.disk_free_bytes,
                storage_errors_total=self.metrics.storage_errors_count,
                storage_trouble=self.metrics.storage_trouble,
            )
        )

    def start(self, send: Send | None, probe: Probe | None = None) -> None:
        """Start the alert loop (and the keep-alive probe, if given)."""
        self._tasks.append(asyncio.create_task(self._alert_loop(send), name="ops-alerts"))
        if probe is not None:
            self._tasks.append(asyncio.create_task(self._probe_loop(probe), name="ops-probe"))

    async def stop(self) -> None:
        """Stop the loops."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _alert_loop(self, send: Send | None) -> None:
        pending = self.alerter.crashed() if self.crashed else []
        while True:
            try:
                pending += await self.alert_round()
            except Exception as exc:  # a failed round must not end alerting for good
                log.error("alert_round_failed", error=type(exc).__name__)
            for text in pending:
                await self._deliver(send, text)
            pending = []
            # the next round in alert_interval, or at once when a write of the store failed
            trouble = self.metrics.trouble
            trouble.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.alert_interval):
                    await trouble.wait()

    @staticmethod
    async def _deliver(send: Send | None, text: str) -> None:
        if send is None:
            return
        try:
            await send(text)
        except Exception as exc:  # Telegram down: the Prometheus rules cover this case
            log.warning("operator_alert_not_sent", error=type(exc).__name__)

    async def _probe_loop(self, probe: Probe) -> None:
        while True:
            last = self.metrics.last_telegram_ok
            if last is None or self.clock() - last >= self.probe_interval:
                try:
                    await probe()
                    self.metrics.telegram_ok()
                except Exception as exc:  # the bot's observed request counts it
                    log.info("telegram_probe_failed", error=type(exc).__name__)
            await asyncio.sleep(self.probe_interval)
