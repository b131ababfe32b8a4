"""Fault injection for the fake Bot API: 429 with ``retry_after``, 5xx, slow answers, dropped
connections, answers held until the test releases them, answers cut short (``truncate``: the real
answer without its last ``cut`` bytes, then the connection closes; ``framing`` says what the head
claims), answers trickled a byte every ``delay`` seconds (``trickle``) — for N calls or for a time
window, optionally only for some methods."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["429", "502", "500", "slow", "drop", "hold", "truncate", "trickle", "garbage"]
# What the head of a truncated answer says: "declared", the whole body's Content-Length (the cut
# shows); "none", no length at all (only the close ends it); "reframed", the length of what is
# sent (a broken proxy: nothing in HTTP shows the cut).
Framing = Literal["declared", "none", "reframed"]


@dataclass
class Fault:
    """One active fault. ``calls`` counts down; ``until`` is a ``time.monotonic()`` deadline."""

    kind: FaultKind
    calls: int | None = None
    until: float | None = None
    methods: frozenset[str] | None = None
    retry_after: int = 1
    delay: float = 0.0
    gate: asyncio.Event | None = None  # "hold": the call is answered (normally) once it is set
    cut: int = 0  # "truncate": bytes missing at the end of the body
    framing: Framing = "declared"  # "truncate": what the head says about the length
    served: bytes = b""  # "truncate": the whole body of the last answer it cut

    def active(self, now: float) -> bool:
        if self.calls is not None and self.calls <= 0:
            return False
        return self.until is None or now < self.until

    def matches(self, method: str) -> bool:
        return self.methods is None or method in self.methods


class Faults:
    """The list of faults; :meth:`pick` returns the one that applies to a call, if any."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.injected = 0  # how many calls a fault was applied to

    def add(
        self,
        kind: FaultKind,
        *,
        calls: int | None = None,
        seconds: float | None = None,
        methods: set[str] | None = None,
        retry_after: int = 1,
        delay: float = 0.0,
        gate: asyncio.Event | None = None,
        cut: int = 10,
        framing: Framing = "declared",
    ) -> Fault:
        """Add a fault for ``calls`` calls and/or ``seconds`` seconds (neither: until cleared)."""
        until = time.monotonic() + seconds if seconds is not None else None
        fault = Fault(
            kind, calls, until, frozenset(methods) if methods else None, retry_after, delay, gate,
            cut, framing,
        )  # fmt: skip
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def pick(self, method: str) -> Fault | None:
        now = time.monotonic()
        self._faults = [f for f in self._faults if f.active(now)]
        for fault in self._faults:
            if fault.matches(method):
                if fault.calls is not None:
                    fault.calls -= 1
                self.injected += 1
                return fault
        return None
