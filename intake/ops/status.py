"""One snapshot of what operators may know: counts, ages, free space, readiness — never content.

The one reader of the queue (:func:`queue_counts`) and the one way of saying it
(:func:`queue_lines`, :func:`age`): ``intake status`` on the server and ``/queue`` in the bot print
the same lines; the same snapshot feeds ``/health``, the queue gauges before each scrape, and the
alert loop. Everything here is a number or a short reason string.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from intake.ops.metrics import Metrics

if TYPE_CHECKING:
    from intake.store import Store


@dataclass(frozen=True)
class QueueCounts:
    """The store's counts at one instant."""

    open_drafts: int
    queued: int
    exported: int
    acknowledged: int
    oldest_unexported_age: float | None
    disk_free_bytes: int | None
    waiting_replies: int = 0  # staff replies waiting for their witness (a count, nothing else)


@dataclass(frozen=True)
class OpsStatus:
    """Everything ``/health`` and ``/queue`` show."""

    now: float
    ready_reasons: tuple[str, ...]
    telegram_last_ok_age: float | None
    telegram_errors_total: int
    uptime: float
    queue: QueueCounts
    warnings: tuple[str, ...] = ()  # what a seized disk would yield beyond the design


async def queue_counts(store: Store, now: float) -> QueueCounts:
    """Counts from the store (reads only; safe while the bot runs)."""
    counts = await store.outbox.counts()
    queued_rows = await store.outbox.rows(("queued",))
    oldest = min((r.created_at for r in queued_rows), default=None)
    try:
        free: int | None = (await asyncio.to_thread(shutil.disk_usage, store.data_dir)).free
    except OSError:
        free = None
    return QueueCounts(
        open_drafts=await store.count_drafts(),
        waiting_replies=await store.count_records("reply"),
        queued=counts.get("queued", 0),
        exported=counts.get("exported", 0),
        acknowledged=counts.get("acknowledged", 0),
        oldest_unexported_age=None if oldest is None else max(0.0, now - oldest),
        disk_free_bytes=free,
    )


def publish(metrics: Metrics, counts: QueueCounts) -> None:
    """Copy the counts into the Prometheus gauges."""
    metrics.set_queue(
        queued=counts.queued,
        exported=counts.exported,
        oldest_unexported_age=counts.oldest_unexported_age,
        open_drafts=counts.open_drafts,
    )
    if counts.disk_free_bytes is not None:
        metrics.set_disk_free(counts.disk_free_bytes)


def health_text(status: OpsStatus, fingerprints: Sequence[str] = ()) -> str:
    """The operator's ``/health`` answer: readiness, Telegram, disk, uptime, and the fingerprints
    of the staff keys submissions are sealed to (public, and a swapped key shows up here)."""
    lines = ["✅ ready" if not status.ready_reasons else "⚠️ not ready"]
    lines += [f"• {reason}" for reason in status.ready_reasons]
    last = status.telegram_last_ok_age
    lines.append("Telegram: not reached yet" if last is None else f"Telegram: OK {age(last)} ago")
    lines.append(f"Telegram timeouts/5xx/429 since start: {status.telegram_errors_total}")
    lines.append(disk_line(status.queue.disk_free_bytes))
    lines.append(f"Up: {age(status.uptime)}")
    lines += [f"⚠️ {warning}" for warning in status.warnings]
    if fingerprints:  # last, where operators compare them with their paper list
        lines.append(f"Sealing to {len(fingerprints)} staff key(s): {', '.join(fingerprints)}")
    return "\n".join(lines)


def queue_text(status: OpsStatus) -> str:
    """The operator's ``/queue`` answer: counts and ages, nothing else."""
    return "\n".join(queue_lines(status.queue))


def queue_lines(q: QueueCounts, *, sealed_at: str | None = None) -> list[str]:
    """The queue as ``/queue`` and ``intake status`` say it; ``sealed_at`` (the oldest waiting
    submission's UTC time) is added where the reader can act on it, on the server."""
    oldest = ""
    if q.oldest_unexported_age is not None:
        when = f", sealed {sealed_at}" if sealed_at else ""
        oldest = f" (oldest {age(q.oldest_unexported_age)}{when})"
    return [
        f"Open drafts: {q.open_drafts}",
        f"Waiting for export: {q.queued}{oldest}",
        f"Exported, waiting for ack: {q.exported}",
        f"Acknowledged: {q.acknowledged}",
        f"Replies waiting for their witness: {q.waiting_replies}",
    ]


def disk_line(free_bytes: int | None) -> str:
    """``Disk free: 12.3 GiB`` (or ``unknown``)."""
    shown = "unknown" if free_bytes is None else f"{free_bytes / 2**30:.1f} GiB"
    return f"Disk free: {shown}"


def age(seconds: float) -> str:
    """A short human age: ``45 s``, ``12 min``, ``3 h 20 min``, ``2 d 4 h``."""
    s = int(max(seconds, 0))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"
