"""Database errors, translated: nothing from SQLAlchemy or a driver leaves the store's API.

    CatalogError (connectory.errors)
    ├── ImmutableVersion      a guard trigger refused the write ("connectory: ... immutable")
    ├── Conflict              any other integrity violation: a unique key someone else took first
    ├── ValueRefused          the database cannot hold a value (PostgreSQL: a NUL in text, a number
    │                         out of range; SQLSTATE class 22): also an InputError, not retried
    ├── CatalogBusy           locked (SQLite "database is locked"), serialization failure,
    │                         deadlock, lock timeout: also a TransientError, worth retrying
    └── CatalogUnavailable    the server cannot be reached or went away: also a TransientError

Anything else becomes a plain ``CatalogError``. Messages name the catalogue by its redacted URL
and never carry the password; the original exception stays available as ``__cause__``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from connectory.errors import (
    CatalogError,
    Conflict,
    ConnectoryError,
    ImmutableVersion,
    InputError,
    TransientError,
)

__all__ = [
    "CatalogBusy",
    "CatalogUnavailable",
    "ValueRefused",
    "catalog_error_for",
    "is_database_error",
    "raising_catalog_errors",
]

GUARD_PREFIX = "connectory:"
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})
_INSUFFICIENT_PRIVILEGE = "42501"
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


class ValueRefused(CatalogError, InputError):
    """The database cannot hold a value of the input (SQLSTATE class 22): the input is at fault."""


class CatalogBusy(CatalogError, TransientError):
    """The database is busy (locked, a serialization failure, a deadlock): try again."""


class CatalogUnavailable(CatalogError, TransientError):
    """The database cannot be reached, or the connection broke: try again later."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def is_database_error(error: BaseException) -> bool:
    """Whether ``error`` comes from SQLAlchemy or a database driver (sqlite3, psycopg)."""
    return isinstance(error, sa.exc.SQLAlchemyError | sqlite3.Error) or type(
        error
    ).__module__.startswith("psycopg")


def catalog_error_for(
    error: Exception, url: str, *, subject: str | None = None, secret: str | None = None
) -> CatalogError:
    """The ``CatalogError`` to raise for ``error`` (``subject``: e.g. ``connector@label``)."""
    original = getattr(error, "orig", None) if isinstance(error, sa.exc.SQLAlchemyError) else error
    message = _first_line(original if original is not None else error)
    if secret:
        message = message.replace(secret, "***")
    sqlstate: str | None = getattr(original, "sqlstate", None)
    code = sqlstate or ""
    about = f"{subject}: " if subject else ""
    if GUARD_PREFIX in message:
        return ImmutableVersion(about + message[message.index(GUARD_PREFIX) :])
    if isinstance(error, sa.exc.IntegrityError | sqlite3.IntegrityError) or code.startswith("23"):
        return Conflict(f"{about}the catalogue {url} refused the write: {message}")
    where = f"the catalogue {url}"
    if code.startswith("22") or isinstance(error, sa.exc.DataError):
        return ValueRefused(f"{about}{where} cannot hold a value given: {message}")
    if sqlstate == _INSUFFICIENT_PRIVILEGE:
        return CatalogError(
            f"{where}: {message}: this role may read and write rows, not change the schema; the "
            "tables' owner runs the migrations (connectory --catalog OWNER_URL migrate)"
        )
    if _is_busy(error, original, sqlstate, message):
        return CatalogBusy(f"{where} is busy, try again: {message}")
    if _is_unavailable(error, original, sqlstate):
        return CatalogUnavailable(f"{where} cannot be reached: {message}")
    return CatalogError(f"{where}: {type(original or error).__name__}: {message}")


def _is_busy(error: Exception, original: object, sqlstate: str | None, message: str) -> bool:
    """A pool timeout, a lock, a serialization failure or a deadlock: worth another try."""
    if isinstance(error, sa.exc.TimeoutError) or sqlstate in _BUSY_SQLSTATES:
        return True
    return isinstance(original, sqlite3.OperationalError) and (
        "locked" in message or "busy" in message
    )


def _is_unavailable(error: Exception, original: object, sqlstate: str | None) -> bool:
    """The server cannot be reached, refused the connection or went away."""
    if sqlstate in _UNAVAILABLE_SQLSTATES or (sqlstate or "").startswith("08"):
        return True
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    # a driver's OperationalError without a SQLSTATE (psycopg: the connection failed)
    return (
        sqlstate is None
        and type(original).__name__ == "OperationalError"
        and not isinstance(original, sqlite3.Error)
    )


@contextmanager
def raising_catalog_errors(
    url: str, *, subject: str | None = None, secret: str | None = None
) -> Iterator[None]:
    """Re-raise SQLAlchemy and driver errors inside the block as ``CatalogError`` s."""
    try:
        yield
    except ConnectoryError:
        raise
    except Exception as error:
        if not is_database_error(error):
            raise
        raise catalog_error_for(error, url, subject=subject, secret=secret) from error
