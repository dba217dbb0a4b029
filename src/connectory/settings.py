"""Every limit and safety switch of onboarding, in one frozen object passed explicitly.

The defaults are safe for hostile input; raise a limit only for a document you trust.
``Settings.from_env()`` reads ``CONNECTORY_<FIELD>`` overrides,
e.g. ``CONNECTORY_MAX_DOCUMENT_BYTES``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import DocumentError, InputError

__all__ = ["DEFAULT_SETTINGS", "Settings", "Tally", "env_json_object"]

_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    max_document_bytes: int = 64 * 1024 * 1024
    """Refuse a document (or a response) larger than this."""
    max_upload_bytes: int = 64 * 1024 * 1024
    """Refuse to send a file larger than this: a request body or multipart part an input gives
    as ``{"path": ...}``, ``{"base64": ...}`` or bytes (``runtime.bodies``)."""
    max_delivery_bytes: int = 8 * 1024 * 1024
    """Refuse a webhook delivery larger than this (before reading it, when it says its length)."""
    max_delivery_tolerance_seconds: int = 3600
    """A signed delivery's timestamp may be at most this far from now, whatever tolerance its
    trigger declares (a connector may ask for less, never more: a captured signature expires)."""
    fetch_deadline: float = 60.0
    """Total seconds one fetch may take, however slowly the server drips its answer."""
    connect_timeout: float = 10.0
    max_redirects: int = 5
    max_referenced_documents: int = 1000
    """Refuse a document split across more files than this (itself and every file its refs reach)."""
    max_ref_chain: int = 100
    """Refuse a chain of references (a ``$ref`` to a ``$ref`` to ...) longer than this."""
    max_schema_nodes: int = 1_000_000
    """Refuse a document whose schemas, once references are inlined, exceed this many nodes
    (references that fan out exponentially)."""
    max_operations: int = 20_000
    """Refuse a document that describes more operations than this (OpenAPI operations, SOAP
    operations of a WSDL's port types, GraphQL root fields), as soon as the count passes it: the
    largest real ones have under 2,000 (GitHub's REST description 1,223)."""
    max_types: int = 30_000
    """Refuse a document that defines more types than this (GraphQL named types, the global
    types and elements of a WSDL's XSD schemas), as soon as the count passes it: GitHub's
    GraphQL schema has 1,606, Workday's Human Resources WSDL 2,242."""
    max_example_checks: int = 2000
    """Check at most this many examples against their schemas (a finding says when capped)."""
    example_check_seconds: float = 1.0
    """Stop checking examples after this many seconds (a finding says when stopped)."""
    xml_forbid_dtd: bool = True
    """Refuse an XML document (WSDL, XSD) with a DOCTYPE. Even when allowed, no DTD is ever loaded
    and no entity is ever expanded: a document that uses an entity reference is refused."""
    xml_forbid_external: bool = True
    """Load a WSDL's imports only from its own folder (a path) or origin (a URL), or from the
    catalogue of well-known schemas shipped with Connectory. ``False`` (for a trusted document)
    also allows other paths and other http(s) hosts; ``file:`` URLs stay refused."""
    max_xml_documents: int = 256
    """Refuse a WSDL that needs more documents than this (itself, imported WSDLs and XSDs)."""
    function_max_seconds: float = 5.0
    """A ``custom_function`` auth method runs at most this long per call, whatever it asks for."""
    function_max_memory_mb: int = 64
    """... and within this much memory (V8's heap, and as much again in array buffers)."""
    function_max_values: int = 64
    """... and adds at most this many headers, query parameters and cookies to a request."""
    function_max_value_bytes: int = 8192
    """... each name and value at most this long (UTF-8)."""
    function_max_total_bytes: int = 64 * 1024
    """... all of them together at most this long (UTF-8)."""
    function_max_fetches: int = 5
    """... sends at most this many requests with ``fetch`` per call (a redirect followed is one
    more), each to an origin accepted for the connector, within the call's time limit."""
    function_max_fetch_bytes: int = 1024 * 1024
    """... each fetch's request (URL, headers, body) and answer at most this long."""
    graphql_max_sdl_tokens: int = 500_000
    """Refuse GraphQL SDL with more tokens than this: GitHub's 1.2 MB schema has about 60,000.
    graphql-core parses about 100,000 tokens a second, so this bounds a hostile document to
    seconds."""
    graphql_max_operation_tokens: int = 100_000
    """Refuse a user's GraphQL operation document (``add_graphql_action``) with more tokens."""
    graphql_max_default_value_tokens: int = 10_000
    """Refuse an introspection result whose argument or input field has a default value (GraphQL
    text) of more tokens than this."""
    graphql_max_type_wrapping: int = 16
    """Refuse an introspection result whose type reference has more ``LIST``/``NON_NULL``
    wrappers than this (``[[Int!]!]!`` has 5)."""
    graphql_max_depth: int = 3
    """The default selection set of a generated GraphQL operation goes at most this many levels
    under its root field (``search { nodes { ... on Issue { author {...} } } }`` has three)."""
    graphql_max_selections: int = 60
    """... and selects at most this many fields (shallow ones first)."""
    graphql_max_fragment_types: int = 12
    """... and an interface with more implementations than this gets its own fields only, not an
    inline fragment per implementation."""
    invoke_shared_clients: int = 16
    """``invoke`` keeps at most this many HTTP clients to share between calls (one per connector
    and client certificate), the least recently used closed first."""
    invoke_retries: int = 3
    """``invoke`` sends a request again at most this many times when the system answers 429 or
    503 (or, for GET, HEAD, PUT, DELETE and OPTIONS, cannot be reached)..."""
    invoke_max_wait_seconds: float = 30.0
    """... waiting at most this long in all (as ``Retry-After`` asks, else backing off
    exponentially with jitter); a server that asks for longer is an error at once."""
    invoke_max_pages: int = 100
    """``invoke_pages`` reads at most this many pages of a paginated action..."""
    invoke_max_items: int = 100_000
    """... and yields at most this many items..."""
    invoke_max_page_bytes: int = 16 * 1024 * 1024
    """... each page at most this large (a larger one is an error, not read to its end)."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        overrides: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            value = environ.get(f"CONNECTORY_{field.name.upper()}")
            if value is None:
                continue
            if field.type in ("bool", bool):
                flag = _FLAGS.get(value.strip().lower())
                if flag is None:
                    raise InputError(
                        f"CONNECTORY_{field.name.upper()}={value!r} is not a boolean "
                        "(use true or false)"
                    )
                overrides[field.name] = flag
                continue
            kind = int if field.type in ("int", int) else float
            try:
                overrides[field.name] = kind(value)
            except ValueError:
                raise InputError(
                    f"CONNECTORY_{field.name.upper()}={value!r} is not a number"
                ) from None
        return dataclasses.replace(cls(), **overrides)  # type: ignore[arg-type]


DEFAULT_SETTINGS = Settings()


class Tally:
    """What a walk over a document has met, counted against one limit of ``Settings``
    (``max_operations``, ``max_types``): ``add`` refuses as soon as the count passes it, so that
    a huge document is refused before everything is built from it."""

    __slots__ = ("count", "limit", "setting", "what")

    def __init__(self, settings: Settings, setting: str, what: str) -> None:
        self.setting = setting
        self.limit: int = getattr(settings, setting)
        self.what = what
        self.count = 0

    def add(self, count: int = 1, *, location: str | None = None) -> None:
        """Count ``count`` more; ``DocumentError`` naming the limit once past it."""
        self.count += count
        if self.count > self.limit:
            raise DocumentError(
                f"the document has more than {self.limit:,} {self.what} "
                f"(CONNECTORY_{self.setting.upper()}, {self.count:,} counted so far); raise the "
                "limit if you trust the document",
                location=location,
            )

    def check(self, count: int, *, location: str | None = None) -> None:
        """A whole count at once (a list already read): ``DocumentError`` when it passes."""
        if count > self.limit:
            raise DocumentError(
                f"the document has {count:,} {self.what}, more than the {self.limit:,} allowed "
                f"(CONNECTORY_{self.setting.upper()}); raise the limit if you trust the document",
                location=location,
            )


def env_json_object(
    variable: str, expected: str, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The JSON object in environment variable ``variable`` ({} when unset or blank); an
    ``InputError`` saying ``expected`` (what it should hold) otherwise. Errors never repeat the
    value: such variables hold secrets."""
    text = (os.environ if environ is None else environ).get(variable)
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise InputError(f"{variable} is not JSON: expected {expected}") from None
    if not isinstance(value, dict):
        raise InputError(f"{variable} must be {expected}")
    return value
