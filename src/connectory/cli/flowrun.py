"""Running a Prefect flow from the command line, with terminal-friendly logs.

Prefect logs a failed task with its traceback. For Connectory's own errors (a bad document, an
unknown name) that traceback says nothing the one-line error does not, so the console shows the
log line without it; the Prefect API (and UI) still receives everything. ``--debug`` keeps it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from ..errors import ConnectoryError

__all__ = ["give_prefect_time_to_start", "quiet_expected_tracebacks"]

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
