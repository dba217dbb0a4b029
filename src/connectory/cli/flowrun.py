"""Running a Prefect flow from the command line: in this process, secrets given in-process, and
terminal-friendly logs.

Prefect keeps a run's parameters in its database and serves them, so the catalogue URL (a
password in it), ``--header`` values and a source URL's secrets are given to the flow in this
process (``connectory_flows.secrets.supplied``), never as parameters: the parameters show a
source URL without its secrets (``shown``).

A run some of whose items failed (documents of a batch, endpoints) ends Failed in Prefect; the
command still gets every item's outcome (``ItemsFailed.result``) to print, and chooses its exit
code.

Prefect logs a failed task with its traceback. For Connectory's own errors (a bad document, an
unknown name) that traceback says nothing the one-line error does not, so the console shows the
log line without it; the Prefect API (and UI) still receives everything. ``--debug`` keeps it.

The Prefect API is ``PREFECT_API_URL`` when it is set (the environment or a Prefect profile: a
team server), else Connectory's local server (``cli/server.py``), started by the first command
that needs it and reused by the next. Before any of that, and before Prefect is imported,
``check_before_run`` checks what can be checked at once (the source is a file or a well-formed
URL, the catalogue opens): a mistake is reported in a moment, not after a server start.

The console shows Prefect's warnings and errors; ``--verbose`` shows its INFO lines too (each task's
state, the flow run's name). The command's own result follows them, after a blank line when
Prefect printed anything.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr

from connectory.errors import ConnectoryError, SourceError

from .common import options

__all__ = [
    "VerboseOption",
    "check_before_run",
    "check_source",
    "quiet_expected_tracebacks",
    "run_flow",
]

VerboseOption = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Show Prefect's INFO logs (each task's state) too."),
]


def check_source(source: str) -> None:
    """What can be known of ``source`` at once: a file (or a folder) that exists, or an http(s)
    URL with a host; a SourceError naming it otherwise (the fetch task reads it later)."""
    from connectory.origins import is_url

    if is_url(source):
        import httpx

        try:
            host = httpx.URL(source).host
        except httpx.InvalidURL as error:
            raise SourceError(f"invalid URL: {error}", location=source) from None
        if not host:
            raise SourceError("invalid URL: no host", location=source)
        return
    if "://" in source:
        scheme = source.split("://", 1)[0]
        raise SourceError(f"unsupported URL scheme {scheme!r}: use a path, http:// or https://")
    path = Path(source)
    if not path.exists():
        raise SourceError("no such file", location=source)
    if not (path.is_file() or path.is_dir()):
        raise SourceError("not a file", location=source)
    if not os.access(path, os.R_OK):
        raise SourceError("permission denied", location=source)


def check_before_run(verbose: bool = False) -> None:
    """Before Prefect is imported: the catalogue opens (a ConnectoryError otherwise), Prefect's
    console logs at WARNING (INFO when ``verbose``; a PREFECT_LOGGING_LEVEL set wins otherwise)
    and its telemetry off (``DO_NOT_TRACK``, the server's analytics) unless the user set them."""
    from connectory.catalog import Catalog

    with Catalog.open(options["catalog"]):
        pass
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    else:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")  # Prefect's client-side telemetry


def _configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment, or Prefect's settings (a profile, prefect.toml)."""
    configured = os.environ.get("PREFECT_API_URL", "").strip()
    if configured:
        return configured
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


@contextmanager
def _prefect_api() -> Iterator[None]:
    """PREFECT_API_URL if set, else Connectory's local server, started if need be."""
    if _configured_api_url():
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from .server import ensure_running

    server, _ = ensure_running()
    with temporary_settings(updates={PREFECT_API_URL: server.url}):
        yield


class _Printed(logging.Handler):
    """Notes whether anything was logged to the console."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.any = False

    def emit(self, record: logging.LogRecord) -> None:
        self.any = True


class _WithoutExpectedTracebacks(logging.Formatter):
    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, ConnectoryError):
            return self.inner.format(record)
        saved: tuple[Any, Any] = (record.exc_info, record.exc_text)
        record.exc_info, record.exc_text = None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text = saved


def quiet_expected_tracebacks() -> None:
    """Set up Prefect's logging now and drop tracebacks of ConnectoryErrors from the console."""
    from prefect.logging.configuration import setup_logging
    from prefect.logging.handlers import PrefectConsoleHandler

    setup_logging()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and not isinstance(
            handler.formatter, _WithoutExpectedTracebacks
        ):
            handler.setFormatter(
                _WithoutExpectedTracebacks(handler.formatter or logging.Formatter())
            )


def _console_level() -> int:
    from prefect.logging.handlers import PrefectConsoleHandler

    levels = [h.level for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    return min(levels, default=logging.WARNING)


def run_flow(
    flow: Any,
    *,
    headers: Mapping[str, Mapping[str, SecretStr]] | None = None,
    real_sources: Iterable[str] = (),
    **parameters: Any,
) -> Any:
    """Run ``flow`` here with ``parameters``, on the catalogue of ``--catalog`` (else
    ``CONNECTORY_DATABASE_URL``, else the embedded file), with ``headers`` (by connector) and
    the ``real_sources`` whose ``shown`` forms are parameters; its result, or the result a run whose
    items partly failed ended with. Call ``check_before_run`` before importing it."""
    from connectory_flows.reporting import ItemsFailed
    from connectory_flows.secrets import supplied

    from connectory.catalog import default_database_url

    if not options["debug"]:
        quiet_expected_tracebacks()
    url = options["catalog"] or default_database_url()
    printed = _Printed()
    printed.setLevel(_console_level())
    root = logging.getLogger()
    with _prefect_api(), supplied(catalog_url=url, headers=headers, sources=real_sources):
        root.addHandler(printed)
        try:
            return flow(**parameters)
        except ItemsFailed as failed:
            return failed.result
        finally:
            root.removeHandler(printed)
            if printed.any:
                sys.stderr.write("\n")  # the command's result apart from Prefect's log lines
