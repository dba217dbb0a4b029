"""An OpenAPI 3.0 / 3.1 or Swagger 2.0 description -> a draft ``ConnectorVersion`` of protocol ``http``.

``generate`` raises when the document is not such a description at all (``ProtocolError``: no
``openapi``/``swagger`` key, another version, ``paths`` not an object; ``DocumentError``: not an
object), and for hostile input (``BadReference``: a reference outside the document's folder or
origin, a loop of non-schema references, a chain longer than ``settings.max_ref_chain``, schemas
that fan out past ``settings.max_schema_nodes``; ``DocumentError``: another file of the description
that is not well-formed). Everything else wrong with a real document becomes a ``Finding`` on the
version. No document is ever changed; the steps run in this order, all sharing one ``Context``:

    servers      ``servers`` (Swagger: ``host``, ``basePath``, ``schemes``)  -> metadata
    definitions  ``components.schemas`` (Swagger: ``definitions``)           -> definitions
    auth         ``components.securitySchemes`` (Swagger: ``securityDefinitions``) -> auth methods;
                 root ``security``                                            -> default auth
    actions      ``paths``                          -> actions (parameters, bodies, responses)
    triggers     ``webhooks`` / ``x-webhooks``, ``callbacks``                 -> triggers
    bundle       schemas of other files, recursive schemas                    -> more definitions
    examples     examples checked against their schemas                      -> findings

Other files of the description are read through ``loader`` (see ``connectory.documents.loader``); without
one, a reference to another file is an ``unresolvable-ref`` finding. The version's ``sha256`` is the
root document's; for a description split across files, it is the SHA-256 of the root's and of each
other file's name and SHA-256, so that a change in any file makes a new version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import cast

from connectory._gcpause import paused_gc
from connectory.documents.loader import DocumentLoader, bound_loader
from connectory.documents.parse import ParsedDocument
from connectory.errors import DocumentError, ProtocolError
from connectory.model.version import ConnectorVersion, HttpMetadata
from connectory.settings import DEFAULT_SETTINGS, Settings, Tally

from . import _raw as raw
from ._context import Context
from ._examples import check_examples
from ._refs import Resolver
from ._schemarefs import SchemaRefs
from ._schemas import SchemaConverter
from ._servers import servers, swagger_servers
from ._swagger import media_types
from .actions import build_actions
from .auth import auth_methods, requirements
from .definitions import bundled_entries, definitions, root_entries
from .findings import Findings, shorten
from .triggers import callback_triggers, webhook_triggers

__all__ = ["build_version", "generate"]

_VERSION = re.compile(r"3\.([01])\.\d+(?:-[0-9A-Za-z.-]+)?")
_DEFAULT_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"


def _checked_version(document: object, findings: Findings) -> tuple[raw.Document, str]:
    """The document, taken as an OpenAPI or Swagger one, and its version (``2.0``, ``3.0`` or
    ``3.1``), or an exception saying what this is not. The keys are checked by each reader."""
    if not isinstance(document, Mapping):
        raise DocumentError(
            f"an OpenAPI document is a JSON/YAML object, not {type(document).__name__}", location=""
        )
    if "swagger" in document:
        if document["swagger"] != "2.0":
            raise ProtocolError(
                f"unsupported Swagger version {shorten(document['swagger'])} (supported: 2.0)",
                location="/swagger",
            )
        version = "2.0"
    elif "openapi" not in document:
        raise ProtocolError("no 'openapi' key: not an OpenAPI 3.x document", location="/openapi")
    else:
        version = _openapi_version(document["openapi"], findings)
    for key in ("paths", "components", "definitions"):
        value = document.get(key)
        if value is not None and not isinstance(value, Mapping):
            raise ProtocolError(
                f"{key} must be an object, not {shorten(value)}", location=f"/{key}"
            )
    return cast("raw.Document", document), version


def _openapi_version(stated: object, findings: Findings) -> str:
    if isinstance(stated, float) and stated in (3.0, 3.1):
        findings.warning(
            "invalid-openapi-version",
            "/openapi",
            f"openapi must be a string like '3.0.3', not {stated}",
        )
        stated = f"{stated}.0"
    if not isinstance(stated, str) or not _VERSION.fullmatch(stated):
        raise ProtocolError(
            f"unsupported OpenAPI version {shorten(stated)} (supported: 3.0.x, 3.1.x; Swagger 2.0)",
            location="/openapi",
        )
    return stated[:3]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _context(
    document: raw.Document,
    version: str,
    findings: Findings,
    loader: DocumentLoader,
    settings: Settings,
) -> Context:
    resolver = Resolver(document, findings, loader, settings)
    swagger = version == "2.0"
    refs = SchemaRefs(resolver, ("definitions",) if swagger else ("components", "schemas"))
    converter = SchemaConverter(refs, version=version, settings=settings)
    schemes = _security_schemes(document, swagger)
    context = Context(
        resolver=resolver,
        schemas=converter,
        findings=findings,
        scheme_names=frozenset(map(str, schemes)) if isinstance(schemes, Mapping) else frozenset(),
        version=version,
        settings=settings,
        operations=Tally(settings, "max_operations", "operations"),
    )
    if swagger:
        context = dataclasses.replace(
            context,
            consumes=tuple(media_types(context, document, "consumes", "")),
            produces=tuple(media_types(context, document, "produces", "")),
        )
    return context


def _bundle_sha256(sha256: str, resolver: Resolver) -> str:
    files = resolver.files()
    if not files:
        return sha256
    digest = hashlib.sha256(sha256.encode())
    for name, location in files:
        raw = resolver.loader.read(location, where=name)  # read already: cached
        digest.update(b"\0" + name.encode() + b"\0" + raw.sha256.encode())
    return digest.hexdigest()


def _security_schemes(
    document: raw.Document, swagger: bool
) -> Mapping[str, raw.SecurityScheme | raw.Reference] | None:
    if swagger:
        return document.get("securityDefinitions")
    components = document.get("components") or {}
    return components.get("securitySchemes")


def build_version(
    document: Mapping[str, object],
    *,
    connector: str,
    source: str,
    sha256: str,
    fetched_at: datetime,
    loader: DocumentLoader | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> ConnectorVersion:
    """The draft connector version that the OpenAPI / Swagger ``document`` describes."""
    with paused_gc():  # hundreds of thousands of acyclic containers: see connectory._gcpause
        return _generate(document, connector, source, sha256, fetched_at, loader, settings)


def _generate(
    content: Mapping[str, object],
    connector: str,
    source: str,
    sha256: str,
    fetched_at: datetime,
    loader: DocumentLoader | None,
    settings: Settings,
) -> ConnectorVersion:
    findings = Findings()
    document, version = _checked_version(content, findings)
    swagger = version == "2.0"
    if version == "3.1":
        dialect = document.get("jsonSchemaDialect")
        if dialect is not None and dialect != _DEFAULT_DIALECT:
            findings.info(
                "schema-dialect",
                "/jsonSchemaDialect",
                f"schemas are read as JSON Schema 2020-12, not as {shorten(dialect)}",
            )
    elif document.get("paths") is None:
        findings.warning("missing-paths", "/paths", f"a {version} document needs paths")
    context = _context(document, version, findings, loader or DocumentLoader(), settings)
    info = document.get("info")
    if not isinstance(info, Mapping):
        findings.warning("invalid-object", "/info", "info must be an object with a title")
        info = {}
    document_version = info.get("version")

    if swagger:
        metadata = HttpMetadata(servers=swagger_servers(document, source, findings))
        schemas, schemas_at = document.get("definitions"), "/definitions"
        schemes_at = "/securityDefinitions"
    else:
        metadata = HttpMetadata(servers=servers(document.get("servers"), "/servers", findings))
        schemas = (document.get("components") or {}).get("schemas")
        schemas_at, schemes_at = "/components/schemas", "/components/securitySchemes"
    entries = root_entries(schemas, schemas_at, context.schemas, findings)
    methods = auth_methods(
        _security_schemes(document, swagger), schemes_at, context.resolver, swagger=swagger
    )
    default_auth: list[dict[str, list[str]]] = []
    if "security" in document:
        found = requirements(document["security"], "/security", context.scheme_names, findings)
        default_auth = found or []
    built = build_actions(context, document.get("paths"), openapi_30=version != "3.1")
    taken: set[str] = set()
    triggers = []
    for key in ("webhooks", "x-webhooks"):
        if key in document:
            triggers += webhook_triggers(context, document[key], f"/{key}", taken)
    for action, operation in built:
        triggers += callback_triggers(context, action.name, operation, taken)
    entries.update(bundled_entries(context.schemas))
    defs = definitions(entries, findings, settings)
    check_examples([*context.schemas.examples, *context.examples], defs, findings, settings)

    return ConnectorVersion(
        connector=connector,
        protocol="http",
        title=_text(info.get("title")),
        description=_text(info.get("description")),
        document_version=None if document_version is None else str(document_version),
        source=source,
        sha256=_bundle_sha256(sha256, context.resolver),
        fetched_at=fetched_at,
        metadata=metadata,
        auth_methods=methods,
        default_auth=default_auth,
        actions=[action for action, _ in built],
        triggers=triggers,
        definitions=defs,
        findings=findings.to_list(),
    )


def generate(
    document: ParsedDocument,
    *,
    connector: str,
    loader: DocumentLoader | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> ConnectorVersion:
    """The draft version an OpenAPI or Swagger description describes (the protocol contract:
    ``connectory.protocols.contract``); the files it refers to are read through ``loader``."""
    raw = document.raw
    with bound_loader(raw.source, loader, settings=settings) as files:
        return build_version(
            document.content,
            connector=connector,
            source=raw.source,
            sha256=raw.sha256,
            fetched_at=raw.fetched_at,
            loader=files,
            settings=settings,
        )
