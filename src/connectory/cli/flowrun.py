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
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from connectory.errors import ConnectoryError

from .common import options

if TYPE_CHECKING:
    from pydantic import SecretStr

__all__ = ["give_prefect_time_to_start", "quiet_expected_tracebacks", "run_flow"]

EPHEMERAL_STARTUP_SECONDS = "90"


def give_prefect_time_to_start() -> None:
    """Let Prefect's temporary (embedded) server take up to 90 s to start, not its default 20 s.

    On a busy or small machine the embedded server can take longer than 20 s to answer, and the
    whole command then fails. A value the user set is kept. Call before Prefect is imported.
    """
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_SECONDS
    )


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
    items partly failed ended with. Call ``give_prefect_time_to_start`` before importing it."""
    from connectory_flows.reporting import ItemsFailed
    from connectory_flows.secrets import supplied

    from connectory.catalog import default_database_url

    if not options["debug"]:
        quiet_expected_tracebacks()
    url = options["catalog"] or default_database_url()
    with supplied(catalog_url=url, headers=headers, sources=real_sources):
        try:
            return flow(**parameters)
        except ItemsFailed as failed:
            return failed.result
