"""The proxy's aiohttp client against small real TCP servers, driven through the proxy's ASGI
interface: keep-alive reuse, a pooled connection the service closed (retried only when
idempotent), HEAD, timeouts, connect errors, the pool limit and its timeout."""

import asyncio
import time
from types import SimpleNamespace

import orjson
import pytest

from gateway.http import RequestContext
from gateway.proxy import Proxy
from gateway.settings import GatewaySettings
from shared.embedded import free_port

pytestmark = pytest.mark.anyio

OK = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok"


async def serve(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def proxy_for(url: str, **settings) -> Proxy:
    values = {"identity_secret": "s" * 40, "upstream_read_timeout": 0.3, **settings}
    return Proxy(GatewaySettings(**values), {"svc": url})


async def call(proxy: Proxy, method: str = "GET", body: bytes = b"", headers=()) -> tuple[int, dict, bytes]:
    """One request through the proxy stage → (status, response headers, body)."""
    ctx = RequestContext("127.0.0.1")
    ctx.route = SimpleNamespace(service="svc")
    ctx.upstream_path = b"/x"
    ctx.request_id = "rid-1"
    scope = {
        "type": "http",
        "method": method,
        "path": "/x",
        "query_string": b"",
        "headers": [(b"host", b"gw.test"), *headers],
        "client": ("10.0.0.9", 5000),
        "scheme": "http",
        "tt": ctx,
    }
    sent = [{"type": "http.request", "body": body, "more_body": False}]
    messages = []

    async def receive():
        return sent.pop(0)

    async def send(message):
        messages.append(message)

    await proxy(scope, receive, send)
    start, *bodies = messages
    assert not bodies[-1].get("more_body", False)
    return start["status"], dict(start["headers"]), b"".join(m["body"] for m in bodies)


def error_code(body: bytes) -> str:
    return orjson.loads(body)["error_code"]


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
    proxy = proxy_for(url)
    for _ in range(5):
        status, headers, body = await call(proxy)
        assert (status, body, headers[b"content-type"]) == (200, b"ok", b"text/plain")
    assert connections == 1
    await proxy.close()
    server.close()


async def test_request_head_as_the_service_sees_it():
    seen = []

    async def handler(reader, writer):
        seen.append(await read_request(reader))
        writer.write(OK)
        await writer.drain()
        writer.close()

    server, url = await serve(handler)
    proxy = proxy_for(url)
    headers = [(b"authorization", b"Bearer t"), (b"x-tt-identity", b"forged"), (b"x-custom", b"caf\xc3\xa9")]
    await call(proxy, "GET", headers=headers)
    lines = seen[0].decode().split("\r\n")
    assert lines[0] == "GET /x HTTP/1.1"
    names = {line.split(":", 1)[0].lower(): line.split(": ", 1)[1] for line in lines[1:] if line}
    assert names["host"] == url.removeprefix("http://") and names["x-custom"] == "café"
    assert names["x-forwarded-for"] == "10.0.0.9" and names["x-forwarded-host"] == "gw.test"
    assert names["x-request-id"] == "rid-1"
    # Nothing the library would add on its own, and none of the caller's credentials.
    for name in ("authorization", "x-tt-identity", "user-agent", "accept", "accept-encoding", "content-length"):
        assert name not in names
    await proxy.close()
    server.close()


async def test_a_stale_pooled_connection_is_retried_for_idempotent_requests_only():
    connections = 0

    async def handler(reader, writer):  # answers once per connection, then hangs up on the next request
        nonlocal connections
        connections += 1
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
    assert (await call(proxy))[0] == 200
    assert (await call(proxy))[0] == 200  # stale → retried on a new connection
    assert connections == 2
    status, _, body = await call(proxy, "POST", b"{}")  # not idempotent: not resent
    assert status == 502 and error_code(body) == "bad_gateway"
    assert connections == 2
    await proxy.close()
    server.close()


async def test_head_responses_carry_no_body():
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n")

    server, url = await serve(handler)
    proxy = proxy_for(url)
    status, headers, body = await asyncio.wait_for(call(proxy, "HEAD"), 1)
    assert status == 200 and headers[b"content-length"] == b"1234" and body == b""
    await proxy.close()
    server.close()


async def test_slow_answer_times_out_and_the_pool_recovers():
    async def handler(reader, writer):
        request = await read_request(reader)
        if b"slow" in request:
            await asyncio.sleep(1)
        writer.write(OK)

    server, url = await serve(handler)
    proxy = proxy_for(url, upstream_read_timeout=0.1)
    started = time.perf_counter()
    status, _, body = await call(proxy, headers=[(b"x-mode", b"slow")])
    assert status == 504 and error_code(body) == "gateway_timeout"
    assert time.perf_counter() - started < 0.5
    assert (await call(proxy))[0] == 200
    await proxy.close()
    server.close()


async def test_response_broken_off_mid_body_aborts_the_client_connection():
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")
        await writer.drain()
        writer.close()

    server, url = await serve(handler)
    proxy = proxy_for(url)
    with pytest.raises(Exception, match="(?i)payload|disconnect|not enough"):
        await call(proxy)
    await proxy.close()
    server.close()


async def test_nothing_listening_is_503():
    proxy = proxy_for(f"http://127.0.0.1:{free_port()}")
    status, _, body = await call(proxy)
    assert status == 503 and error_code(body) == "service_unavailable"
    await proxy.close()


async def test_garbage_is_502():
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server, url = await serve(handler)
    proxy = proxy_for(url)
    status, _, body = await call(proxy)
    assert status == 502 and error_code(body) == "bad_gateway"
    await proxy.close()
    server.close()


async def test_pool_limit_queues_requests():
    connections = 0

    async def handler(reader, writer):
        nonlocal connections
        connections += 1
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            await asyncio.sleep(0.02)
            writer.write(OK)

    server, url = await serve(handler)
    proxy = proxy_for(url, upstream_max_connections=2, upstream_read_timeout=2)
    results = await asyncio.gather(*(call(proxy) for _ in range(10)))
    assert [(status, body) for status, _, body in results] == [(200, b"ok")] * 10
    assert connections <= 2
    await proxy.close()
    server.close()


async def test_no_free_connection_in_time_is_504():
    async def handler(reader, writer):
        await read_request(reader)
        await asyncio.sleep(0.5)
        writer.write(OK)

    server, url = await serve(handler)
    proxy = proxy_for(url, upstream_max_connections=1, upstream_pool_timeout=0.1, upstream_read_timeout=2)
    results = await asyncio.gather(call(proxy), call(proxy))
    assert sorted(status for status, _, _ in results) == [200, 504]
    await proxy.close()
    server.close()
