"""One asyncio TCP listener: what :class:`intake.ops.responder.HttpResponder` serves HTTP on.

Binding failures name the address (an operator's first question), the port is readable after
binding port 0 (tests), and stopping never hangs shutdown on a client that will not go away.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
STOP_TIMEOUT = 2.0


class Listener:
    """Serves ``handler`` on ``addr`` (host, port; port 0 picks a free one)."""

    def __init__(self, addr: tuple[str, int], handler: Handler, *, limit: int, event: str) -> None:
        """``limit`` bounds a request head line; ``event`` is the log event on listening."""
        self.addr = addr
        self._handler = handler
        self._limit = limit
        self._event = event
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError(f"the listener for {self._event} is not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Bind and serve; raises OSError naming the address if it cannot bind."""
        host, port = self.addr
        try:
            self._server = await asyncio.start_server(self._handler, host, port, limit=self._limit)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        log.info(self._event, host=host, port=self.port)

    async def stop(self) -> None:
        """Stop accepting connections; give open ones a moment, then move on."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=STOP_TIMEOUT)
            self._server = None
