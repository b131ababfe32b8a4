"""Rate limits in memory: counted per window and kind, forgotten when the window ends."""

from __future__ import annotations

import pytest

from intake.ratelimits import RateLimiter
from tests.support.clock import Clock


def test_counts_per_window_and_kind() -> None:
    clock = Clock(1000.0)
    limiter = RateLimiter({"msg": (2, 60), "day": (5, 86400)}, clock)
    assert [limiter.hit("wk", "msg") for _ in range(3)] == [1, 2, 3]
    assert limiter.hit("other", "msg") == 1
    assert limiter.hit("wk", "day") == 1
    assert not limiter.allow("wk", "msg")
    clock.now += 60
    assert limiter.hit("wk", "msg") == 1  # a new window
    assert limiter.hit("wk", "day") == 2


def test_counters_of_ended_windows_are_dropped() -> None:
    clock = Clock(1000.0)
    limiter = RateLimiter({"msg": (30, 60), "day": (5, 86400)}, clock)
    for witness in range(100):
        limiter.hit(f"w{witness}", "msg")
    limiter.hit("day-witness", "day")
    assert len(limiter) == 101
    clock.now += 60
    limiter.hit("late", "msg")  # counting purges what ended: nothing piles up
    assert len(limiter) == 2  # the day counter and the new one
    clock.now += 86400
    limiter.purge()
    assert len(limiter) == 0


def test_counters_are_keyed_by_a_process_key_not_the_witness_key() -> None:
    limiter = RateLimiter({"msg": (30, 60)}, Clock(0.0))
    limiter.hit("a" * 64, "msg")
    (held,) = limiter._counts
    assert held[0] != bytes.fromhex("a" * 64)
    other = RateLimiter({"msg": (30, 60)}, Clock(0.0))
    other.hit("a" * 64, "msg")
    assert list(other._counts) != list(limiter._counts)  # a fresh key per process


def test_unknown_kind_is_refused() -> None:
    limiter = RateLimiter({"msg": (30, 60)}, Clock(0.0))
    with pytest.raises(ValueError, match="unknown rate-limit kind"):
        limiter.hit("wk", "nope")
