# The running part every fake server shares: an aiohttp app on 127.0.0.1, in its own thread.
from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class LoopbackServer:
    """Serves an aiohttp application on a free port of 127.0.0.1 from a background thread, so
    synchronous tests and a server in a subprocess can both talk to it."""

    def __init__(self) -> None:
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def serve(self, app: web.Application, *, ssl_context: ssl.SSLContext | None = None) -> None:
        """Start serving `app` (HTTPS when a context is given)."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.run(self._start(app, ssl_context), timeout=10)

    def run(self, coroutine: Coroutine[Any, Any, T], *, timeout: float = 5) -> T:
        """Run a coroutine on the server's loop (for example, to push on a websocket)."""
        assert self._loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self, app: web.Application, context: ssl.SSLContext | None) -> None:
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context).start()
        self.port = self._runner.addresses[0][1]

    def stop_serving(self) -> None:
        """Stop the server and its thread (idempotent)."""
        if self._loop is None:
            return
        if self._runner is not None:
            self.run(self._runner.cleanup(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop.close()
        self._loop = self._thread = self._runner = None
