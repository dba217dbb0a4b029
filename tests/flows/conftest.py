"""The flows' tests: the catalogue comes from CONNECTORY_DATABASE_URL, as on a worker.

``postgresql_schema_url`` (a fresh PostgreSQL schema, see ``tests/catalog/conftest.py``), ``run``
(the ``connectory`` command, see ``tests/cli/conftest.py``) and ``info_logs`` (the runs' INFO
logs go to the API too) are there for the tests that ask.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.catalog.conftest import postgresql_schema_url  # noqa: F401  (a fixture)
from tests.cli.conftest import run  # noqa: F401  (a fixture)


@pytest.fixture(autouse=True)
def _catalog_from_the_environment(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORY_DATABASE_URL", sqlite_url)


@pytest.fixture
def info_logs() -> Iterator[None]:
    """Flow and task runs log at INFO (the test suite keeps Prefect at WARNING)."""
    loggers = [logging.getLogger(name) for name in ("prefect.flow_runs", "prefect.task_runs")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
