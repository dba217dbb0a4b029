"""Engines for the catalogue store: the default URL (see ``location``), SQLite's set-up, transactions and redaction.

SQLite is the embedded default: one file, no server. Several processes (Prefect workers, the CLI,
a notebook) may write to it at once, so every SQLite connection is set up the same way:

* ``journal_mode=WAL``: readers never block the writer and the writer never blocks readers;
* a busy timeout of 30 s (the ``sqlite3`` driver's ``timeout``, which sets SQLite's busy timeout;
  ``connect_args={"timeout": ...}`` overrides it): a writer waits for the lock instead of failing
  at once with "database is locked";
* ``foreign_keys=ON``: SQLite does not enforce foreign keys unless told to, per connection;
* ``recursive_triggers=ON``: the rows that ``INSERT OR REPLACE`` / ``UPDATE OR REPLACE`` delete fire
  the delete triggers, so the immutability guards (see ``guards``) see them too;
* SQLAlchemy, not the ``sqlite3`` module, emits ``BEGIN`` (the recipe from SQLAlchemy's SQLite
  documentation: ``isolation_level = None`` on connect, our own ``BEGIN`` on the ``begin`` event).
  A write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front, so two
  writers queue on ``busy_timeout`` rather than both reading and then one failing to upgrade its
  lock (which SQLite reports at once, without waiting). A transaction opened by ``read_only()``
  starts with a plain (deferred) ``BEGIN``: a consistent snapshot that takes no write lock.

JSON columns are read strictly (``stored_json``): a value written by Connectory is what pydantic
dumps in JSON mode, so a stored ``NaN``, ``Infinity`` or ``1e999`` (which Python reads as
Infinity) was put there by hand. Pydantic would dump it back as ``null``, so the content hash of
a version holding it would be that of a version holding ``null``: such a value, and JSON that
does not parse, is a ``CatalogError`` naming the problem, never a version that hashes as another.

On PostgreSQL, writes run at READ COMMITTED (row locks and ``WHERE state = 'draft'`` conditions make
them safe, see ``store``) and ``read_only()`` transactions at REPEATABLE READ, so that a version and
its children are read from one snapshot.

A process that opens the catalogue again and again (a Prefect worker's flows, one task after the
other, on several threads) shares one engine per URL (``shared_engine``): its pool holds at most
``CONNECTORY_POOL_SIZE`` connections (default 4) however many threads ask, a thread that finds
them all in use waits for one (``pool_timeout``, 30 s), and the engine is made, and the catalogue
migrated, once per process. A child process (``fork``) makes its own.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from connectory.errors import CatalogError

from .location import default_location

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "create_engine",
    "default_database_url",
    "pool_size",
    "prepare_engine",
    "read_only",
    "redacted_url",
    "shared_engine",
    "sqlite_file",
    "stored_json",
]

BUSY_TIMEOUT_SECONDS = 30.0
_READ_ONLY = "connectory_read_only"
_MEMORY_DATABASES = frozenset({"", ":memory:"})


def default_database_url() -> str:
    """``$CONNECTORY_DATABASE_URL``, else the embedded SQLite file: the checkout's
    ``catalog/connectory.db`` or the user's (see ``location``)."""
    return default_location().url


def redacted_url(url: str | sa.URL) -> str:
    """The URL for display: any password becomes ``***``."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparsable database URL>"


def sqlite_file(url: sa.URL) -> Path | None:
    """The database file of a SQLite URL (None for an in-memory database or another backend)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in _MEMORY_DATABASES or database.startswith("file:") or "mode=memory" in database:
        return None
    return Path(database)


def _not_finite(token: str) -> Any:
    raise ValueError(f"the number {token} is not finite")


def _finite(token: str) -> float:
    number = float(token)
    if not math.isfinite(number):
        _not_finite(token[:20])
    return number


def stored_json(text: str | bytes) -> Any:
    """A JSON column's value, read strictly (see the module docstring)."""
    try:
        return json.loads(text, parse_constant=_not_finite, parse_float=_finite)
    except (ValueError, RecursionError) as error:
        raise CatalogError(
            f"a value stored in the catalogue cannot be read: {error} (was the database edited "
            "by hand?)"
        ) from None


def create_engine(url: str | sa.URL, **kwargs: Any) -> sa.Engine:
    """An engine set up for the catalogue; creates the folder of a SQLite file. No connection yet."""
    kwargs.setdefault("json_deserializer", stored_json)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            folder = path.expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = "a file, not a folder" if folder.is_file() else error.strerror
                raise CatalogError(f"{folder}: cannot hold the catalogue file: {reason}") from None
        connect_args = {"timeout": BUSY_TIMEOUT_SECONDS, **kwargs.pop("connect_args", {})}
        engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(parsed, **kwargs)
    prepare_engine(engine)
    return engine


DEFAULT_POOL_SIZE = 4
_SHARED_MAX = 16  # URLs a process keeps an engine for (the oldest is disposed beyond that)


def pool_size() -> int:
    """Connections a shared engine holds at most: ``CONNECTORY_POOL_SIZE`` (default 4)."""
    text = os.environ.get("CONNECTORY_POOL_SIZE", "").strip()
    if not text:
        return DEFAULT_POOL_SIZE
    try:
        size = int(text)
    except ValueError:
        size = 0
    if size < 1:
        raise CatalogError(f"CONNECTORY_POOL_SIZE={text!r} is not a positive whole number")
    return size


class _Shared:
    """The engines of this process, by URL, each with whether it was migrated here already."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.engines: dict[str, tuple[sa.Engine, threading.Lock, list[bool]]] = {}


_SHARED = _Shared()


def shared_engine(url: str) -> tuple[sa.Engine, threading.Lock, list[bool]]:
    """This process's engine for ``url`` (made on first use; see the module docstring), with a
    lock and a one-item flag list for whoever prepares the database once (``Catalog.shared``)."""
    global _SHARED
    with _SHARED.lock:
        if _SHARED.pid != os.getpid():  # a forked child: the parent's connections are not ours
            _SHARED = _Shared()
        found = _SHARED.engines.pop(url, None)
        if found is None:
            size = pool_size()
            parsed = sa.make_url(url)
            pooled: dict[str, Any] = {"pool_timeout": BUSY_TIMEOUT_SECONDS}
            if sqlite_file(parsed) is not None or parsed.get_backend_name() != "sqlite":
                pooled.update(pool_size=size, max_overflow=0)
            found = (create_engine(url, **pooled), threading.Lock(), [False])
            while len(_SHARED.engines) >= _SHARED_MAX:
                oldest = next(iter(_SHARED.engines))
                _SHARED.engines.pop(oldest)[0].dispose()
        _SHARED.engines[url] = found  # the most recently used last
        return found


def prepare_engine(engine: sa.Engine) -> None:
    """Install the SQLite connection set-up and BEGIN recipe on ``engine`` (idempotent, no I/O).

    Connections the engine's pool already holds are not changed: prepare an engine before use.
    """
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _on_sqlite_connect):
        return
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)


def _on_sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # Stop the sqlite3 module from emitting BEGIN itself; _on_sqlite_begin does it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA recursive_triggers = ON")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Put the database in WAL mode. Several processes opening a new file at once all try to; the
    switch needs the file to themselves and SQLite answers "locked" at once rather than waiting,
    so the losers wait a moment and look again (the winner has usually switched it for them)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() not in ("wal", "memory"):
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _on_sqlite_begin(connection: sa.Connection) -> None:
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def read_only(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a read-only transaction: one consistent snapshot, no write lock."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execution_options(**{_READ_ONLY: True})
        elif engine.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection
