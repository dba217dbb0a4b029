"""A loopback HTTP/1.1 server (keep-alive) whose answers a test computes, seeing every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectory import inspect
from connectory.model.version import ConnectorVersion

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Things", "version": "1.0.0"},
    "servers": [{"url": "https://things.invalid"}],
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}},
            }
        }
    },
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "things",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Thing"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "addThing",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                    }
                },
                "responses": {"201": {"description": "added"}},
            },
        }
    },
}
"""A small API: ``listThings`` (GET /things, an array of ``{id}``), ``addThing`` (POST)."""


def things_version(tmp_path: Path, document: dict[str, Any] = DOCUMENT) -> ConnectorVersion:
    """``document`` (by default ``DOCUMENT``) onboarded as connector ``things``."""
    (tmp_path / "things.json").write_text(json.dumps(document))
    return inspect(tmp_path / "things.json", connector="things")


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    port: int
    """The client's port: one per connection."""


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    """JSON unless bytes."""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Traffic:
    base_url: str
    seen: list[Seen]


@contextmanager
def serve_traffic(answer: Callable[[Seen], Answer]) -> Iterator[Traffic]:
    """Serve ``answer(request)`` on 127.0.0.1 (HTTP/1.1, connections kept) until the block ends."""
    seen: list[Seen] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            request = Seen(
                self.command, parts.path, query, dict(self.headers), self.client_address[1]
            )
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            with lock:
                seen.append(request)
            reply = answer(request)
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            headers.setdefault("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Traffic(f"http://127.0.0.1:{server.server_port}", seen)
    finally:
        server.shutdown()
        server.server_close()
