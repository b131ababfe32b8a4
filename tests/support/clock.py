"""A settable clock, passed into the store, the service and ops instead of monkeypatching time."""

from __future__ import annotations


class Clock:
    """Returns :attr:`now`; a test moves it by hand ("61 s later") instead of waiting."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
