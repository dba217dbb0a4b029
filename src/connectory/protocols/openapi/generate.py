"""An OpenAPI 3.0 / 3.1 document -> a draft ``ConnectorVersion`` of protocol ``http``.

``generate`` raises only when the document is not OpenAPI 3.x at all (``ProtocolError``: Swagger 2.0,
no ``openapi`` key, another version, ``paths`` not an object; ``DocumentError``: not an object).
Everything else wrong with a real document becomes a ``Finding`` on the version. The document is read,
never changed; the steps run in this order, all sharing one ``Context``:

    servers      root ``servers``                      -> metadata
    definitions  ``components.schemas``                -> definitions (JSON Schema 2020-12)
    auth         ``components.securitySchemes``        -> auth methods; root ``security`` -> default
    actions      ``paths``                             -> actions (parameters, bodies, responses)
    triggers     ``webhooks`` / ``x-webhooks``, ``callbacks`` -> triggers
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectory.errors import DocumentError, ProtocolError
from connectory.model import ConnectorVersion, HttpMetadata

from .actions import build_actions
from .auth import auth_methods, requirements
from .context import Context
from .definitions import definitions
from .findings import Findings, shorten
from .refs import Resolver
from .schemas import SchemaConverter
from .servers import servers
from .triggers import callback_triggers, webhook_triggers

__all__ = ["generate"]

_VERSION = re.compile(r"3\.([01])\.\d+(?:-[0-9A-Za-z.-]+)?")
_DEFAULT_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"


def _openapi_version(document: Any, findings: Findings) -> str:
    """The ``openapi`` version (``3.0.x`` or ``3.1.x``), or an exception saying what this is not."""
    if not isinstance(document, Mapping):
        raise DocumentError(
            f"an OpenAPI document is a JSON/YAML object, not {type(document).__name__}", location=""
        )
    if "swagger" in document:
        raise ProtocolError(
            f"Swagger {document['swagger']} documents are not supported yet: convert the document "
            "to OpenAPI 3 first",
            location="/swagger",
        )
    if "openapi" not in document:
        raise ProtocolError("no 'openapi' key: not an OpenAPI 3.x document", location="/openapi")
    version = document["openapi"]
    if isinstance(version, float) and version in (3.0, 3.1):
        findings.warning(
            "invalid-openapi-version",
            "/openapi",
            f"openapi must be a string like '3.0.3', not {version}",
        )
        version = f"{version}.0"
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise ProtocolError(
            f"unsupported OpenAPI version {shorten(version)} (supported: 3.0.x, 3.1.x)",
            location="/openapi",
        )
    paths = document.get("paths")
    if paths is not None and not isinstance(paths, Mapping):
        raise ProtocolError(f"paths must be an object, not {shorten(paths)}", location="/paths")
    components = document.get("components")
    if components is not None and not isinstance(components, Mapping):
        raise ProtocolError(
            f"components must be an object, not {shorten(components)}", location="/components"
        )
    return version


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def generate(
    document: Mapping[str, Any],
    *,
    connector: str,
    source: str,
    sha256: str,
    fetched_at: datetime,
) -> ConnectorVersion:
    """The draft connector version that the OpenAPI 3.0/3.1 ``document`` describes."""
    findings = Findings()
    version = _openapi_version(document, findings)
    openapi_30 = version.startswith("3.0")
    if not openapi_30:
        dialect = document.get("jsonSchemaDialect")
        if dialect is not None and dialect != _DEFAULT_DIALECT:
            findings.info(
                "schema-dialect",
                "/jsonSchemaDialect",
                f"schemas are read as JSON Schema 2020-12, not as {shorten(dialect)}",
            )
    if document.get("paths") is None and openapi_30:
        findings.warning("missing-paths", "/paths", "an OpenAPI 3.0 document needs paths")
    resolver = Resolver(document, findings)
    converter = SchemaConverter(resolver, openapi_30=openapi_30)
    components = document.get("components") or {}
    schemes = components.get("securitySchemes")
    context = Context(
        resolver=resolver,
        schemas=converter,
        findings=findings,
        scheme_names=frozenset(map(str, schemes)) if isinstance(schemes, Mapping) else frozenset(),
    )
    info = document.get("info")
    if not isinstance(info, Mapping):
        findings.warning("invalid-object", "/info", "info must be an object with a title")
        info = {}
    document_version = info.get("version")

    metadata = HttpMetadata(servers=servers(document.get("servers"), "/servers", findings))
    defs = definitions(components.get("schemas"), converter, findings)
    methods = auth_methods(schemes, "/components/securitySchemes", resolver)
    default_auth: list[dict[str, list[str]]] = []
    if "security" in document:
        found = requirements(document["security"], "/security", context.scheme_names, findings)
        default_auth = found or []
    built = build_actions(context, document.get("paths"), openapi_30=openapi_30)
    taken: set[str] = set()
    triggers = []
    for key in ("webhooks", "x-webhooks"):
        if key in document:
            triggers += webhook_triggers(context, document[key], f"/{key}", taken)
    for action, operation in built:
        triggers += callback_triggers(context, action.name, operation, taken)

    return ConnectorVersion(
        connector=connector,
        protocol="http",
        title=_text(info.get("title")),
        description=_text(info.get("description")),
        document_version=None if document_version is None else str(document_version),
        source=source,
        sha256=sha256,
        fetched_at=fetched_at,
        metadata=metadata,
        auth_methods=methods,
        default_auth=default_auth,
        actions=[action for action, _ in built],
        triggers=triggers,
        definitions=defs,
        findings=findings.to_list(),
    )
