"""Follow-up keys derived in worker threads, never more at once than memory allows.

Each Argon2id derivation holds its whole memory cost (256 MiB in production) for about a second,
and pyca releases the GIL meanwhile: without a bound, a burst of witnesses (or of anyone typing
24 digits) would take the server's memory with it. :class:`Deriver` runs at most ``concurrency``
derivations, each on a thread of its own pool, so peak memory stays at about
``concurrency × memory`` above the process's usual size; the others wait their turn, and
:attr:`Deriver.busy` lets a channel say "one moment" first.

A derivation that has started runs to its end even if its caller stops waiting (cancelled, timed
out): its slot is given back only when the thread is done with the memory, so the bound holds
whatever callers do.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import structlog

from crypto.followup import FollowupKeys, derive_followup_keys
from intake.followup.kdfparams import FollowupParams

log = structlog.get_logger(__name__)

DEFAULT_CONCURRENCY = 2  # 2 × 256 MiB: ≈ 520 MiB at peak on top of the bot


class Deriver:
    """Bounded, asynchronous derivation of follow-up keys (see the module's docstring)."""

    def __init__(self, params: FollowupParams, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        """Derive with ``params``; at most ``concurrency`` at once."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.params = params
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="argon2id")
        self.running = 0  # derivations on a thread now
        self.waiting = 0  # callers waiting for a slot
        self.peak = 0  # the most that ever ran at once (tests check the bound)

    @property
    def busy(self) -> bool:
        """True when a new derivation would have to wait for a slot."""
        return self.running + self.waiting >= self.concurrency

    async def derive(self, code: str) -> FollowupKeys:
        """The keys of ``code`` (its 24 digits); :class:`crypto.followup.FollowupKeyError` if
        they cannot be derived."""
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        loop = asyncio.get_running_loop()
        salt, argon2 = self.params.salt, self.params.argon2
        future = loop.run_in_executor(
            self._pool, derive_followup_keys, code.encode("ascii"), salt, argon2
        )
        future.add_done_callback(self._done)  # the slot is freed when the thread is, not before
        return await asyncio.shield(future)

    def _done(self, _: object) -> None:
        self.running -= 1
        self._slots.release()

    def close(self) -> None:
        """Stop the worker threads once the derivations under way are done."""
        self._pool.shutdown(wait=False, cancel_futures=True)
