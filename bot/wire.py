"""One TCP (or TLS) connection of the Bot API client, as an :class:`asyncio.Protocol` whose every
wait has a deadline.

asyncio's streams would do, but they hide two things the client must know before it reuses a
connection: whether any byte arrived while it sat idle (a server that closed it, or sent
something it should not have) and whether bytes are left over after an answer. The buffer is
bounded: while nobody reads, reading is paused once it holds :data:`HIGH_WATER` bytes.
Deadlines are :meth:`asyncio.AbstractEventLoop.time` values (``math.inf``: no deadline).
"""

from __future__ import annotations

import asyncio
import math
import ssl

HIGH_WATER = 256 * 1024


class WireTimeout(Exception):
    """A deadline passed while waiting on the connection (``phase``: connect, write or read)."""

    def __init__(self, phase: str) -> None:
        super().__init__(f"{phase} timed out")
        self.phase = phase


class WireError(Exception):
    """The connection failed or the peer broke the protocol; the message never holds a URL."""


def _expire(fut: asyncio.Future[None], phase: str) -> None:
    if not fut.done():
        fut.set_exception(WireTimeout(phase))


class Wire(asyncio.Protocol):
    """A connection's bytes: :meth:`read_until` and :meth:`read_exactly`."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._buf = bytearray()
        self._eof = False
        self._lost: BaseException | None = None
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._write_paused = False
        self._read_paused = False

    # -- asyncio.Protocol ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if self._waiter is None and len(self._buf) >= HIGH_WATER and not self._read_paused:
            assert self._transport is not None
            self._transport.pause_reading()
            self._read_paused = True
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False  # close the transport: the client never writes after the peer is done

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._lost = exc
        self._wake()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    # -- state --------------------------------------------------------------------------------
    @property
    def idle_clean(self) -> bool:
        """True if nothing arrived since the last answer and the connection is still open: only
        then may it carry another request."""
        transport = self._transport
        return (
            not self._buf and not self._eof and transport is not None and not transport.is_closing()
        )

    @property
    def buffered(self) -> int:
        """Bytes received but not read yet."""
        return len(self._buf)

    def close(self) -> None:
        """Close at once (no TLS close_notify wait: the answer is already read or abandoned)."""
        if self._transport is not None:
            self._transport.abort()

    # -- writing ------------------------------------------------------------------------------
    async def write(self, data: bytes, deadline: float) -> None:
        """Send ``data``; wait (until ``deadline``) while the kernel's buffer is full."""
        transport = self._transport
        if transport is None or transport.is_closing() or self._lost is not None:
            raise WireError("connection closed before the request was sent")
        transport.write(data)
        while self._write_paused and self._lost is None:
            self._drained = self._loop.create_future()
            await self._until(self._drained, deadline, "write")
        if self._lost is not None:
            raise WireError(f"connection lost while sending ({type(self._lost).__name__})")

    # -- reading ------------------------------------------------------------------------------
    async def read_until(self, separator: bytes, limit: int, deadline: float) -> bytes:
        """Bytes up to and including ``separator``; WireError past ``limit`` bytes without it."""
        start = 0
        while True:
            at = self._buf.find(separator, start)
            if at >= 0:
                end = at + len(separator)
                if end > limit:
                    break
                data = bytes(self._buf[:end])
                del self._buf[:end]
                return data
            if len(self._buf) > limit:
                break
            start = max(0, len(self._buf) - len(separator) + 1)
            await self._more(deadline)
        raise WireError(f"the server sent more than {limit} bytes without a line end")

    async def read_exactly(self, n: int, deadline: float) -> bytes:
        """Exactly ``n`` bytes (the caller has bounded ``n``)."""
        while len(self._buf) < n:
            await self._more(deadline)
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    async def _more(self, deadline: float) -> None:
        """Wait for more bytes (or the end); WireError if the connection is already over."""
        if self._eof:
            detail = f" ({type(self._lost).__name__})" if self._lost is not None else ""
            raise WireError(f"the server closed the connection mid-answer{detail}")
        if self._read_paused:
            assert self._transport is not None
            self._transport.resume_reading()
            self._read_paused = False
        self._waiter = self._loop.create_future()
        try:
            await self._until(self._waiter, deadline, "read")
        finally:
            self._waiter = None

    async def _until(self, fut: asyncio.Future[None], deadline: float, phase: str) -> None:
        if deadline == math.inf:
            await fut
            return
        if deadline <= self._loop.time():
            raise WireTimeout(phase)
        timer = self._loop.call_at(deadline, _expire, fut, phase)
        try:
            await fut
        finally:
            timer.cancel()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


async def connect(host: str, port: int, context: ssl.SSLContext | None, deadline: float) -> Wire:
    """Open a connection (TLS with SNI and host name check if ``context``) by ``deadline``."""
    loop = asyncio.get_running_loop()
    timeout = None if deadline == math.inf else max(0.0, deadline - loop.time())
    try:
        async with asyncio.timeout(timeout):
            _transport, wire = await loop.create_connection(
                Wire, host, port, ssl=context, server_hostname=host if context else None
            )
    except TimeoutError:
        raise WireTimeout("connect") from None
    return wire
