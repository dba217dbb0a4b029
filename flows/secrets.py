"""The secrets flows use, none of them a run's parameter.

Prefect keeps a flow run's parameters in its database in plain text and serves them to whoever
can read its API (a ``SecretStr`` shows as ``**********`` only when a Python caller passes one;
a run created from a deployment keeps whatever it was given). So no flow takes a secret as a
parameter. Each comes from, first found first:

    the catalogue URL            given in this process (``supplied``: what the CLI does), then
                                 CONNECTORY_DATABASE_URL, then the Secret block named by the
                                 run's ``catalog_block`` parameter (a name, not a secret), else
                                 ``connectory-catalog-url``; then, outside a deployment, the
                                 embedded SQLite file (the checkout's or the user's:
                                 ``connectory.catalog.location``). A run of a deployment (on a
                                 worker) that finds none of them fails, saying so: a worker
                                 never writes to a file of its own that nobody else reads.
    introspection headers of     given in this process (``--header``), else the Secret block
    connector <name>             ``connectory-graphql-headers-<name>`` and
                                 CONNECTORY_GRAPHQL_HEADERS_<NAME>, which wins header by header
    a source URL's secrets       given in this process: the run's parameter is the URL with its
                                 password and secret-looking query values hidden (``shown``)

Blocks are for runs on workers, whose environment holds no secret. Create one with
``prefect block create secret`` or in Python::

    from prefect.blocks.system import Secret
    Secret(value="postgresql+psycopg://connectory:...@db:5432/catalog").save("connectory-catalog-url")
    Secret(value={"Authorization": "Bearer ..."}).save("connectory-graphql-headers-github")

A missing block is no error (nothing is kept there) unless the run named it; a block of another
shape is, naming the block and never a value. The catalogue is opened on the process's shared
engine (``Catalog.shared``: one bounded pool per process, migrated once).

A run of a deployment may run on any worker: its sources must be URLs the worker can fetch
(``reachable``), a path only when that very path exists on the worker. What is given in this process reaches the flow's tasks too (Prefect
runs them in a copy of the caller's context), never a child process.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from prefect.blocks.system import Secret
from pydantic import SecretStr

from connectory.catalog import Catalog, default_database_url
from connectory.documents.fetch import is_url
from connectory.errors import InputError
from connectory.protocols.graphql import (
    accepted_from_env,
    accepted_in_object,
    headers_from_env,
    headers_from_object,
)
from connectory.redaction import redact_url
from connectory.runtime.credentials import SecretsFile

__all__ = [
    "CATALOG_BLOCK",
    "HEADERS_BLOCK",
    "catalog_url",
    "deployment",
    "graphql_accepted_origins",
    "graphql_headers",
    "open_catalog",
    "reachable",
    "real_source",
    "shown",
    "supplied",
]

CATALOG_BLOCK = "connectory-catalog-url"
HEADERS_BLOCK = "connectory-graphql-headers-{name}"


@dataclass(frozen=True)
class _Supplied:
    catalog_url: SecretStr | None = None
    headers: Mapping[str, Mapping[str, SecretStr]] = field(default_factory=dict)
    sources: Mapping[str, SecretStr] = field(default_factory=dict)
    """A source's redacted form (the run's parameter) -> the source itself."""


_SUPPLIED: ContextVar[_Supplied | None] = ContextVar("connectory_flows_supplied", default=None)
_NOTHING = _Supplied()


def _given() -> _Supplied:
    return _SUPPLIED.get() or _NOTHING


def shown(source: str) -> str:
    """``source`` as a run's parameter shows it: a URL without its password or secret-looking
    query values; a path as it is."""
    return redact_url(source) if is_url(source) else source


@contextmanager
def supplied(
    *,
    catalog_url: str | None = None,
    headers: Mapping[str, Mapping[str, SecretStr]] | None = None,
    sources: Iterable[str] = (),
) -> Iterator[None]:
    """Flows run inside the block (in this process) use these secrets: the catalogue at
    ``catalog_url``, ``headers`` by connector name, and each of ``sources`` where its ``shown``
    form is the run's parameter."""
    token = _SUPPLIED.set(
        _Supplied(
            catalog_url=SecretStr(catalog_url) if catalog_url else None,
            headers={name: dict(given) for name, given in (headers or {}).items()},
            sources={shown(source): SecretStr(source) for source in sources},
        )
    )
    try:
        yield
    finally:
        _SUPPLIED.reset(token)


def _block(name: str) -> Any:
    """The value of the Secret block ``name`` (None when there is no such block)."""
    try:
        # Prefect types load() for async callers too: _sync is not in its signature, and its
        # result may be a coroutine (never, with _sync=True).
        return Secret.load(name, _sync=True).get()  # type: ignore[call-arg, union-attr]
    except ValueError:  # "Unable to find block document named ..."
        return None


def deployment() -> str | None:
    """The deployment this flow run was created from (its name, else its id), None when the run
    was not (a flow called in this process: the CLI, a notebook, a test)."""
    from prefect.runtime import deployment as current

    if current.id is None:
        return None
    return str(current.name or current.id)


def catalog_url(block: str | None = None) -> SecretStr:
    """The catalogue the flows use (see the module docstring for where it comes from); ``block``
    names the Secret block to read instead of ``connectory-catalog-url``."""
    given = _given().catalog_url
    if given is not None:
        return given
    if os.environ.get("CONNECTORY_DATABASE_URL", "").strip():
        return SecretStr(default_database_url())
    name = block or CATALOG_BLOCK
    kept = _block(name)
    if kept is not None:
        if not isinstance(kept, str) or not kept.strip():
            raise InputError(f"the Secret block {name} must hold a database URL (a string)")
        return SecretStr(kept.strip())
    if block is not None:
        raise InputError(f"there is no Secret block named {block} (the run's catalog_block)")
    deployed = deployment()
    if deployed is not None:
        raise InputError(
            f"this run of the deployment {deployed} has no catalogue: worker "
            f"{socket.gethostname()} has no CONNECTORY_DATABASE_URL and there is no Secret "
            f"block {CATALOG_BLOCK} (or the block named by the run's catalog_block); give the "
            "workers the team's PostgreSQL URL in one of them (see the README's team deployment)"
        )
    return SecretStr(default_database_url())


def open_catalog(url: SecretStr) -> Catalog:
    """The catalogue at ``url`` on this process's shared engine (migrated once per process); its
    URL shows without its password. Closing it leaves the engine to the next task."""
    return Catalog.shared(url.get_secret_value())


def reachable(source: str) -> str:
    """``source``, refused (``InputError``) when it is a path that a run of a deployment cannot
    read: the run may be on any worker, so a deployment's sources are URLs (or paths that exist on
    every worker, e.g. a shared mount). Outside a deployment a path is read as given."""
    if is_url(source) or "://" in source:
        return source
    deployed = deployment()
    if deployed is None or os.path.exists(source):
        return source
    raise InputError(
        f"{source} is a path, and this run of the deployment {deployed} runs on worker "
        f"{socket.gethostname()}, where it does not exist: give a deployment http(s) URLs "
        "(serve the documents, e.g. from object storage or `python -m http.server`), or paths "
        "that exist on every worker (a shared mount)"
    )


def real_source(source: str) -> str:
    """The source a run's parameter ``source`` stands for: the one given in this process whose
    ``shown`` form it is, else ``source`` itself."""
    given = _given().sources.get(source)
    return given.get_secret_value() if given is not None else source


def graphql_accepted_origins(connector: str) -> frozenset[str]:
    """The origins ``connector``'s introspection headers may go to: accepted in the secrets file
    (``connectory trust``), or listed under ``$accepted_origins`` beside the headers in its Secret
    block or environment variable (``connectory.protocols.graphql.headers``)."""
    block = HEADERS_BLOCK.format(name=connector)
    value = _block(block)
    listed = accepted_in_object(value, f"the Secret block {block}") if value is not None else set()
    return frozenset(
        {*listed, *accepted_from_env(connector), *SecretsFile.default().accepted_origins(connector)}
    )


def graphql_headers(connector: str) -> dict[str, SecretStr]:
    """``connector``'s introspection headers: those given in this process, else its Secret
    block's and the environment's."""
    given = _given().headers.get(connector)
    if given is not None:
        return dict(given)
    block = HEADERS_BLOCK.format(name=connector)
    value = _block(block)
    kept = headers_from_object(value, f"the Secret block {block}") if value is not None else {}
    return {**kept, **headers_from_env(connector)}
