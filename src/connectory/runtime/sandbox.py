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
    around it   the worker's data segment capped (Linux) and the worker killed at the deadline
                (plus a grace period): what V8 does not stop, the operating system does
    the answer  checked inside V8 before it leaves: at most ``function_max_values`` headers,
                query parameters and cookies, each name and value at most
                ``function_max_value_bytes``; then checked again here, in bytes, and for what
                a header or a cookie can carry

Every failure is one ``InputError`` line naming the method (stopped at the deadline or the memory
limit, the function threw, it returned something else, too much, or nothing was defined), with
the secrets hidden. Workers are reused while they answer; one that was stopped is replaced.
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
from collections.abc import (
    Callable,
    Mapping,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectory.errors import InputError
from connectory.model.auth import (
    CustomFunctionAuth,
    is_js_identifier,
)
from connectory.redaction import Redactor
from connectory.settings import Settings

__all__ = ["Limits", "limits_for", "run"]

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


def limits_for(method: CustomFunctionAuth, settings: Settings) -> Limits:
    return Limits(
        milliseconds=min(method.timeout_ms, max(1, round(settings.function_max_seconds * 1000))),
        memory_mb=min(method.memory_limit_mb, max(1, settings.function_max_memory_mb)),
        max_values=settings.function_max_values,
        max_value_bytes=settings.function_max_value_bytes,
    )


def run(
    method: CustomFunctionAuth,
    request: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: Settings,
) -> dict[str, dict[str, str]]:
    """Run ``method``'s entrypoint on ``request`` (``{method, url, headers, body}``) with the
    secrets: the ``headers``, ``query`` and ``cookies`` it adds (see the module docstring)."""
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
        "request": dict(request),
        "credentials": dict(secrets),
    }
    answer = _ask(where, job, limits)
    hide = Redactor(secrets.values()).text
    if "added" in answer:
        added: dict[str, dict[str, str]] = answer["added"]
        _check(where, added, limits, hide)
        return added
    if "stopped" in answer:
        raise InputError(_stopped(where, method, limits, answer["stopped"]))
    if "missing" in answer:
        raise InputError(f"{where}: its source defines no function {method.entrypoint!r}")
    if "problem" in answer:
        raise InputError(f"{where}: {_problem(answer['problem'], limits, hide)}")
    raise InputError(f"{where} failed: {hide(str(answer.get('failed')))[:300]}")


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
    if code == "promise":
        return (
            "must return an object of headers, query and cookies, not a Promise "
            "(the function runs without an event loop: it cannot be async)"
        )
    if code == "strings":
        return f"{problem.get('part')!r} must be an object of strings"
    if code == "count":
        return f"returned more than {limits.max_values} values (the host's limit)"
    if code == "long name":
        return f"returned a {label} name {too_long}"
    if code == "long value":
        return f"returned a {label} {_shown(str(problem.get('name')), hide)} {too_long}"
    return "must return an object of headers, query and cookies"


def _check(
    where: str, added: dict[str, dict[str, str]], limits: Limits, hide: Callable[[str], str]
) -> None:
    """What V8 checked in characters, checked in bytes, and for what HTTP can carry."""
    for part, values in added.items():
        label = _LABELS[part]
        for name, value in values.items():
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


def _ask(where: str, job: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """The worker's answer to ``job``; a worker that died or overran the deadline is killed and
    reported as stopped (memory or time)."""
    frame = _frame(job)
    cap = 4096 + 12 * limits.max_values * limits.max_value_bytes
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
    try:
        answer = worker.receive(time.monotonic() + limits.milliseconds / 1000 + _GRACE_SECONDS, cap)
    except BaseException:  # interrupted (Ctrl-C): the worker may be busy for a while yet
        worker.close()
        raise
    if isinstance(answer, dict) and "stopped" not in answer:
        _give(worker)
        return answer
    worker.close()
    if isinstance(answer, dict):
        return answer
    return {"stopped": "time" if answer == "late" else "memory"}


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
        assert self._process.stdin is not None
        self.calls += 1
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
