"""Connectory's local Prefect server: started once, in the background, and reused.

The flow commands (``onboard``, ``onboard-batch``, ``reintrospect``) run real Prefect flows, which
need a Prefect API. ``PREFECT_API_URL`` (the environment, a Prefect profile) always wins: a team
server. Without one, Prefect would start a temporary server for every command (10-14 s, more
under load) and stop it at the end; Connectory instead starts one server the first time and
keeps it, so the next command finds it ready. ``connectory server start|stop|status`` manage it.

The server lives in a home of its own, beside the catalogue Connectory uses by default: the
checkout's ``catalog/prefect/`` (``make demo``, the notebooks and a command in ``src/`` share
it), else ``$XDG_DATA_HOME/connectory/prefect`` (``~/.local/share/connectory/prefect``). There:

    server.json   its pid, port and start time (written by the command that started it)
    server.lock   held (``fcntl.flock``) while a command checks, starts or stops the server, so
                  two commands started together start one server, and the second uses it
    server.log    what the server prints (uvicorn's and Prefect's warnings)
    prefect.db    its SQLite database (the flow runs, their task states and artifacts)

It is ``prefect server start`` without the command: uvicorn serving Prefect's
``create_app`` with its services, analytics off, the UI only when asked (``--ui``). The command
that starts it binds the port itself and hands the listening socket to the server: no other
process can take the port between its choice and the server's start. The server runs in a
session of its own (a Ctrl-C of the command that started it does not reach it) and stops by
itself after ``CONNECTORY_SERVER_IDLE_MINUTES`` (180) without a request or connection, like a
build daemon: nothing is left running for days after one ``onboard``. A ``server.json`` whose
pid is gone, or is not this home's server, is stale and replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from connectory.errors import ConnectoryError

from . import render
from .common import JsonOption, handles_errors, print_json

__all__ = [
    "START_SECONDS_ENV",
    "Running",
    "ServerError",
    "app",
    "ensure_running",
    "main",
    "running",
    "server_home",
    "stop",
]

HOME_FOLDER = "prefect"
START_SECONDS_ENV = "CONNECTORY_SERVER_START_SECONDS"
IDLE_MINUTES_ENV = "CONNECTORY_SERVER_IDLE_MINUTES"
DEFAULT_START_SECONDS = 180.0
DEFAULT_IDLE_MINUTES = 180.0
STOP_GRACE_SECONDS = 15.0
_MODULE = "connectory.cli.server"

app = typer.Typer(
    help="Connectory's local Prefect server, which the flow commands start and reuse when "
    "PREFECT_API_URL is not set.",
    no_args_is_help=True,
)


class ServerError(ConnectoryError):
    """The local Prefect server did not start, or cannot be stopped."""


@dataclass(frozen=True)
class Running:
    """A server of this home that is alive (it may still be starting)."""

    home: Path
    pid: int
    port: int
    started: float
    ui: bool

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def database(self) -> Path:
        return self.home / "prefect.db"


# -- where ---------------------------------------------------------------------------------------


def server_home() -> Path:
    """The checkout's ``catalog/prefect``, else the user's data folder's ``connectory/prefect``
    (where the default catalogue is, whatever ``CONNECTORY_DATABASE_URL`` names)."""
    from connectory.catalog.location import DATABASE_URL_ENV, default_location

    environ = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
    location = default_location(environ)
    assert location.path is not None  # not from the environment: a file
    return location.path.parent / HOME_FOLDER


def _state_file(home: Path) -> Path:
    return home / "server.json"


def _log_file(home: Path) -> Path:
    return home / "server.log"


@contextlib.contextmanager
def _locked(home: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the home's lock; ``waiting`` is called once when another command holds it."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / "server.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- is it there ---------------------------------------------------------------------------------


def _command_line(pid: int) -> str:
    """The command line of process ``pid`` ("" when there is none)."""
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.parent.parent.is_dir() and Path("/proc/self").exists():
        try:
            return proc.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""
    shown = subprocess.run(
        ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return shown.stdout.strip()


def _is_ours(pid: int, home: Path) -> bool:
    """Process ``pid`` is alive and is the server of ``home`` (not a pid reused since)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's: not ours
        return False
    line = _command_line(pid)
    return _MODULE in line and str(home) in line


def running(home: Path) -> Running | None:
    """The server of ``home`` if it is alive; a stale ``server.json`` is removed."""
    state = _state_file(home)
    try:
        recorded: dict[str, Any] = json.loads(state.read_text())
        found = Running(
            home=home,
            pid=int(recorded["pid"]),
            port=int(recorded["port"]),
            started=float(recorded["started"]),
            ui=bool(recorded.get("ui", False)),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        state.unlink(missing_ok=True)  # unreadable: as good as stale
        return None
    if not _is_ours(found.pid, home):
        state.unlink(missing_ok=True)
        return None
    return found


def _answers(server: Running) -> bool:
    import httpx

    try:
        answer = httpx.get(f"{server.url}/health", timeout=2.0)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200


# -- start, wait, stop ---------------------------------------------------------------------------


def _start_seconds() -> float:
    text = os.environ.get(START_SECONDS_ENV, "").strip()
    try:
        return float(text) if text else DEFAULT_START_SECONDS
    except ValueError:
        raise ServerError(f"{START_SECONDS_ENV}: expected seconds, got {text!r}") from None


def _idle_minutes(given: float | None) -> float:
    if given is not None:
        return given
    text = os.environ.get(IDLE_MINUTES_ENV, "").strip()
    try:
        return float(text) if text else DEFAULT_IDLE_MINUTES
    except ValueError:
        raise ServerError(f"{IDLE_MINUTES_ENV}: expected minutes, got {text!r}") from None


def _spawn(home: Path, *, port: int, ui: bool, idle_minutes: float) -> Running:
    """Bind the port here, start the server on that socket in a session of its own, record it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
        except OSError as error:
            raise ServerError(
                f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}"
            ) from None
        listener.listen(128)
        port = listener.getsockname()[1]
        command = [
            sys.executable,
            "-c",
            f"import sys; from {_MODULE} import main; main(sys.argv[1:])",
            "--home",
            str(home),
            "--fd",
            str(listener.fileno()),
            "--port",
            str(port),
            "--idle-minutes",
            str(idle_minutes),
            *(["--ui"] if ui else []),
        ]
        with _log_file(home).open("ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
                start_new_session=True,
                close_fds=True,
            )
    finally:
        listener.close()
    started = Running(home=home, pid=process.pid, port=port, started=time.time(), ui=ui)
    record = {"pid": started.pid, "port": port, "started": started.started, "ui": ui}
    _state_file(home).write_text(json.dumps(record) + "\n")
    return started


def _last_lines(path: Path, count: int = 5) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in lines[-count:] if line.strip())


def _wait(server: Running, seconds: float) -> None:
    """Until ``server`` answers; a ServerError naming the fix when it dies or takes too long."""
    deadline = time.monotonic() + seconds
    while not _answers(server):
        if not _is_ours(server.pid, server.home):
            _state_file(server.home).unlink(missing_ok=True)
            tail = _last_lines(_log_file(server.home))
            raise ServerError(
                "Connectory's local Prefect server stopped while starting"
                + (f": {tail}" if tail else "")
                + f" (its log: {_log_file(server.home)})"
            )
        if time.monotonic() > deadline:
            raise ServerError(
                f"Connectory's local Prefect server did not answer within {seconds:.0f} s; it "
                f"keeps starting in the background (pid {server.pid}, log "
                f"{_log_file(server.home)}): run the command again, or wait longer with "
                f"{START_SECONDS_ENV}=600, or use a Prefect server of your own with "
                "PREFECT_API_URL"
            )
        time.sleep(0.2)


def ensure_running(
    home: Path | None = None,
    *,
    port: int = 0,
    ui: bool = False,
    idle_minutes: float | None = None,
    quiet: bool = False,
) -> tuple[Running, bool]:
    """The server of ``home`` (default ``server_home()``), started if need be and answering;
    and whether this call started it. Progress goes to stderr unless ``quiet``."""
    home = server_home() if home is None else home
    seconds = _start_seconds()

    def say(text: str) -> None:
        if not quiet:
            render.err.print(text, markup=False, highlight=False)

    with _locked(home, lambda: say("waiting for another command starting the server...")):
        server = running(home)
        if server is not None and _answers(server):
            return server, False
        begun = time.monotonic()
        if server is None:
            server = _spawn(home, port=port, ui=ui, idle_minutes=_idle_minutes(idle_minutes))
            say("starting Connectory's local Prefect server (first run only)...")
        else:
            say(f"waiting for Connectory's local Prefect server (pid {server.pid}) to answer...")
        _wait(server, seconds)
        say(f"ready in {time.monotonic() - begun:.0f} s: {server.url}")
        return server, True


def stop(home: Path, *, grace: float = STOP_GRACE_SECONDS) -> Running | None:
    """Stop the server of ``home`` (SIGTERM, then SIGKILL after ``grace`` s); what was stopped."""
    with _locked(home):
        server = running(home)
        if server is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _is_ours(server.pid, home) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_ours(server.pid, home):
            with contextlib.suppress(ProcessLookupError):
                os.kill(server.pid, signal.SIGKILL)
        _state_file(home).unlink(missing_ok=True)
        return server


# -- the commands --------------------------------------------------------------------------------


def _uptime(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _describe(home: Path, server: Running | None) -> dict[str, Any]:
    base: dict[str, Any] = {
        "running": server is not None,
        "home": str(home),
        "database": str(home / "prefect.db"),
        "log": str(_log_file(home)),
    }
    if server is None:
        return base
    return {
        **base,
        "url": server.url,
        "pid": server.pid,
        "uptime_seconds": round(time.time() - server.started),
        "ui": f"http://127.0.0.1:{server.port}" if server.ui else None,
    }


def _print_rows(described: dict[str, Any]) -> None:
    rows = [
        ("URL", described.get("url")),
        ("PID", described.get("pid")),
        ("Uptime", _uptime(described["uptime_seconds"]) if "uptime_seconds" in described else None),
        (
            "UI",
            described.get("ui")
            or ("off (connectory server start --ui)" if "url" in described else None),
        ),
        ("Database", described["database"]),
        ("Log", described["log"]),
    ]
    for label, value in rows:
        if value is not None:
            render.out.print(f"{label:<8}  {value}", soft_wrap=True, markup=False, highlight=False)


@app.command("start")
@handles_errors
def start_command(
    ui: Annotated[bool, typer.Option("--ui", help="Serve Prefect's UI too.")] = False,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="The port (default: a free one).")
    ] = 0,
    idle_minutes: Annotated[
        float | None,
        typer.Option(
            "--idle-minutes",
            min=0,
            help="Stop after this many minutes without a request (0: never). Default: "
            f"{IDLE_MINUTES_ENV}, else {DEFAULT_IDLE_MINUTES:.0f}.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Start Connectory's local Prefect server in the background (if it is not running)."""
    home = server_home()
    server, started = ensure_running(
        home, port=port, ui=ui, idle_minutes=idle_minutes, quiet=as_json
    )
    if as_json:
        print_json({**_describe(home, server), "started": started})
        return
    if not started:
        render.err.print("already running", markup=False, highlight=False)
        if ui and not server.ui:
            render.err.print(
                "it serves no UI: connectory server stop, then connectory server start --ui",
                markup=False,
                highlight=False,
            )
    _print_rows(_describe(home, server))


@app.command("stop")
@handles_errors
def stop_command() -> None:
    """Stop Connectory's local Prefect server (SIGTERM, then SIGKILL after a grace)."""
    home = server_home()
    stopped = stop(home)
    if stopped is None:
        render.out.print(f"not running ({home})", markup=False, highlight=False)
    else:
        render.out.print(f"stopped (pid {stopped.pid})", markup=False, highlight=False)


@app.command("status")
@handles_errors
def status_command(as_json: JsonOption = False) -> None:
    """Show whether Connectory's local Prefect server runs: URL, pid, uptime, database."""
    home = server_home()
    server = running(home)
    described = _describe(home, server)
    if server is not None:
        described["answering"] = _answers(server)
    if as_json:
        print_json(described)
        return
    if server is None:
        render.out.print("not running (the next flow command starts it)", markup=False)
    elif not described["answering"]:
        render.out.print("starting (not answering yet)", markup=False)
    _print_rows(described)


# -- the server process --------------------------------------------------------------------------


class _Activity:
    """ASGI middleware: when the last request or connection ended, and how many are open."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.open = 0
        self.last = time.monotonic()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        self.open += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open -= 1
            self.last = time.monotonic()

    def idle_for(self) -> float:
        return 0.0 if self.open else time.monotonic() - self.last


def _server_environment(home: Path, port: int, ui: bool) -> None:
    """Prefect's settings for the server, set before Prefect is imported."""
    for name in ("PREFECT_API_URL", "PREFECT_API_KEY"):
        os.environ.pop(name, None)
    os.environ.update(
        PREFECT_HOME=str(home),
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="true" if ui else "false",
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_UI_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_LOGGING_LEVEL="WARNING",
        PREFECT_LOGGING_LEVEL="WARNING",
    )


def serve(home: Path, fd: int, port: int, *, ui: bool, idle_minutes: float) -> None:
    """Run the server on the listening socket ``fd`` until SIGTERM, or idle ``idle_minutes``."""
    _server_environment(home, port, ui)
    import uvicorn
    from prefect.server.api.server import create_app

    activity = _Activity(create_app(final=True))
    config = uvicorn.Config(activity, log_level="warning", lifespan="on", timeout_keep_alive=5)
    server = uvicorn.Server(config)

    def watch() -> None:
        while not server.should_exit:
            time.sleep(5)
            if server.started and activity.idle_for() > idle_minutes * 60:
                print(f"idle for {idle_minutes:g} minutes: stopping", flush=True)
                server.should_exit = True

    if idle_minutes > 0:
        threading.Thread(target=watch, name="idle", daemon=True).start()
    server.run(sockets=[socket.socket(fileno=fd)])
    with contextlib.suppress(OSError, ValueError, KeyError):  # stopped by itself: not stale
        if json.loads(_state_file(home).read_text())["pid"] == os.getpid():
            _state_file(home).unlink()


def main(argv: list[str]) -> None:
    """The server process: ``--home``, the listening socket ``--fd`` on ``--port``, ..."""
    import argparse

    parser = argparse.ArgumentParser(prog=_MODULE)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES)
    parser.add_argument("--ui", action="store_true")
    given = parser.parse_args(argv)
    serve(given.home, given.fd, given.port, ui=given.ui, idle_minutes=given.idle_minutes)
