"""A minimal pipelined Redis client for the rate limiter's hot path.

Every request needs exactly one EVALSHA. On one connection, commands are written as they come
and replies are matched in order, so concurrent requests share a socket and a read; each
command costs a few microseconds of CPU. (redis-py's asyncio client measured ~150-250 µs of
CPU per command here, with a connection per concurrent request, and halved through-gateway
throughput.) A command that times out poisons the stream, so the connection is dropped and
every pending command fails at once: callers switch to the local limiter immediately.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from typing import Any
from urllib.parse import unquote, urlsplit


class RedisUnavailable(Exception):
    """Could not connect, timed out, or the connection dropped."""


class RedisReplyError(Exception):
    """Redis answered with an error reply."""


def bulk(value: str) -> bytes:
    data = value.encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


def encode_command(args: tuple[Any, ...]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, str):
            data = arg.encode()
        else:
            data = str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


_INCOMPLETE = object()


def parse_reply(buf: bytes | bytearray, pos: int) -> tuple[Any, int]:
    """One RESP2 reply starting at `pos` → (value, next position), or (_INCOMPLETE, pos)."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return _INCOMPLETE, pos
    kind = buf[pos : pos + 1]
    line = bytes(buf[pos + 1 : end])
    nxt = end + 2
    if kind == b"+":
        return line, nxt
    if kind == b":":
        return int(line), nxt
    if kind == b"-":
        return RedisReplyError(line.decode(errors="replace")), nxt
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, nxt
        if len(buf) < nxt + size + 2:
            return _INCOMPLETE, pos
        return bytes(buf[nxt : nxt + size]), nxt + size + 2
    if kind == b"*":
        count = int(line)
        if count < 0:
            return None, nxt
        items = []
        for _ in range(count):
            item, nxt = parse_reply(buf, nxt)
            if item is _INCOMPLETE:
                return _INCOMPLETE, pos
            items.append(item)
        return items, nxt
    raise RedisUnavailable(f"unexpected reply type {kind!r}")


class _Protocol(asyncio.Protocol):
    def __init__(self, client: RespClient) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.pending: deque[asyncio.Future[Any]] = deque()
        self.closed = False
        self._out: list[bytes] = []

    def write(self, packed: bytes) -> None:
        """Commands issued in one loop iteration leave in one write (one syscall)."""
        if not self._out:
            asyncio.get_running_loop().call_soon(self._flush)
        self._out.append(packed)

    def _flush(self) -> None:
        out, self._out = self._out, []
        if self.transport is not None and not self.closed:
            self.transport.write(out[0] if len(out) == 1 else b"".join(out))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        pos = 0
        try:
            while self.pending:
                value, nxt = parse_reply(buf, pos)
                if value is _INCOMPLETE:
                    break
                pos = nxt
                waiter = self.pending.popleft()
                if not waiter.done():
                    if isinstance(value, RedisReplyError):
                        waiter.set_exception(value)
                    else:
                        waiter.set_result(value)
        except (ValueError, RedisUnavailable) as exc:
            self.abort(RedisUnavailable(f"unreadable reply: {exc}"))
            return
        del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        self.abort(RedisUnavailable(f"connection lost: {exc}" if exc else "connection closed"))

    def expire(self) -> None:
        self.abort(RedisUnavailable("Redis did not answer in time"))

    def abort(self, exc: Exception) -> None:
        """Fail everything in flight and drop the connection (the stream is out of sync)."""
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.close()
            self.client._dropped(self)
        while self.pending:
            waiter = self.pending.popleft()
            if not waiter.done():
                waiter.set_exception(exc)


class RespClient:
    def __init__(self, url: str, *, timeout: float = 0.1) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError(f"unsupported Redis URL scheme in {url!r}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.ssl = ssl.create_default_context() if parts.scheme == "rediss" else None
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        path = parts.path.strip("/")
        self.db = int(path) if path else 0
        self.timeout = timeout
        self._conn: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None

    async def command(self, *args: Any) -> Any:
        return await self.execute(encode_command(args))

    async def execute(self, packed: bytes) -> Any:
        """Send one already-encoded command (see `encode_command`) and wait for its reply."""
        conn = self._conn
        if conn is None or conn.closed:
            conn = await self._connection()
        return await self._send(conn, packed)

    async def _send(self, conn: _Protocol, packed: bytes) -> Any:
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        conn.pending.append(waiter)
        conn.write(packed)
        timer = loop.call_later(self.timeout, conn.expire)
        try:
            return await waiter
        finally:
            timer.cancel()

    async def _connection(self) -> _Protocol:
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
            self._connecting.add_done_callback(self._connected)
        return await asyncio.shield(self._connecting)

    def _connected(self, task: asyncio.Future[_Protocol]) -> None:
        self._connecting = None
        if not task.cancelled() and task.exception() is None:
            self._conn = task.result()

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(lambda: _Protocol(self), self.host, self.port, ssl=self.ssl), self.timeout
            )
        except (OSError, TimeoutError) as exc:
            raise RedisUnavailable(f"cannot connect to {self.host}:{self.port}: {exc or 'timeout'}") from exc
        setup = []
        if self.password is not None:
            setup.append(("AUTH", self.username, self.password) if self.username else ("AUTH", self.password))
        if self.db:
            setup.append(("SELECT", self.db))
        for args in setup:
            await self._send(conn, encode_command(args))
        return conn

    def _dropped(self, conn: _Protocol) -> None:
        if self._conn is conn:
            self._conn = None

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.abort(RedisUnavailable("client closed"))
