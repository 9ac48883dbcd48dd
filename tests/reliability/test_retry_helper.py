"""The concurrency tests' post() (issue 17, item 9) retries a connection that
was reset before any answer, but only when repeating the request is harmless:
a request with an Idempotency-Key, or one marked repeatable."""

from __future__ import annotations

import socket
import struct
import threading

import pytest

from tests.bookings.test_concurrency import post


def _server(resets: int):
    """A one-thread HTTP server that resets its first `resets` connections
    (RST, as an overflowing accept queue does) and answers the rest 201."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    seen = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            seen.append(conn)
            conn.recv(65536)
            if len(seen) <= resets:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                conn.sendall(b'HTTP/1.1 201 Created\r\nContent-Length: 11\r\n\r\n{"id": 7}\r\n')
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", seen, listener


@pytest.mark.parametrize(
    "headers, repeatable",
    [({"Idempotency-Key": "k1"}, None), ({}, True)],
)
def test_a_reset_is_retried_when_repeating_is_harmless(headers, repeatable):
    url, seen, listener = _server(resets=2)
    try:
        assert post(url, "/", headers, repeatable=repeatable) == (201, {"id": 7})
        assert len(seen) == 3
    finally:
        listener.close()


def test_a_reset_without_a_key_is_not_retried():
    url, seen, listener = _server(resets=1)
    try:
        with pytest.raises(OSError):
            post(url, "/", {})
        assert len(seen) == 1
    finally:
        listener.close()
