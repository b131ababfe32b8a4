"""Prometheus metrics of the bot, in a registry of their own.

Every label value comes from a fixed vocabulary defined here (anything else is counted as
``other``), so no label can ever carry witness data, a Telegram id or free text. Values are counts,
ages and durations only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

UPDATE_KINDS = (
    "message",
    "command",
    "callback_query",
    "media",
    "edited_message",
    "my_chat_member",
    "group",
    "other",
)
TELEGRAM_ERROR_KINDS = (
    "rate_limited",
    "server_error",
    "timeout",
    "network",
    "bad_request",
    "other",
)
# Kinds that mean Telegram is struggling (not that one request was refused on its merits).
TRANSIENT_TELEGRAM_ERRORS = frozenset({"rate_limited", "server_error", "timeout", "network"})
RATE_LIMIT_KINDS = ("messages", "submissions", "other")
QUEUE_STATES = ("queued", "exported")
# From a fast local reply to a slow Bot API round trip with retries.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _known(value: str, vocabulary: tuple[str, ...]) -> str:
    return value if value in vocabulary else "other"


class Metrics:
    """All metrics of one bot process. Create one and hand it to the bot, the store glue and the
    HTTP server (``metrics.registry``). ``clock`` is injectable for tests."""

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self._clock = clock
        r = self.registry
        self.updates = Counter(
            "intake_updates", "Telegram updates handled, by kind.", ["kind"], registry=r
        )
        self.conversations_started = Counter(
            "intake_conversations_started", "Conversations started.", registry=r
        )
        self.conversations_submitted = Counter(
            "intake_conversations_submitted",
            "Conversations that ended in a submission.",
            registry=r,
        )
        self.conversations_cancelled = Counter(
            "intake_conversations_cancelled",
            "Conversations cancelled or wiped by the witness.",
            registry=r,
        )
        self.conversations_expired = Counter(
            "intake_conversations_expired", "Drafts destroyed after the TTL.", registry=r
        )
        self.submissions_sealed = Counter(
            "intake_submissions_sealed", "Submissions sealed to the staff keys.", registry=r
        )
        self.queue_depth = Gauge(
            "intake_queue_depth", "Sealed submissions on disk, by state.", ["state"], registry=r
        )
        self.oldest_unexported_age = Gauge(
            "intake_oldest_unexported_age_seconds",
            "Age of the oldest sealed submission not yet exported (0 when none).",
            registry=r,
        )
        self.handler_latency = Histogram(
            "intake_handler_latency_seconds",
            "Time from receiving an update to the reply being sent.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.telegram_api_errors = Counter(
            "intake_telegram_api_errors", "Failed Bot API calls, by kind.", ["kind"], registry=r
        )
        self.rate_limit_hits = Counter(
            "intake_rate_limit_hits",
            "Witness actions refused by a rate limit.",
            ["kind"],
            registry=r,
        )
        self.open_drafts = Gauge("intake_open_drafts", "Open (unsubmitted) drafts.", registry=r)
        self.disk_free = Gauge(
            "intake_data_disk_free_bytes",
            "Free bytes on the filesystem of the data directory.",
            registry=r,
        )
        self.storage_errors = Counter(
            "intake_storage_errors",
            "Witness actions that could not be saved: the data directory failed a write.",
            registry=r,
        )
        self.up = Gauge("intake_up", "1 while the bot process runs.", registry=r)
        self.telegram_last_ok = Gauge(
            "intake_telegram_last_ok_timestamp_seconds",
            "Unix time of the last successful Bot API call (0 before the first).",
            registry=r,
        )
        for kind in UPDATE_KINDS:
            self.updates.labels(kind=kind)
        for kind in TELEGRAM_ERROR_KINDS:
            self.telegram_api_errors.labels(kind=kind)
        for kind in RATE_LIMIT_KINDS:
            self.rate_limit_hits.labels(kind=kind)
        for state in QUEUE_STATES:
            self.queue_depth.labels(state=state).set(0)
        self.up.set(1)
        # Plain copies for in-process consumers (readiness, alerts), read without the registry.
        self.last_telegram_ok: float | None = None
        self.telegram_errors_count = 0  # transient errors only, see telegram_error()
        self.storage_errors_count = 0
        self.storage_trouble: str | None = None  # the last one: "<path>: <reason>"
        self.trouble = asyncio.Event()  # set on a storage error: alert now, not in a minute

    def update(self, kind: str) -> None:
        """Count one handled update (``kind`` from :data:`UPDATE_KINDS`)."""
        self.updates.labels(kind=_known(kind, UPDATE_KINDS)).inc()

    def telegram_ok(self) -> None:
        """Record a successful Bot API call (feeds readiness and the last-ok gauge)."""
        now = self._clock()
        self.last_telegram_ok = now
        self.telegram_last_ok.set(now)

    def telegram_error(self, kind: str) -> None:
        """Count a failed Bot API call (``kind`` from :data:`TELEGRAM_ERROR_KINDS`). Only
        transient kinds feed the alert on sustained errors: a witness who blocked the bot (403) is
        not an outage."""
        kind = _known(kind, TELEGRAM_ERROR_KINDS)
        if kind in TRANSIENT_TELEGRAM_ERRORS:
            self.telegram_errors_count += 1
        self.telegram_api_errors.labels(kind=kind).inc()

    def storage_failed(self, what: str) -> None:
        """Count a write the data directory refused; ``what`` names the path and the reason
        (never witness data). Wakes the operator alerts."""
        self.storage_errors_count += 1
        self.storage_trouble = what
        self.storage_errors.inc()
        self.trouble.set()

    def rate_limited(self, kind: str) -> None:
        """Count an action refused by a rate limit (``kind`` from :data:`RATE_LIMIT_KINDS`)."""
        self.rate_limit_hits.labels(kind=_known(kind, RATE_LIMIT_KINDS)).inc()

    def set_queue(
        self, *, queued: int, exported: int, oldest_unexported_age: float | None, open_drafts: int
    ) -> None:
        """Refresh the queue gauges from the store's counts (call before each scrape)."""
        self.queue_depth.labels(state="queued").set(queued)
        self.queue_depth.labels(state="exported").set(exported)
        self.oldest_unexported_age.set(oldest_unexported_age or 0.0)
        self.open_drafts.set(open_drafts)

    def set_disk_free(self, free_bytes: int) -> None:
        """Refresh the free-space gauge of the data directory's filesystem."""
        self.disk_free.set(free_bytes)

    def metric_names(self) -> set[str]:
        """Every sample name this registry exposes (``*_total``, ``*_bucket`` … included)."""
        return {s.name for family in self.registry.collect() for s in family.samples}
