"""A real HTTP server on 127.0.0.1 that plays an SMS gateway or the WeChat API in tests.

It records every request (method, path, query, headers, JSON body) and answers with what the
test's ``answer`` function returns; the adapters under test talk to it over a real socket.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


Answer = tuple[int, Any]  # status and a JSON-able body (bytes are sent as they are)


@dataclass
class GatewayServer:
    url: str
    requests: list[Received] = field(default_factory=list)
    answer: Callable[[Received], Answer] = lambda request: (200, {"ok": True})

    def on(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]


@contextmanager
def gateway_server() -> Iterator[GatewayServer]:
    state = GatewayServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(
                method=self.command,
                path=parts.path,
                query=dict(urllib.parse.parse_qsl(parts.query)),
                headers={key.lower(): value for key, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            state.requests.append(received)
            status, body = state.answer(received)
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
