"""WebSocket /ws against the real binary (on topics outside the shop's, which
test_orders_ws_auth.py covers): subscribe, server push (triggered
through POST /api/_debug/publish), unsubscribe, ping/pong, and a client that
never reads being dropped while others keep being served."""
import asyncio
import base64
import json
import os
import signal
import socket
import struct

import pytest
import requests
import websockets

from test_gateway import gateway_server, make_static_dir


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    static = make_static_dir(tmp_path_factory.mktemp("static"))
    with gateway_server(tmp_path_factory.mktemp("gw"), static) as s:
        yield s


def ws_url(server):
    return f"ws://127.0.0.1:{server.http_port}/ws"


def publish(server, topic, data):
    r = requests.post(server.http_url + "/api/_debug/publish", json={"topic": topic, "data": data}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["delivered"]


async def recv_json(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=10))


def test_subscribe_then_receive_pushes(server):
    async def run():
        async with websockets.connect(ws_url(server)) as ws:
            await ws.send(json.dumps({"op": "subscribe", "topic": "news/42"}))
            assert await recv_json(ws) == {"op": "subscribed", "topic": "news/42"}
            delivered = await asyncio.get_running_loop().run_in_executor(
                None, publish, server, "news/42", {"status": "confirmed", "total": 12.5})
            assert delivered == 1
            assert await recv_json(ws) == {"topic": "news/42", "data": {"status": "confirmed", "total": 12.5}}
    asyncio.run(run())


def test_only_subscribers_of_the_topic_receive(server):
    async def run():
        async with websockets.connect(ws_url(server)) as a, websockets.connect(ws_url(server)) as b:
            await a.send(json.dumps({"op": "subscribe", "topic": "t-a"}))
            await b.send(json.dumps({"op": "subscribe", "topic": "t-b"}))
            await recv_json(a)
            await recv_json(b)
            loop = asyncio.get_running_loop()
            assert await loop.run_in_executor(None, publish, server, "t-a", 1) == 1
            assert await recv_json(a) == {"topic": "t-a", "data": 1}
            assert await loop.run_in_executor(None, publish, server, "t-b", 2) == 1
            assert await recv_json(b) == {"topic": "t-b", "data": 2}
    asyncio.run(run())


def test_unsubscribe_stops_pushes(server):
    async def run():
        async with websockets.connect(ws_url(server)) as ws:
            await ws.send(json.dumps({"op": "subscribe", "topic": "u"}))
            await recv_json(ws)
            await ws.send(json.dumps({"op": "unsubscribe", "topic": "u"}))
            assert await recv_json(ws) == {"op": "unsubscribed", "topic": "u"}
            loop = asyncio.get_running_loop()
            assert await loop.run_in_executor(None, publish, server, "u", 1) == 0
    asyncio.run(run())


def test_app_ping_and_protocol_ping(server):
    async def run():
        async with websockets.connect(ws_url(server)) as ws:
            await ws.send(json.dumps({"op": "ping"}))
            assert await recv_json(ws) == {"op": "pong"}
            pong_waiter = await ws.ping()
            await asyncio.wait_for(pong_waiter, timeout=10)
    asyncio.run(run())


def test_bad_messages_get_error_replies_and_connection_survives(server):
    async def run():
        async with websockets.connect(ws_url(server)) as ws:
            await ws.send("not json")
            assert (await recv_json(ws))["op"] == "error"
            await ws.send(json.dumps({"op": "dance"}))
            assert "unknown op" in (await recv_json(ws))["message"]
            await ws.send(json.dumps({"op": "ping"}))
            assert await recv_json(ws) == {"op": "pong"}
    asyncio.run(run())


def raw_ws_client(server, rcvbuf=4096, target="/ws"):
    """A hand-made WebSocket client with a tiny receive buffer that can stop
    reading, which a library client would not let us do."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", server.http_port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101")
    return s


def send_text_frame(s, text):
    payload = text.encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    assert len(payload) < 126
    s.sendall(struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked)


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        assert chunk, "connection closed"
        data += chunk
    return data


def read_text_frame(s):
    """One unmasked, unfragmented text frame from the server."""
    first, second = recv_exactly(s, 2)
    assert first == 0x81, hex(first)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", recv_exactly(s, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", recv_exactly(s, 8))[0]
    return recv_exactly(s, length).decode()


def test_batch_clients_get_arrays_and_catch_up_in_few_frames(server):
    async def run():
        async with websockets.connect(ws_url(server) + "?batch=1") as ws:
            await ws.send(json.dumps({"op": "subscribe", "topic": "b/1"}))
            assert await recv_json(ws) == [{"op": "subscribed", "topic": "b/1"}]
            await asyncio.get_running_loop().run_in_executor(None, publish, server, "b/1", {"n": 1})
            assert await recv_json(ws) == [{"topic": "b/1", "data": {"n": 1}}]
    asyncio.run(run())


def test_batch_client_that_fell_behind_catches_up_in_few_frames(tmp_path):
    # A client that stops reading: once the sockets between are full, what the
    # server queues for it goes out in few frames when it reads again. The
    # queue may hold 64 MiB here, so that nothing is dropped.
    static = make_static_dir(tmp_path / "static")
    with gateway_server(tmp_path / "gw", static, env={"RIVULET_GATEWAY_WS_MAX_QUEUE_BYTES": str(64 << 20)}) as s:
        client = raw_ws_client(s, target="/ws?batch=1")
        send_text_frame(client, json.dumps({"op": "subscribe", "topic": "burst"}))
        assert json.loads(read_text_frame(client)) == [{"op": "subscribed", "topic": "burst"}]
        count, pad = 1000, "x" * 16000  # 16 MB: more than loopback sockets hold
        with requests.Session() as http:
            for i in range(count):
                r = http.post(s.http_url + "/api/_debug/publish", json={"topic": "burst", "data": {"i": i, "pad": pad}})
                assert r.json()["delivered"] == 1
        received, sizes = [], []
        client.settimeout(10)
        while len(received) < count:
            batch = json.loads(read_text_frame(client))
            assert isinstance(batch, list) and batch
            sizes.append(len(batch))
            received += batch
        client.close()
        assert [m["data"]["i"] for m in received] == list(range(count))
        assert all(m["topic"] == "burst" for m in received)
        # Every message that waited in the server's queue shared a frame.
        assert max(sizes) > 1 and len(sizes) < count, f"{len(sizes)} frames for {count} messages"


def test_client_that_never_reads_is_dropped(server):
    slow = raw_ws_client(server)
    send_text_frame(slow, json.dumps({"op": "subscribe", "topic": "flood"}))
    # A well-behaved subscriber on another topic keeps working throughout.
    async def run():
        async with websockets.connect(ws_url(server)) as good:
            await good.send(json.dumps({"op": "subscribe", "topic": "calm"}))
            await recv_json(good)
            loop = asyncio.get_running_loop()
            big = "x" * 60000
            dropped = False
            for i in range(400):  # at most 24 MB offered; the queue limit is 256 KiB
                await loop.run_in_executor(None, publish, server, "flood", big)
                if i % 20 == 0:
                    text = await loop.run_in_executor(None, lambda: requests.get(server.http_url + "/metrics").text)
                    if "rivulet_ws_dropped_slow_clients_total 1" in text:
                        dropped = True
                        break
            assert dropped, "a client that never reads was not dropped"
            assert await loop.run_in_executor(None, publish, server, "calm", {"ok": True}) == 1
            assert await recv_json(good) == {"topic": "calm", "data": {"ok": True}}
            # The dropped client no longer counts as a subscriber.
            assert await loop.run_in_executor(None, publish, server, "flood", 0) == 0
    asyncio.run(run())
    slow.close()
    assert requests.get(server.http_url + "/healthz").status_code == 200


def test_shutdown_closes_websockets_with_going_away(tmp_path):
    static = make_static_dir(tmp_path / "static")
    with gateway_server(tmp_path / "gw", static) as s:
        async def run():
            async with websockets.connect(ws_url(s)) as ws:
                await ws.send(json.dumps({"op": "subscribe", "topic": "x"}))
                await recv_json(ws)
                s.proc.send_signal(signal.SIGTERM)
                with pytest.raises(websockets.ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), timeout=20)
                assert ws.close_code == 1001
        asyncio.run(run())
        assert s.proc.wait(20) == 0
        s.proc = None
