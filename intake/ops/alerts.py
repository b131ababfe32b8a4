"""When to push an alert to the operators, and what it says — pure logic, no I/O.

The bot samples an :class:`Observation` every minute or so and sends whatever
:meth:`Alerter.evaluate` returns to each operator. Each alert fires once when its condition starts,
reminds at most every ``repeat_after`` while it lasts, and says "resolved" when it ends. Texts hold
counts, ages and sizes only.

Telegram trouble is reported through Telegram, so it can only arrive while some calls still get
through, or after recovery ("was failing for 12 min, recovered"). A full outage must be caught by
something outside the bot: the Prometheus rules in ``deploy/prometheus/alerts.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.ops.status import age


@dataclass(frozen=True)
class Observation:
    """What the bot sees at one instant. ``telegram_errors_total`` is the cumulative count of
    failed Bot API calls (``Metrics.telegram_errors_count``)."""

    now: float
    telegram_errors_total: int
    unexported: int
    oldest_unexported_age: float | None
    disk_free_bytes: int | None
    storage_errors_total: int = 0  # ``Metrics.storage_errors_count``
    storage_trouble: str | None = None  # the last one: "cannot write to <path>: <reason>"


@dataclass(frozen=True)
class AlertPolicy:
    """Thresholds. Defaults: errors in every sample for 5 min, backlog older than 2 days, less
    than 500 MB free, reminders every 6 h."""

    telegram_errors_for: float = 5 * 60
    backlog_age: float = 2 * 24 * 3600
    min_disk_free_bytes: int = 500 * 1024 * 1024
    repeat_after: float = 6 * 3600


@dataclass
class _Active:
    since: float
    last_sent: float


@dataclass
class Alerter:
    """Turns a stream of observations into alert texts, with de-duplication and cool-down."""

    policy: AlertPolicy = field(default_factory=AlertPolicy)
    _active: dict[str, _Active] = field(default_factory=dict)
    _errors_seen: int | None = None
    _storage_seen: int = 0
    _errors_since: float | None = None
    _outage_start: float = 0.0

    def crashed(self) -> list[str]:
        """The alert for a start after an unclean shutdown (see :class:`RunMarker`)."""
        return [
            "⚠️ witness-intake restarted after an unclean shutdown (crash, kill or power loss). "
            "Open drafts were kept; check the logs around the restart."
        ]

    def evaluate(self, obs: Observation) -> list[str]:
        """Alert texts to push now (often none)."""
        out: list[str] = []
        self._telegram(obs, out)
        backlog = obs.oldest_unexported_age or 0.0
        self._condition(
            "backlog",
            obs.now,
            obs.unexported > 0 and backlog >= self.policy.backlog_age,
            f"📦 {obs.unexported} sealed submission(s) waiting for export; "
            f"the oldest for {age(backlog)}. Run `intake export`.",
            "📦 export backlog cleared",
            out,
        )
        new_storage = obs.storage_errors_total - self._storage_seen
        self._storage_seen = obs.storage_errors_total
        self._condition(
            "storage",
            obs.now,
            new_storage > 0,
            f"💾 {new_storage} witness action(s) could not be saved: {obs.storage_trouble}. "
            "Witnesses are asked to try again later; fix the data directory now.",
            "💾 no witness action failed to save since the last alert round",
            out,
        )
        free = obs.disk_free_bytes
        self._condition(
            "disk",
            obs.now,
            free is not None and free < self.policy.min_disk_free_bytes,
            f"💾 disk almost full: {(free or 0) // 2**20} MB free in the data directory.",
            "💾 disk space back above the threshold",
            out,
        )
        return out

    def _telegram(self, obs: Observation, out: list[str]) -> None:
        new_errors = self._errors_seen is not None and obs.telegram_errors_total > self._errors_seen
        self._errors_seen = obs.telegram_errors_total
        if new_errors:
            if self._errors_since is None:
                self._errors_since = obs.now
        else:
            self._errors_since = None
        failing_for = 0.0
        if self._errors_since is not None:
            self._outage_start = self._errors_since
            failing_for = obs.now - self._errors_since
        self._condition(
            "telegram",
            obs.now,
            self._errors_since is not None and failing_for >= self.policy.telegram_errors_for,
            f"📡 Telegram API calls failing for {age(failing_for)}; "
            "witness replies may be delayed (answers are kept).",
            f"📡 Telegram API calls work again (failed for {age(obs.now - self._outage_start)})",
            out,
        )

    def _condition(
        self, key: str, now: float, on: bool, text: str, resolved: str, out: list[str]
    ) -> None:
        active = self._active.get(key)
        if on and active is None:
            self._active[key] = _Active(since=now, last_sent=now)
            out.append(text)
        elif on and active is not None and now - active.last_sent >= self.policy.repeat_after:
            active.last_sent = now
            out.append(text)
        elif not on and active is not None:
            del self._active[key]
            out.append(resolved)
