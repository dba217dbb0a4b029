"""Listen to a GraphQL subscription trigger: its events over a WebSocket, checked as they come.

``listen(version, "orderPlaced", {"customerId": "7"})`` yields an ``Event`` per result the server
pushes, until the server completes the subscription, ``count`` events have come, or ``seconds``
have passed:

1. The variables are checked against the schema by graphql-core (``get_variable_values``, on
   the version's canonical SDL): wrong ones are an ``InputError`` and nothing is opened.
2. The WebSocket goes to ``server=`` or the version's endpoint (``http`` becomes ``ws``), offering
   both subprotocols in use, ``graphql-transport-ws`` (graphql-ws) and the older ``graphql-ws``
   (subscriptions-transport-ws); the server picks. A server that then closes the connection as
   one that does not speak the protocol it picked (``1002``, protocol error, or graphql-ws's
   ``4400``/``4406``) before acknowledging it is asked once more, offering only the other one:
   subscriptions-transport-ws as Apollo Server 2 and 3 shipped it accepts the first subprotocol
   offered, whatever it is, and closes with ``1002`` unless it is ``graphql-ws``.
   ``subprotocol=`` offers only the one given, with no second try. Auth: the version's default auth with the
   credentials (``runtime.credentials``), applied as for ``invoke`` (tokens fetched and renewed,
   secrets only to accepted origins over https or to loopback: ``runtime.trust``) to the
   handshake request (of each try: the auth and its origin checks have their say again); its
   headers also go in the ``connection_init`` payload, where many servers look for them.
3. Each result's ``data`` is checked against the trigger's payload schema; what does not fit is in
   ``Event.problems``, the result's GraphQL errors in ``Event.errors``. A secret value (or a token
   derived from one) that an event holds is shown as ``***`` (``Event.unredacted_data()`` has it
   as it came).

Messages are capped at ``settings.max_document_bytes``; the handshake at ``connect_timeout``. A
refused handshake, a server ``error`` message or a broken connection end in a one-line error.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import time
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from connectory.documents.fetch import http_client
from connectory.errors import DocumentError, InputError, SourceError, SourceUnreachable
from connectory.model.version import ConnectorVersion, GraphQLBinding, Trigger
from connectory.redaction import Redactor
from connectory.schemas.registry import errors_of
from connectory.settings import Settings

from .credentials import Credentials, secret_values
from .invoke import auth_of
from .oauth import Token

if TYPE_CHECKING:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import ClientConnection

__all__ = ["PROTOCOLS", "Event", "listen"]

PROTOCOLS = ("graphql-transport-ws", "graphql-ws")
"""The subprotocols offered, the current one first."""
_NOT_SPOKEN = {1002, 4400, 4406}
"""Close codes before ``connection_ack`` that mean the server does not speak the subprotocol it
accepted: protocol error (subscriptions-transport-ws), bad request and subprotocol not acceptable
(graphql-ws). Its ``4401``/``4403`` refuse the credentials, not the protocol."""
_MESSAGES = {  # the same conversation in each subprotocol
    "graphql-transport-ws": {"subscribe": "subscribe", "next": "next", "stop": "complete"},
    "graphql-ws": {"subscribe": "start", "next": "data", "stop": "stop"},
}


@dataclass
class Event:
    """One result the server pushed."""

    trigger: str
    data: Any
    """The result's data, secret values in it shown as ``***``."""
    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Where ``data`` does not fit the trigger's payload schema."""
    _data: Any = field(default=None, repr=False, compare=False)

    def unredacted_data(self) -> Any:
        """The result's data as it came, secrets it echoes included: never print it."""
        return self._data


def _checked_variables(version: ConnectorVersion, document: str, variables: Any) -> None:
    from graphql import GraphQLError, OperationDefinitionNode, parse
    from graphql.execution.values import get_variable_values

    from connectory.protocols.graphql.parse import schema_from_sdl

    if not isinstance(variables, dict):
        raise InputError("the variables must be a JSON object")
    sdl = getattr(version.metadata, "sdl", None)
    if not sdl:
        return
    schema = schema_from_sdl(sdl)
    operation = next(
        d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)
    )
    found = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(found, list):
        messages = "; ".join(
            error.message for error in found[:10] if isinstance(error, GraphQLError)
        )
        raise InputError(f"the variables do not fit the subscription: {messages}")


def _socket_url(version: ConnectorVersion, server: str | None) -> str:
    endpoint = server or getattr(version.metadata, "endpoint", None)
    if not endpoint:
        raise InputError(f"{version.ref} has no endpoint: give one (server=, --server)")
    url = httpx.URL(endpoint)
    schemes = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
    if url.scheme not in schemes:
        raise InputError(f"{endpoint}: a subscription needs an http(s) or ws(s) endpoint")
    return str(url.copy_with(scheme=schemes[url.scheme]))


def _authorised(
    auth: httpx.Auth | None, url: str, client: httpx.Client
) -> tuple[str, dict[str, str]]:
    """The URL and headers of the handshake once ``auth`` has had its say: its flow runs on a
    stand-in request, the requests it makes on its own (a token, a login) are sent by ``client``."""
    if auth is None:
        return url, {}
    socket_url = httpx.URL(url)
    scheme = "https" if socket_url.scheme == "wss" else "http"
    standin = httpx.Request("GET", socket_url.copy_with(scheme=scheme))
    flow = auth.sync_auth_flow(standin)
    request = next(flow)
    while request is not standin:  # a token or login request: never redirected
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            request = flow.send(response)
        finally:
            response.close()
    ours = {"host", "accept", "accept-encoding", "connection", "user-agent"}
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ours}
    query = request.url.query.decode()
    return (f"{url.split('?', 1)[0]}?{query}" if query else url), headers


def _errors(payload: Any) -> list[str]:
    errors = payload if isinstance(payload, list) else [payload]
    return [str(e.get("message") if isinstance(e, dict) else e)[:500] for e in errors]


def listen(
    version: ConnectorVersion,
    trigger_name: str,
    variables: Any = None,
    *,
    credentials: Credentials | None = None,
    server: str | None = None,
    trusted_origins: Collection[str] | None = None,
    settings: Settings | None = None,
    count: int | None = None,
    seconds: float | None = None,
    client: httpx.Client | None = None,
    on_token: Callable[[str, Token], None] | None = None,
    subprotocol: str | None = None,
) -> Generator[Event, None, None]:
    """The events of ``trigger_name``'s subscription (see the module docstring);
    ``trusted_origins`` as for ``invoke``; ``subprotocol``: one of ``PROTOCOLS`` to speak only
    that one (None: offer both, and the other after a refusal)."""
    from websockets.exceptions import ConnectionClosed

    if subprotocol is not None and subprotocol not in PROTOCOLS:
        raise InputError(f"unknown subprotocol {subprotocol!r}: use {' or '.join(PROTOCOLS)}")
    settings = settings or Settings.from_env()
    credentials = credentials or {}
    redactor = Redactor(secret_values(credentials))
    with redactor.errors():
        trigger, binding = _subscription(version, trigger_name)
        variables = {} if variables is None else variables
        _checked_variables(version, binding.document, variables)
        url = _socket_url(version, server)
        auth, tls = auth_of(
            version,
            version.default_auth,
            trigger.name,
            credentials,
            target=url,
            redactor=redactor,
            server=server,
            trusted_origins=trusted_origins,
            on_token=on_token,
        )
        deadline = time.monotonic() + seconds if seconds is not None else None
        operation = _operation(binding, variables)
        offered, earlier = ([subprotocol] if subprotocol else list(PROTOCOLS)), ""
        while True:  # at most twice: once more in the other subprotocol after a refusal
            address, headers = _handshake(auth, url, client, settings)
            shown = address.split("?", 1)[0]
            with _connect(address, headers, tls, settings, shown, offered, earlier) as socket:
                protocol = _spoken(socket.subprotocol, offered)
                conversation = _Conversation(socket, shown, deadline, protocol, earlier)
                try:
                    conversation.opened(headers, settings.connect_timeout)
                except ConnectionClosed as error:
                    refused = _refused_in(error, protocol) if subprotocol is None else None
                    if refused and not earlier:
                        earlier, offered = refused, [p for p in PROTOCOLS if p != protocol]
                        continue
                    conversation.closed(error, settings.max_document_bytes, opening=True)
                subscription = conversation.subscription(operation)
                try:
                    with contextlib.closing(subscription) as payloads:
                        for received, payload in enumerate(payloads, start=1):
                            yield _event(version, trigger, payload, redactor)
                            if count is not None and received >= count:
                                break
                except ConnectionClosed as error:
                    conversation.closed(error, settings.max_document_bytes)
            return


def _operation(binding: GraphQLBinding, variables: Any) -> dict[str, Any]:
    """The subscribe message's payload: the document, its variables and operation name."""
    operation = {"query": binding.document, "variables": variables}
    if binding.operation_name:
        operation["operationName"] = binding.operation_name
    return operation


def _spoken(named: str | None, offered: list[str]) -> str:
    """The subprotocol a server speaks: the one it named; else what was offered alone; else (as
    ever) the old one."""
    return named or (offered[0] if len(offered) == 1 else PROTOCOLS[1])


def _refused_in(error: Exception, protocol: str) -> str | None:
    """Why to ask again in the other subprotocol (a close that says the server does not speak
    ``protocol``), or None."""
    rcvd = getattr(error, "rcvd", None)
    code = rcvd.code if rcvd else None
    return f"it had closed the connection ({code}) in {protocol}" if code in _NOT_SPOKEN else None


def _subscription(version: ConnectorVersion, trigger_name: str) -> tuple[Trigger, GraphQLBinding]:
    """The trigger named ``trigger_name`` and its binding, which must be a GraphQL subscription."""
    from .deliveries import trigger_of

    trigger = trigger_of(version, trigger_name)
    if not isinstance(trigger.binding, GraphQLBinding):
        raise InputError(f"{trigger.name} is a {trigger.kind} trigger, not a GraphQL subscription")
    return trigger, trigger.binding


def _handshake(
    auth: httpx.Auth | None, url: str, client: httpx.Client | None, settings: Settings
) -> tuple[str, dict[str, str]]:
    """``_authorised`` with ``client``, else with a client of our own, closed after."""
    if client is not None:
        return _authorised(auth, url, client)
    with http_client(settings, read_timeout=settings.connect_timeout) as own:
        return _authorised(auth, url, own)


def _connect(
    url: str,
    headers: dict[str, str],
    tls: ssl.SSLContext | None,
    settings: Settings,
    shown: str,
    offered: list[str],
    earlier: str = "",
) -> ClientConnection:
    """The open WebSocket, ``offered`` the subprotocols; a refused or failed handshake as a
    one-line error (``earlier``: what happened on a first try, said after it)."""
    from websockets.exceptions import InvalidHandshake, InvalidStatus
    from websockets.sync.client import connect
    from websockets.typing import Subprotocol

    try:
        return connect(
            url,
            subprotocols=[Subprotocol(p) for p in offered],
            additional_headers=headers,
            open_timeout=settings.connect_timeout,
            max_size=settings.max_document_bytes,
            close_timeout=2,
            ssl=tls if url.startswith("wss:") else None,
        )
    except InvalidStatus as error:
        status = error.response.status_code
        raise SourceError(
            f"the server refused the subscription (HTTP {status}){_after(earlier, offered)}",
            location=shown,
        ) from None
    except (InvalidHandshake, OSError, TimeoutError) as error:
        raise SourceUnreachable(
            f"cannot connect: {error}{_after(earlier, offered)}", location=shown
        ) from None


def _after(earlier: str, offered: list[str]) -> str:
    return f" (offered {offered[0]} after {earlier})" if earlier else ""


def _event(version: ConnectorVersion, trigger: Trigger, payload: Any, redactor: Redactor) -> Event:
    """A pushed result as an ``Event``: its data checked against the payload schema, secrets
    hidden."""
    payload = payload if isinstance(payload, dict) else {}
    data = payload.get("data")
    errors = _errors(payload["errors"]) if payload.get("errors") else []
    problems = []
    if data is not None and trigger.payload is not None:
        problems = errors_of(trigger.payload, version, data, root="(data)", limit=50)
    shown = redactor.value
    return Event(trigger.name, shown(data), shown(errors), shown(problems), _data=data)


class _Conversation:
    """JSON messages in ``protocol`` on one socket, within a deadline (``earlier``: what happened
    on a first try, said after an error)."""

    def __init__(
        self, socket: Any, shown: str, deadline: float | None, protocol: str, earlier: str = ""
    ) -> None:
        self.socket, self.shown, self.deadline = socket, shown, deadline
        self.protocol, self.earlier = protocol, earlier
        self.completed = False

    def send(self, message: Mapping[str, Any]) -> None:
        self.socket.send(json.dumps(message))

    def receive(self, within: float | None = None) -> dict[str, Any] | None:
        """The next message (None when the deadline, or ``within`` seconds, passed)."""
        deadlines = [] if self.deadline is None else [self.deadline]
        if within is not None:
            deadlines.append(time.monotonic() + within)
        timeout = min(deadlines) - time.monotonic() if deadlines else None
        if timeout is not None and timeout <= 0:
            return None
        try:
            text = self.socket.recv(timeout=timeout)
        except TimeoutError:
            return None
        try:
            message = json.loads(text)
        except ValueError:
            raise DocumentError(
                "the server sent a message that is not JSON", location=self.shown
            ) from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise DocumentError("the server sent a message without a type", location=self.shown)
        if message["type"] == "ping":
            self.send({"type": "pong"})
        return message

    def refused(self, what: str, errors: Any) -> SourceError:
        from connectory.protocols.graphql._introspection import (
            server_errors,  # graphql-core: when needed
        )

        return SourceError(
            f"the server refused the {what}: {server_errors(errors)}", location=self.shown
        )

    def acknowledged(self, within: float) -> None:
        """Wait for ``connection_ack``, at most ``within`` seconds."""
        until = time.monotonic() + within
        while True:
            message = self.receive(within=until - time.monotonic())
            if message is None:
                raise SourceUnreachable(
                    f"the server did not acknowledge the connection within {within:g} s",
                    location=self.shown,
                )
            if message["type"] == "connection_ack":
                return
            if message["type"] in ("connection_error", "error"):
                raise self.refused("connection", message.get("payload"))

    def opened(self, headers: Mapping[str, str], within: float) -> None:
        """``connection_init`` (with ``headers``, the same in both subprotocols), then its
        acknowledgement, within ``within`` seconds."""
        self.send({"type": "connection_init", "payload": {"headers": headers}})
        self.acknowledged(within)

    def subscription(self, operation: Mapping[str, Any]) -> Generator[Any, None, None]:
        """The payloads of one subscription in the protocol's messages, once the connection is
        acknowledged: the subscribe message, then each result; when done, or closed early (the
        caller stopped listening), the server is told unless it completed the subscription
        itself."""
        from websockets.exceptions import ConnectionClosed

        names = _MESSAGES[self.protocol]
        self.send({"id": "1", "type": names["subscribe"], "payload": operation})
        try:
            yield from self.results(names["next"])
        finally:
            if not self.completed:
                with contextlib.suppress(ConnectionClosed):
                    self.send({"id": "1", "type": names["stop"]})

    def closed(self, error: ConnectionClosed, max_bytes: int, *, opening: bool = False) -> None:
        """Raise what the socket closing with ``error`` means, unless the subscription had
        completed: a message too big, or the server closing the connection (``opening``: before
        acknowledging it)."""
        from websockets.frames import CloseCode

        if error.sent is not None and error.sent.code == CloseCode.MESSAGE_TOO_BIG:
            raise SourceError(
                f"the server sent a message larger than {max_bytes:,} bytes", location=self.shown
            ) from None
        if not self.completed:
            code = error.rcvd.code if error.rcvd else "no close frame"
            message = f"the server closed the connection ({code})"
            if opening:
                message += f" before acknowledging it in {self.protocol}"
                if self.earlier:
                    message += f", after {self.earlier}"
                elif code in _NOT_SPOKEN:
                    other = next(p for p in PROTOCOLS if p != self.protocol)
                    message += f": it may speak only {other} (subprotocol=, --subprotocol)"
            raise SourceUnreachable(message, location=self.shown) from None

    def results(self, next_type: str) -> Iterator[Any]:
        while True:
            message = self.receive()
            if message is None:
                return
            kind = message["type"]
            if kind == next_type:
                yield message.get("payload")
            elif kind == "error":
                self.completed = True
                raise self.refused("subscription", message.get("payload"))
            elif kind == "complete":
                self.completed = True
                return
