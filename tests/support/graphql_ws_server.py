"""A real GraphQL subscription server over WebSockets on loopback, built with graphql-core.

It speaks both subprotocols (``graphql-transport-ws`` and the older ``graphql-ws``; ``protocols``
picks which it accepts), can require handshake headers (401 otherwise), validates each operation
with graphql-core and runs it with ``subscribe``, pushing each result until the source ends.
``tamper`` rewrites a result before it is sent, ``misbehave`` breaks the conversation, as
misbehaving servers do.

``mimic`` behaves as a server library does whatever the client offers: it accepts the first
subprotocol offered (the ``ws`` package's default, which both libraries run on), or the last with
``accept="last"``, then closes the connection unless it is the one the library speaks:
``"subscriptions-transport-ws"`` (Apollo Server 2/3) closes with 1002 unless it is ``graphql-ws``,
and sends ``ka`` keep-alives after its ``connection_ack``; ``"graphql-ws"`` closes with 4406
("Subprotocol not acceptable") unless it is ``graphql-transport-ws``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from graphql import ExecutionResult, GraphQLSchema, parse, subscribe, validate
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

_NEXT = {"graphql-transport-ws": ("subscribe", "next"), "graphql-ws": ("start", "data")}
_MIMICS = {  # a library: the subprotocol it speaks, how it closes on another
    "subscriptions-transport-ws": ("graphql-ws", 1002, ""),
    "graphql-ws": ("graphql-transport-ws", 4406, "Subprotocol not acceptable"),
}


@dataclass
class SubscriptionServer:
    schema: GraphQLSchema
    protocols: tuple[str, ...] = ("graphql-transport-ws", "graphql-ws")
    required_headers: dict[str, str] = field(default_factory=dict)
    tamper: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    misbehave: str | None = None
    """``"no-ack"``: never acknowledge the connection; ``"not-json"``: answer it with garbage;
    ``"close:CODE"``: close the connection with CODE at once."""
    mimic: str | None = None
    """A server library to behave as (see the module docstring)."""
    accept: str = "first"
    """Which offered subprotocol a ``mimic`` accepts: ``"first"`` or ``"last"``."""
    handshake_limit: int | None = None
    """Refuse every handshake after this many (HTTP 503), as a server going down does."""
    url: str = ""
    handshakes: list[dict[str, str]] = field(default_factory=list)
    """Each handshake's headers (lower-cased names)."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Every message a client sent."""

    async def _receive(self, socket: ServerConnection) -> dict[str, Any]:
        message = json.loads(await socket.recv())
        self.messages.append(message)
        return message

    async def handle(self, socket: ServerConnection) -> None:
        if self.misbehave and self.misbehave.startswith("close:"):
            await socket.close(int(self.misbehave.removeprefix("close:")))
            return
        if self.mimic is not None:
            spoken, code, reason = _MIMICS[self.mimic]
            if socket.subprotocol != spoken:
                await socket.close(code, reason)
                return
        subscribe_type, next_type = _NEXT[socket.subprotocol or "graphql-ws"]
        await self._receive(socket)  # connection_init
        if self.misbehave == "no-ack":
            await socket.wait_closed()
            return
        if self.misbehave == "not-json":
            await socket.send("<html>surprise</html>")
            await socket.wait_closed()
            return
        if self.mimic == "subscriptions-transport-ws":  # no ping in its protocol
            await socket.send(json.dumps({"type": "connection_ack"}))
            await socket.send(json.dumps({"type": "ka"}))
        else:
            await socket.send(json.dumps({"type": "ping"}))  # a client must answer pongs
            await socket.send(json.dumps({"type": "connection_ack"}))
        message = await self._receive(socket)
        while message["type"] != subscribe_type:
            message = await self._receive(socket)
        payload, id_ = message["payload"], message["id"]
        document = parse(payload["query"])
        errors = validate(self.schema, document)
        result: Any = None
        if not errors:
            result = subscribe(
                self.schema,
                document,
                variable_values=payload.get("variables"),
                operation_name=payload.get("operationName"),
            )
            if inspect.isawaitable(result):
                result = await result
            if isinstance(result, ExecutionResult):
                errors = list(result.errors or [])
        if errors:
            error = {"id": id_, "type": "error", "payload": [e.formatted for e in errors]}
            await socket.send(json.dumps(error))
            return

        async def push() -> None:
            async for item in result:
                pushed = item.formatted
                if self.tamper is not None:
                    pushed = self.tamper(pushed)
                await socket.send(json.dumps({"id": id_, "type": next_type, "payload": pushed}))
            await socket.send(json.dumps({"id": id_, "type": "complete"}))

        async def read() -> None:  # until the client stops the subscription or hangs up
            with contextlib.suppress(ConnectionClosed):
                while (await self._receive(socket))["type"] not in ("complete", "stop"):
                    pass

        pushing, reading = asyncio.create_task(push()), asyncio.create_task(read())
        await asyncio.wait({pushing, reading}, return_when=asyncio.FIRST_COMPLETED)
        if not pushing.done():
            pushing.cancel()
        await reading

    def check_headers(self, connection: ServerConnection, request: Request) -> Response | None:
        self.handshakes.append({k.lower(): v for k, v in request.headers.raw_items()})
        if any(request.headers.get(k) != v for k, v in self.required_headers.items()):
            return connection.respond(HTTPStatus.UNAUTHORIZED, "unauthorised\n")
        if self.handshake_limit is not None and len(self.handshakes) > self.handshake_limit:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "going down\n")
        return None

    def select(self, _connection: ServerConnection, offered: Sequence[str]) -> str | None:
        """The subprotocol a ``mimic`` accepts: the first (or last) offered, whatever it is."""
        if not offered:
            return None
        return offered[0] if self.accept == "first" else offered[-1]


@contextmanager
def serve_subscriptions(schema: GraphQLSchema, **options: Any) -> Iterator[SubscriptionServer]:
    """A ``SubscriptionServer`` on 127.0.0.1 (its own event loop, in a thread) until the block
    ends; ``url`` is its http:// endpoint."""
    state = SubscriptionServer(schema, **options)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Future[None] = loop.create_future()

    async def main() -> None:
        async with serve(
            state.handle,
            "127.0.0.1",
            0,
            subprotocols=list(state.protocols),  # type: ignore[arg-type]
            select_subprotocol=state.select if state.mimic else None,  # type: ignore[arg-type]
            process_request=state.check_headers,
        ) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            state.url = f"http://127.0.0.1:{port}/graphql"
            ready.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield state
    finally:
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()
