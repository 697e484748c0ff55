"""The proxy's upstream client against small real TCP servers: keep-alive reuse, a pooled
connection the service closed (retried only when idempotent), HEAD, timeouts, connect errors."""

import asyncio

import pytest

from gateway.proxy import Proxy
from gateway.settings import GatewaySettings
from gateway.upstream import StaleConnection, UpstreamConnectError, UpstreamPool, UpstreamTimeout
from shared.embedded import free_port

pytestmark = pytest.mark.anyio

OK = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok"


async def serve(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def head(method: str = "GET") -> bytes:
    return f"{method} /x HTTP/1.1\r\nhost: t\r\ncontent-length: 0\r\n\r\n".encode()


def proxy_for(url: str, **settings) -> Proxy:
    values = {"identity_secret": "s" * 40, "upstream_read_timeout": 0.3, **settings}
    return Proxy(GatewaySettings(**values), {"svc": url})


async def test_connections_are_reused():
    connections = 0

    async def handler(reader, writer):
        nonlocal connections
        connections += 1
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(OK)

    server, url = await serve(handler)
    pool = UpstreamPool(url)
    for _ in range(5):
        conn = await pool.acquire()
        await conn.send(head(), b"", is_head=False, timeout=1)
        assert conn.status == 200 and conn.complete and conn.take() == b"ok"
        pool.release(conn)
    assert connections == 1
    await pool.close()
    server.close()


async def test_a_stale_pooled_connection_is_retried_for_idempotent_requests_only():
    async def handler(reader, writer):  # answers once per connection, then hangs up on the next request
        await read_request(reader)
        writer.write(OK)
        await writer.drain()
        try:
            await read_request(reader)
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    server, url = await serve(handler)
    proxy = proxy_for(url)
    pool = proxy.pools["svc"]
    first = await proxy._exchange(pool, head(), b"", "GET")
    pool.release(first)
    again = await proxy._exchange(pool, head(), b"", "GET")  # stale → retried on a new connection
    assert again.status == 200
    pool.release(again)
    with pytest.raises(StaleConnection):
        await proxy._exchange(pool, head("POST"), b"", "POST")
    await proxy.close()
    server.close()


async def test_head_responses_carry_no_body():
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n")

    server, url = await serve(handler)
    pool = UpstreamPool(url)
    conn = await pool.acquire()
    await conn.send(head("HEAD"), b"", is_head=True, timeout=1)
    assert conn.complete and conn.status == 200 and not conn.keep_alive
    pool.release(conn)
    await pool.close()
    server.close()


async def test_slow_answer_times_out_and_the_connection_is_dropped():
    async def handler(reader, writer):
        await read_request(reader)
        await asyncio.sleep(1)

    server, url = await serve(handler)
    pool = UpstreamPool(url)
    conn = await pool.acquire()
    with pytest.raises(UpstreamTimeout):
        await conn.send(head(), b"", is_head=False, timeout=0.1)
    pool.release(conn)
    assert pool._open == 0
    await pool.close()
    server.close()


async def test_nothing_listening_is_a_connect_error():
    pool = UpstreamPool(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(UpstreamConnectError):
        await pool.acquire()
    assert pool._open == 0


async def test_pool_limit_queues_requests():
    async def handler(reader, writer):
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            await asyncio.sleep(0.02)
            writer.write(OK)

    server, url = await serve(handler)
    pool = UpstreamPool(url, max_connections=2)

    async def call():
        conn = await pool.acquire()
        await conn.send(head(), b"", is_head=False, timeout=2)
        body = conn.take()
        pool.release(conn)
        return body

    assert await asyncio.gather(*(call() for _ in range(10))) == [b"ok"] * 10
    assert pool._open <= 2
    await pool.close()
    server.close()
