"""Real HTTP servers on loopback for tests: a small router over ``http.server``."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip_seconds: float = 0.0
    """Send the body one byte at a time, sleeping this long between bytes."""
    declare_length: bool = True
    """Send a Content-Length header (else the body ends when the connection closes)."""
    sent: list[bool] = field(default_factory=list)
    """Each time the reply was sent: whether the whole body went out (False: the client hung up)."""


Route = Reply | Callable[[BaseHTTPRequestHandler], Reply]


@dataclass
class LoopbackServer:
    base_url: str
    routes: dict[str, Route]
    requests: list[str]

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[LoopbackServer]:
    """Serve ``routes`` (path -> reply) on 127.0.0.1 until the block ends; 404 elsewhere."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            route = routes.get(self.path.split("?", 1)[0])
            reply = Reply(404, b"not found") if route is None else route
            if callable(reply):
                reply = reply(self)
            self.send_response(reply.status)
            headers = dict(reply.headers)
            if reply.declare_length:
                headers.setdefault("Content-Length", str(len(reply.body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                if reply.drip_seconds:
                    for i in range(len(reply.body)):
                        self.wfile.write(reply.body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip_seconds)
                else:
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                reply.sent.append(True)
            except (BrokenPipeError, ConnectionResetError):
                reply.sent.append(False)

        do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # a route reads a body it expects

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(Handler) as base_url:
        yield LoopbackServer(base_url, routes, requests)


@contextmanager
def running(
    handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """A threading HTTP server of ``handler`` on 127.0.0.1 until the block ends (HTTPS with a
    server-side ``tls`` context); its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
