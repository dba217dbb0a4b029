"""Secrets that flows read from Prefect Secret blocks, for runs on workers whose environment has none.

    connectory-graphql-headers-<name>   introspection headers of connector <name>: a JSON object of
                                        header names to values, ``{"Authorization": "Bearer ..."}``

Create one with ``prefect block create secret`` or in Python::

    from prefect.blocks.system import Secret
    Secret(value={"Authorization": "Bearer ..."}).save("connectory-graphql-headers-github")

``CONNECTORY_GRAPHQL_HEADERS_<NAME>`` (see ``connectory.protocols.graphql.headers``) wins header by
header. A missing block is no error (nothing is kept there); a block of another shape is, naming
the block and never a value.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.system import Secret
from pydantic import SecretStr

from connectory.protocols.graphql import headers_from_env, headers_from_object

__all__ = ["HEADERS_BLOCK", "graphql_headers"]

HEADERS_BLOCK = "connectory-graphql-headers-{name}"


def _block(name: str) -> Any:
    """The value of the Secret block ``name`` (None when there is no such block)."""
    try:
        return Secret.load(name, _sync=True).get()  # type: ignore[call-arg]
    except ValueError:  # "Unable to find block document named ..."
        return None


def graphql_headers(connector: str) -> dict[str, SecretStr]:
    """``connector``'s introspection headers: its Secret block's, then the environment's."""
    block = HEADERS_BLOCK.format(name=connector)
    value = _block(block)
    kept = headers_from_object(value, f"the Secret block {block}") if value is not None else {}
    return {**kept, **headers_from_env(connector)}
