"""Operations for ``intake run`` in one object: metrics, the HTTP endpoints, the crash marker, the
alert loop and a Telegram keep-alive probe.

The bot creates one :class:`OpsRuntime`, starts it before polling and stops it last::

    ops = OpsRuntime(config, store)
    await ops.start()                                   # binds INTAKE_HTTP_ADDR, writes the marker
    ops.start_alerts(send)                              # send(text) reaches every operator
    ops.start_telegram_probe(app.bot.get_me)            # keeps readiness honest when idle
    ...
    await ops.stop()                                    # clean shutdown: marker removed

Nothing here imports Telegram; the bot passes plain callables in.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import structlog

from intake.ops import checks
from intake.ops.alerts import Alerter, AlertPolicy, Observation
from intake.ops.http import HealthServer
from intake.ops.metrics import Metrics
from intake.ops.runmarker import RunMarker
from intake.ops.status import OpsStatus, QueueCounts, publish, queue_counts

if TYPE_CHECKING:
    from intake.config import Config
    from intake.store import Store

log = structlog.get_logger(__name__)
Send = Callable[[str], Awaitable[None]]


class OpsRuntime:
    """Metrics, endpoints, crash marker and alerts of one bot process."""

    def __init__(
        self,
        config: Config,
        store: Store,
        metrics: Metrics | None = None,
        *,
        policy: AlertPolicy | None = None,
        clock: Callable[[], float] = time.time,
        alert_interval: float = 60.0,
        probe_interval: float = 30.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.metrics = metrics if metrics is not None else Metrics(clock=clock)
        self.marker = RunMarker(config.data_dir)
        self.alerter = Alerter(policy or AlertPolicy())
        self.alert_interval = alert_interval
        self.probe_interval = probe_interval
        self.crashed = False
        self.started_at = clock()
        self.server = HealthServer(
            (config.http_host, config.http_port),
            [
                checks.telegram_reached(lambda: self.metrics.last_telegram_ok, clock=clock),
                checks.directory_writable(config.data_dir),
                checks.disk_free(config.data_dir),
                checks.recipients_present(config.recipients),
            ],
            self.metrics.registry,
            before_metrics=self._refresh_gauges,
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> bool:
        """Write the crash marker and start the HTTP server; True if the last run crashed."""
        self.crashed = self.marker.start()
        if self.crashed:
            log.warning("restart_after_unclean_shutdown")
        await self.server.start()
        return self.crashed

    async def stop(self) -> None:
        """Stop the loops and the server, then remove the marker (this was a clean shutdown)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.server.stop()
        self.marker.stop()

    async def refresh(self) -> QueueCounts:
        """Read the store's counts and publish them as gauges."""
        counts = await queue_counts(self.store, self.clock())
        publish(self.metrics, counts)
        return counts

    async def _refresh_gauges(self) -> None:
        await self.refresh()

    async def status(self) -> OpsStatus:
        """The snapshot behind ``/health`` and ``/queue``."""
        now = self.clock()
        counts = await self.refresh()
        last_ok = self.metrics.last_telegram_ok
        return OpsStatus(
            now=now,
            ready_reasons=tuple(await self.server.readiness()),
            telegram_last_ok_age=None if last_ok is None else max(0.0, now - last_ok),
            telegram_errors_total=self.metrics.telegram_errors_count,
            uptime=max(0.0, now - self.started_at),
            queue=counts,
        )

    async def alert_round(self) -> list[str]:
        """One evaluation of the alert rules (the loop calls this every ``alert_interval``)."""
        counts = await self.refresh()
        return self.alerter.evaluate(
            Observation(
                now=self.clock(),
                telegram_errors_total=self.metrics.telegram_errors_count,
                unexported=counts.queued,
                oldest_unexported_age=counts.oldest_unexported_age,
                disk_free_bytes=counts.disk_free_bytes,
            )
        )

    def start_alerts(self, send: Send) -> None:
        """Push alerts through ``send`` from now on (first the crash alert, if any)."""
        self._tasks.append(asyncio.create_task(self._alert_loop(send), name="ops-alerts"))

    async def _alert_loop(self, send: Send) -> None:
        pending = self.alerter.crashed() if self.crashed else []
        while True:
            try:
                pending += await self.alert_round()
            except Exception as exc:  # a failed round must not end alerting for good
                log.error("alert_round_failed", error=type(exc).__name__)
            for text in pending:
                try:
                    await send(text)
                except Exception as exc:  # Telegram down: the Prometheus rules cover this case
                    log.warning("operator_alert_not_sent", error=type(exc).__name__)
            pending = []
            await asyncio.sleep(self.alert_interval)

    def start_telegram_probe(self, call: Callable[[], Awaitable[object]]) -> None:
        """Call ``call`` (e.g. ``bot.get_me``) whenever Telegram was quiet for ``probe_interval``:
        in webhook mode nothing else talks to Telegram while no witness writes."""
        self._tasks.append(asyncio.create_task(self._probe_loop(call), name="ops-probe"))

    async def _probe_loop(self, call: Callable[[], Awaitable[object]]) -> None:
        while True:
            last = self.metrics.last_telegram_ok
            if last is None or self.clock() - last >= self.probe_interval:
                try:
                    await call()
                    self.metrics.telegram_ok()
                except (
                    Exception
                ) as exc:  # counted by the bot's observed request; readiness shows it
                    log.info("telegram_probe_failed", error=type(exc).__name__)
            await asyncio.sleep(self.probe_interval)
