"""Run a ``custom_function`` auth method's JavaScript, as a hostile author may have written it.

The function runs in V8 (mini-racer) in a worker process (``runtime.sandbox_worker``), a fresh
isolate per call: nothing is shared between calls, and nothing V8 does can take the host down. A
V8 isolate is not enough on its own: its memory limit is looked at only when it collects garbage,
array buffers are not counted, and a builtin that ignores termination (``new
Array(2**27).fill(0)``) runs on until V8 aborts the whole process.

    limits      the method's, capped by the host's settings (``function_max_seconds``,
                ``function_max_memory_mb``): a connector may ask for less, never for more
    in V8       one deadline for the whole call; the heap under the memory limit; array buffers
                charged against the same limit; no WebAssembly, shared memory, timers or I/O
                (but for ``fetch``, which the host performs)
    around it   the worker's data segment capped (Linux) and the worker killed at the deadline
                (plus a grace period): what V8 does not stop, the operating system does
    the answer  checked inside V8 before it leaves: at most ``function_max_values`` headers,
                query parameters and cookies, each name and value at most
                ``function_max_value_bytes``, all together at most ``function_max_total_bytes``;
                then checked again here, in bytes, and for what a header or a cookie can carry
                (no CR or LF: nothing is injected), before anything is sent
    fetch       ``await fetch(url, {method, headers, body})`` in an ``async`` entrypoint: the
                request is checked in V8, handed to the host and checked again (an http(s) URL,
                headers HTTP can carry, not ``Host``, at most ``function_max_fetch_bytes``), then
                yielded by the auth flow (``flow``), so that the policy that guards the method
                (``runtime.trust``) refuses an origin not accepted for the connector, or plain
                http off loopback, before it is sent. At most ``function_max_fetches`` requests
                per call; a redirect is followed only to the same origin (and counts as one
                more); the answer read within ``function_max_fetch_bytes`` and the call's
                deadline, which covers the fetches. The function gets ``{status, statusText, ok,
                url, redirected, headers.get/has/getSetCookie/forEach, text(), json()}``

Every failure is one ``InputError`` line naming the method (stopped at the deadline or the memory
limit, the function threw, it returned something else, too much, or nothing was defined; for a
fetch, which one and what was wrong with it), with the secrets hidden. Workers are reused while
they answer; one that was stopped, or left in the middle of a call, is replaced.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from connectory.errors import InputError
from connectory.model.auth import CustomFunctionAuth, is_js_identifier
from connectory.origins import origin
from connectory.redaction import Redactor, redact_url
from connectory.settings import Settings

__all__ = ["Limits", "flow", "limits_for", "run"]

Added = dict[str, dict[str, str]]
"""What a function adds to a request: ``{headers?, query?, cookies?}``, each name to value."""

_WORKER = Path(__file__).with_name("sandbox_worker.py")
_STARTUP_SECONDS = 30.0
_GRACE_SECONDS = 2.0
"""How long past a call's deadline the worker may take to say it stopped the call."""
_CALLS_PER_WORKER = 500
_IDLE_WORKERS = 2


@dataclass(frozen=True, slots=True)
class Limits:
    """What one call may use: the method's limits capped by the host's."""

    milliseconds: int
    memory_mb: int
    max_values: int
    max_value_bytes: int
    max_total_bytes: int
    max_fetches: int
    max_fetch_bytes: int


def limits_for(method: CustomFunctionAuth, settings: Settings) -> Limits:
    return Limits(
        milliseconds=min(method.timeout_ms, max(1, round(settings.function_max_seconds * 1000))),
        memory_mb=min(method.memory_limit_mb, max(1, settings.function_max_memory_mb)),
        max_values=settings.function_max_values,
        max_value_bytes=settings.function_max_value_bytes,
        max_total_bytes=settings.function_max_total_bytes,
        max_fetches=settings.function_max_fetches,
        max_fetch_bytes=settings.function_max_fetch_bytes,
    )


def flow(
    method: CustomFunctionAuth,
    request: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: Settings,
) -> Generator[httpx.Request, httpx.Response, Added]:
    """Run ``method``'s entrypoint on ``request`` (``{method, url, headers, body}``) with the
    secrets, as an auth flow: it yields the requests the function fetches (each answer is sent
    back in, unread: it is read here under the caps) and returns the ``headers``, ``query`` and
    ``cookies`` the function adds (see the module docstring)."""
    where = f"auth method {method.name!r} (custom_function)"
    if not is_js_identifier(method.entrypoint):
        raise InputError(f"{where}: entrypoint {method.entrypoint[:60]!r} is not a function name")
    limits = limits_for(method, settings)
    job = {
        "source": method.source,
        "entrypoint": method.entrypoint,
        "seconds": limits.milliseconds / 1000,
        "memory_bytes": limits.memory_mb * 1024 * 1024,
        "max_values": limits.max_values,
        "max_value_bytes": limits.max_value_bytes,
        "max_total_bytes": limits.max_total_bytes,
        "max_fetches": limits.max_fetches,
        "max_fetch_bytes": limits.max_fetch_bytes,
        "request": dict(request),
        "credentials": dict(secrets),
    }
    hide = Redactor(secrets.values()).text
    answer = yield from _converse(where, job, limits, hide)
    if "added" in answer:
        added: Added = answer["added"]
        _check(where, added, limits, hide)
        return added
    if "stopped" in answer:
        raise InputError(_stopped(where, method, limits, answer["stopped"]))
    if "missing" in answer:
        raise InputError(f"{where}: its source defines no function {method.entrypoint!r}")
    if "problem" in answer:
        raise InputError(f"{where}: {_problem(answer['problem'], limits, hide)}")
    raise InputError(f"{where} failed: {hide(str(answer.get('failed')))[:300]}")


def run(
    method: CustomFunctionAuth,
    request: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: Settings,
) -> Added:
    """``flow`` for a function that fetches nothing (one that does is an error: its fetches are
    sent by the auth flow, ``runtime.custom.FunctionAuth``)."""
    steps = flow(method, request, secrets, settings)
    try:
        next(steps)
    except StopIteration as done:
        added: Added = done.value
        return added
    steps.close()
    raise InputError(
        f"auth method {method.name!r} (custom_function): fetch 1: nothing sends it here "
        "(run the method as an auth flow: FunctionAuth)"
    )


def _stopped(where: str, method: CustomFunctionAuth, limits: Limits, reason: str) -> str:
    if reason == "time":
        stopped, asked = f"stopped after {limits.milliseconds} ms", f"{method.timeout_ms} ms"
        capped = limits.milliseconds < method.timeout_ms
    else:
        stopped, asked = (
            f"stopped at its {limits.memory_mb} MB limit",
            f"{method.memory_limit_mb} MB",
        )
        capped = limits.memory_mb < method.memory_limit_mb
    return f"{where}: {stopped}" + (f" (the host's cap; it asks for {asked})" if capped else "")


_LABELS = {"headers": "header", "query": "query parameter", "cookies": "cookie"}
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEADER_OCTETS = frozenset(chr(c) for c in range(0x20, 0x7F)) | {"\t"}
_COOKIE_OCTETS = frozenset(chr(c) for c in range(0x21, 0x7F)) - set('",;\\')


def _shown(name: str, hide: Callable[[str], str]) -> str:
    """A name the function returned, as an error may show it: the secrets hidden, then cut
    (a secret cut first would no longer be recognised)."""
    name = hide(name)
    return repr(name if len(name) <= 40 else f"{name[:40]}...")


def _problem(problem: dict[str, Any], limits: Limits, hide: Callable[[str], str]) -> str:
    """What the sandbox found wrong with the answer, in words."""
    label = _LABELS.get(problem.get("part") or "", "value")
    too_long = f"longer than {limits.max_value_bytes} bytes (the host's limit)"
    code = problem.get("code")
    if code == "promise":  # a promise that resolved to a promise: cannot happen
        return "must return an object of headers, query and cookies, not a Promise"
    if code == "strings":
        return f"{problem.get('part')!r} must be an object of strings"
    if code == "count":
        return f"returned more than {limits.max_values} values (the host's limit)"
    if code == "total":
        return (
            f"returned more than {limits.max_total_bytes:,} bytes of headers, query parameters "
            "and cookies in all (the host's limit)"
        )
    if code == "settles":
        return (
            "its promise never settles: it waits for something other than fetch "
            "(there is no event loop, no timers)"
        )
    if code == "fetches":
        return _too_many_fetches(problem.get("name"), limits)
    if code == "fetch headers":
        return (
            f"fetch {problem.get('name')}: more than {limits.max_values} headers (the host's limit)"
        )
    if code == "fetch size":
        return f"fetch {problem.get('name')}: {_fetch_too_large(limits)}"
    if code == "long name":
        return f"returned a {label} name {too_long}"
    if code == "long value":
        return f"returned a {label} {_shown(str(problem.get('name')), hide)} {too_long}"
    return "must return an object of headers, query and cookies"


def _check(
    where: str, added: dict[str, dict[str, str]], limits: Limits, hide: Callable[[str], str]
) -> None:
    """What V8 checked in characters, checked in bytes, and for what HTTP can carry."""
    total = 0
    for part, values in added.items():
        label = _LABELS[part]
        for name, value in values.items():
            total += len(name.encode()) + len(value.encode())
            if total > limits.max_total_bytes:
                raise InputError(f"{where}: {_problem({'code': 'total'}, limits, hide)}")
            if len(name.encode()) > limits.max_value_bytes:
                raise InputError(
                    f"{where}: {_problem({'code': 'long name', 'part': part}, limits, hide)}"
                )
            if len(value.encode()) > limits.max_value_bytes:
                problem = {"code": "long value", "part": part, "name": name}
                raise InputError(f"{where}: {_problem(problem, limits, hide)}")
            if part == "query":
                continue
            if not name or not set(name) <= _TOKEN:
                raise InputError(
                    f"{where}: returned {_shown(name, hide)}, which cannot name a {label}"
                )
            if part == "headers":
                bad = not set(value) <= _HEADER_OCTETS or value != value.strip(" \t")
            else:
                bad = not set(value) <= _COOKIE_OCTETS
            if bad:
                raise InputError(
                    f"{where}: the {label} {_shown(name, hide)} holds a character a {label} "
                    "cannot carry"
                )


def _converse(
    where: str, job: dict[str, Any], limits: Limits, hide: Callable[[str], str]
) -> Generator[httpx.Request, httpx.Response, dict[str, Any]]:
    """The worker's answer to ``job``, the function's fetches sent on the way; a worker that
    died or overran the deadline is killed and reported as stopped (memory or time), one left
    in the middle of a call (a refused fetch, an error while sending) is killed."""
    frame = _frame(job)
    cap = 4096 + 12 * (limits.max_values * limits.max_value_bytes + limits.max_fetch_bytes)
    deadline = time.monotonic() + limits.milliseconds / 1000
    worker = _take(where)
    try:
        worker.send(frame)
    except OSError:  # an idle worker that died meanwhile: once more, with a new one
        worker.close()
        worker = _Worker(where)
        try:
            worker.send(frame)
        except OSError:
            worker.close()
            raise InputError(f"{where}: the JavaScript sandbox stopped answering") from None
    answered = False
    try:
        sent = 0
        answer = worker.receive(deadline + _GRACE_SECONDS, cap)
        while isinstance(answer, dict) and "fetch" in answer:
            sent, fetched = yield from _fetch(where, answer["fetch"], sent, limits, deadline, hide)
            try:
                worker.write(_frame({"fetched": fetched}))
            except OSError:
                answer = "died"
                break
            answer = worker.receive(deadline + _GRACE_SECONDS, cap)
        answered = True
    finally:  # interrupted (Ctrl-C, a refused fetch): the worker may be busy for a while yet
        if not answered:
            worker.close()
    if isinstance(answer, dict) and "stopped" not in answer:
        _give(worker)
        return answer
    worker.close()
    if isinstance(answer, dict):
        return answer
    return {"stopped": "time" if answer == "late" else "memory"}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_FORBIDDEN = frozenset({"host", "content-length", "transfer-encoding", "connection", "te",
                        "upgrade", "trailer", "keep-alive"})  # fmt: skip
"""Headers httpx sets itself (a ``Host`` of the function's choosing would name another site)."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _too_many_fetches(number: object, limits: Limits) -> str:
    return f"fetch {number}: more than {limits.max_fetches} fetches in one call (the host's limit)"


def _fetch_too_large(limits: Limits) -> str:
    return f"its request is larger than {limits.max_fetch_bytes:,} bytes (the host's limit)"


def _fetch_request(
    where: str, spec: dict[str, Any], number: int, limits: Limits, hide: Callable[[str], str]
) -> httpx.Request:
    """The request a fetch asks for, checked again here (V8 checked it in characters)."""
    step = f"{where}: fetch {number}"
    if not isinstance(spec, dict):
        raise InputError(f"{step}: not a request")
    url, method, headers, body = (spec.get(k) for k in ("url", "method", "headers", "body"))
    if not isinstance(url, str) or not isinstance(method, str) or not isinstance(headers, dict):
        raise InputError(f"{step}: not a request")
    if method not in _METHODS:
        raise InputError(
            f"{step}: the method {_shown(method, hide)} is not one of {', '.join(_METHODS)}"
        )
    target = _fetch_target(step, url, hide)
    pairs = _fetch_headers(step, headers, hide)
    if len(pairs) > limits.max_values:
        raise InputError(f"{step}: more than {limits.max_values} headers (the host's limit)")
    size = len(url.encode()) + (len(body.encode()) if isinstance(body, str) else 0)
    size += sum(len(name.encode()) + len(value.encode()) for name, value in pairs)
    if size > limits.max_fetch_bytes:
        raise InputError(f"{step}: {_fetch_too_large(limits)}")
    content = None
    if isinstance(body, str):
        content = body.encode()
        if not any(name.lower() == "content-type" for name, _ in pairs):
            pairs.append(("Content-Type", "text/plain;charset=UTF-8"))
    return httpx.Request(method, target, headers=pairs, content=content)


def _fetch_target(step: str, url: str, hide: Callable[[str], str]) -> httpx.URL:
    """A fetch's URL, if it is an http(s) URL with a host."""
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        target = None
    if target is None or target.scheme not in ("http", "https") or not target.host:
        raise InputError(f"{step}: {_shown(url, hide)} is not an http(s) URL")
    return target


def _fetch_headers(
    step: str, headers: dict[Any, Any], hide: Callable[[str], str]
) -> list[tuple[str, str]]:
    """A fetch's headers as pairs, each checked: a token for a name, a value a header can
    carry, none of those the host sets itself."""
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not isinstance(value, str):
            raise InputError(f"{step}: its headers must be strings")
        if not name or not set(name) <= _TOKEN:
            raise InputError(f"{step}: {_shown(name, hide)} cannot name a header")
        if name.lower() in _FORBIDDEN:
            raise InputError(f"{step}: the header {name!r} is set by the host, not the function")
        if not set(value) <= _HEADER_OCTETS or value != value.strip(" \t"):
            raise InputError(
                f"{step}: the header {_shown(name, hide)} holds a character a header cannot carry"
            )
        pairs.append((name, value))
    return pairs


def _fetch(
    where: str,
    spec: dict[str, Any],
    sent: int,
    limits: Limits,
    deadline: float,
    hide: Callable[[str], str],
) -> Generator[httpx.Request, httpx.Response, tuple[int, dict[str, Any]]]:
    """One fetch: its request (and the redirects it follows, to its own origin only: each
    counts as a fetch) yielded to be sent, its answer read under the caps and before the
    deadline; the count of requests sent so far, and the answer for the function."""
    request = _fetch_request(where, spec, sent + 1, limits, hide)
    redirected = False
    while True:
        sent += 1
        if sent > limits.max_fetches:
            raise InputError(f"{where}: {_too_many_fetches(sent, limits)}")
        left = deadline - time.monotonic()
        if left <= 0:
            raise InputError(f"{where}: stopped after {limits.milliseconds} ms (at fetch {sent})")
        request.extensions["timeout"] = httpx.Timeout(left).as_dict()
        shown = hide(redact_url(str(request.url.copy_with(query=None))))
        step = f"{where}: fetch {sent} ({request.method} {shown})"
        response = yield request
        body = _read(step, response, limits, deadline)
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or location is None:
            break
        try:
            target = request.url.join(location)
            elsewhere = origin(str(target)) != origin(str(request.url))
        except (httpx.InvalidURL, InputError, ValueError):
            raise InputError(f"{step}: redirects to something that is not a URL") from None
        if elsewhere:
            raise InputError(
                f"{step}: redirects to another origin, {hide(redact_url(str(target.copy_with(path='/', query=None))))}"
                ": not followed"
            )
        request = _redirect(request, target, response.status_code)
        redirected = True
    return sent, {
        "status": response.status_code,
        "reason": response.reason_phrase,
        "url": str(response.request.url),
        "redirected": redirected,
        "headers": [[name, value] for name, value in response.headers.multi_items()],
        "body": body,
    }


def _redirect(request: httpx.Request, target: httpx.URL, status: int) -> httpx.Request:
    """The request a redirect asks for, as fetch follows one: a 303 (and a 301 or 302 of a
    POST) becomes a GET without a body; the headers stay (the origin is the same)."""
    headers = httpx.Headers(request.headers)
    headers.pop("host", None)  # httpx sets the target's
    if (status == 303 and request.method != "HEAD") or (
        status in (301, 302) and request.method == "POST"
    ):
        for name in ("content-type", "content-length", "transfer-encoding"):
            headers.pop(name, None)
        return httpx.Request("GET", target, headers=headers)
    return httpx.Request(request.method, target, headers=headers, content=request.content)


def _read(step: str, response: httpx.Response, limits: Limits, deadline: float) -> str:
    """A fetch's answer (streamed), at most ``max_fetch_bytes`` and before the deadline, as
    text."""
    too_large = (
        f"{step}: the answer is larger than {limits.max_fetch_bytes:,} bytes (the host's limit)"
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_fetch_bytes:
        raise InputError(too_large)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_fetch_bytes:
            raise InputError(too_large)
        if time.monotonic() > deadline:
            raise InputError(f"{step}: the answer was not read before the deadline")
        chunks.append(chunk)
    if time.monotonic() > deadline:
        raise InputError(f"{step}: the answer was not read before the deadline")
    # What Response.read() keeps: httpx reads each answer of an auth flow again.
    response._content = b"".join(chunks)
    return response.text


def _frame(message: dict[str, Any]) -> bytes:
    data = json.dumps(message).encode()
    return struct.pack(">I", len(data)) + data


class _Worker:
    """One worker process (see ``runtime.sandbox_worker``)."""

    def __init__(self, where: str) -> None:
        spec = importlib.util.find_spec("py_mini_racer")
        if spec is None or not spec.submodule_search_locations:
            raise InputError(f"{where}: the JavaScript sandbox needs mini-racer, not installed")
        location = str(Path(next(iter(spec.submodule_search_locations))).parent)
        self._process = subprocess.Popen(  # our own worker, by path
            [sys.executable, "-I", "-S", str(_WORKER), location],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.pid = self._process.pid
        self.owner = os.getpid()
        self.calls = 0
        self.peak_bytes: int | None = None
        """Its peak resident memory, as its last answer told (Linux)."""
        ready = self.receive(time.monotonic() + _STARTUP_SECONDS, 4096)
        if not isinstance(ready, dict) or "ready" not in ready:
            self.close()
            why = ready.get("unavailable") if isinstance(ready, dict) else f"it {ready}"
            raise InputError(f"{where}: the JavaScript sandbox could not start ({why})")

    def send(self, frame: bytes) -> None:
        """A call."""
        self.calls += 1
        self.write(frame)

    def write(self, frame: bytes) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(frame)
        self._process.stdin.flush()

    def receive(self, deadline: float, cap: int) -> dict[str, Any] | str:
        """The next answer, or why none came: ``"late"`` (past ``deadline``) or ``"died"``
        (the worker ended, or began an answer longer than ``cap``)."""
        assert self._process.stdout is not None
        descriptor = self._process.stdout.fileno()
        data = bytearray()
        size: int | None = None
        while size is None or len(data) < 4 + size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([descriptor], [], [], left)[0]:
                return "late"
            chunk = os.read(descriptor, 1 << 16)
            if not chunk:
                return "died"
            data += chunk
            if size is None and len(data) >= 4:
                (size,) = struct.unpack(">I", data[:4])
                if size > cap:
                    return "died"
        answer: dict[str, Any] = json.loads(data[4 : 4 + size])
        self.peak_bytes = answer.pop("peak", None) or self.peak_bytes
        return answer

    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        """Stop the worker (killed: it may be busy for ever) and reap it."""
        process = self._process
        if process.returncode is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


_IDLE: list[_Worker] = []
_LOCK = threading.Lock()


def _take(where: str) -> _Worker:
    with _LOCK:
        while _IDLE:
            worker = _IDLE.pop()
            if worker.owner != os.getpid():
                continue  # inherited through a fork: the parent's, not ours to use or stop
            if worker.alive():
                return worker
            worker.close()
    return _Worker(where)


def _give(worker: _Worker) -> None:
    with _LOCK:
        if worker.calls < _CALLS_PER_WORKER and len(_IDLE) < _IDLE_WORKERS and worker.alive():
            _IDLE.append(worker)
            return
    worker.close()


@atexit.register
def _close_idle() -> None:
    with _LOCK:
        while _IDLE:
            worker = _IDLE.pop()
            if worker.owner == os.getpid():
                worker.close()
