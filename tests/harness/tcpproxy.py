"""A TCP proxy that can cut and restore a connection on demand (fault tests).

Why: "the database is unavailable while a claim is submitted" must be a real
network failure seen by SQLAlchemy/psycopg2 in the action server, not a mock. The
action server talks to PostgreSQL through this proxy; ``cut()`` closes the
listener and aborts every open connection, ``restore()`` listens again.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Optional


class TcpProxy:
    """127.0.0.1:<port> → upstream host:port, run on its own event-loop thread."""

    def __init__(self, upstream_host: str, upstream_port: int, port: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: Optional[asyncio.AbstractServer] = None
        self.writers: set[asyncio.StreamWriter] = set()

    def _call(self, coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self.writers -= {writer, up_writer}

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for w in list(self.writers):
            w.transport.abort()
        self.writers.clear()

    def start(self) -> "TcpProxy":
        self.thread.start()
        self._call(self._listen())
        return self

    def cut(self) -> None:
        """The database is gone: refuse new connections, drop open ones."""
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._listen())

    def close(self) -> None:
        try:
            self._call(self._cut())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
