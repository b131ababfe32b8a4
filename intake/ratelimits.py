"""Rate limits and per-day limits, in memory only, forgotten as soon as their window closes.

Counters are keyed by HMAC-SHA-256 of the witness key under a random key drawn when the process
starts and never written anywhere: nothing on disk counts a witness, and a dump of this process's
memory taken with the server key still needs that process key to test a guess. Each counter is
dropped when its window ends (checked at every count, at most once per shortest window), so
nothing keyed by a witness outlives what it is for. The price, stated in docs/threat-model.md: a
restart forgets every counter — whoever can crash the server can reset the limits.

Windows are fixed (``now // window``), as the store's on-disk counters were.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from crypto import sealbox as recipe


class RateLimiter:
    """Counts events per witness and kind in fixed windows; ``limits`` maps kind → (n, seconds)."""

    def __init__(self, limits: Mapping[str, tuple[int, int]], clock: Callable[[], float]) -> None:
        """Count against ``limits`` by ``clock``."""
        for kind, (count, window) in limits.items():
            if count < 1 or window < 1:
                raise ValueError(f"rate limit {kind!r} needs a count and a window of at least 1")
        self.limits = dict(limits)
        self._clock = clock
        self._key = os.urandom(recipe.KEY_SIZE)  # this process only: never stored
        self._counts: dict[tuple[bytes, str], tuple[int, int]] = {}  # → (window start, count)
        self._next_purge = 0.0

    def __len__(self) -> int:
        """How many counters are held (for tests: they must not pile up)."""
        return len(self._counts)

    def hit(self, witness_key: str, kind: str) -> int:
        """Count one ``kind`` event of the witness; return its count in the current window."""
        if kind not in self.limits:
            raise ValueError(f"unknown rate-limit kind {kind!r} (known: {sorted(self.limits)})")
        now = self._clock()
        if now >= self._next_purge:
            self.purge(now)
        window = self.limits[kind][1]
        start = int(now) // window * window
        slot = (recipe.keyed_tag(self._key, witness_key.encode()), kind)
        held_start, count = self._counts.get(slot, (start, 0))
        count = count + 1 if held_start == start else 1
        self._counts[slot] = (start, count)
        return count

    def allow(self, witness_key: str, kind: str) -> bool:
        """Count one event; False once the witness is over the limit in this window."""
        return self.hit(witness_key, kind) <= self.limits[kind][0]

    def purge(self, now: float | None = None) -> None:
        """Drop every counter whose window has ended."""
        now = self._clock() if now is None else now
        ended = [
            slot
            for slot, (start, _) in self._counts.items()
            if start + self.limits[slot[1]][1] <= now
        ]
        for slot in ended:
            del self._counts[slot]
        self._next_purge = now + min((w for _, w in self.limits.values()), default=60)
