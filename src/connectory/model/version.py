"""The domain model: connectors, their versions and everything in a version.

Every record is a pydantic model with a lossless JSON round trip
(``ConnectorVersion.model_validate_json(v.model_dump_json()) == v``). Closed sets are
discriminated unions: action bindings on ``kind``, protocol metadata on ``protocol``, auth methods
on ``type`` (see ``connectory.model.auth``).

JSON Schemas are plain dicts (or booleans). A schema refers to a definition of the same version as
``{"$ref": "urn:connectory:definition:<name>"}`` (see ``definition_uri``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import AwareDatetime, Field, field_validator, model_validator

from connectory._wording import article, protocol_name
from connectory.errors import InvalidName, NotFound

from ._records import Record as _Record
from .auth import AuthMethod
from .bindings import (
    ActionBinding,
    GraphQLBinding,
    HttpBinding,
    HttpParameter,
    HttpTriggerBinding,
    Server,
    ServerVariable,
    SoapBinding,
    SoapFault,
    SoapMessage,
    SoapPart,
    TriggerBinding,
    Verification,
)

__all__ = [
    "RESERVED_LABELS",
    "Action",
    "ActionBinding",
    "ActionOutput",
    "Board",
    "BoardUse",
    "Change",
    "CheckResult",
    "Connector",
    "ConnectorVersion",
    "Definition",
    "Finding",
    "GraphQLBinding",
    "GraphQLMetadata",
    "HttpBinding",
    "HttpMetadata",
    "HttpParameter",
    "HttpTriggerBinding",
    "JsonSchema",
    "Protocol",
    "ProtocolMetadata",
    "Server",
    "ServerVariable",
    "Severity",
    "SoapBinding",
    "SoapEndpoint",
    "SoapFault",
    "SoapMessage",
    "SoapMetadata",
    "SoapPart",
    "Trigger",
    "TriggerBinding",
    "Verification",
    "VersionState",
    "Vetting",
    "check_label",
    "check_name",
    "definition_uri",
]

Protocol = Literal["http", "graphql", "soap"]
VersionState = Literal["draft", "published", "deprecated"]
Severity = Literal["error", "warning", "info"]
JsonSchema = dict[str, Any] | bool

RESERVED_LABELS = frozenset({"latest", "default"})
DEFINITION_URI_PREFIX = "urn:connectory:definition:"
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9])?")


def name_key(name: str) -> str:
    """``name`` upper-cased, every character but a letter or digit as ``_``: how the names of a
    connector's environment variables spell it (``CONNECTORY_CREDENTIALS_<KEY>``). Names that
    differ only in ``.``, ``_`` and ``-`` share it, so the catalogue holds one of them only."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def check_name(name: str, what: str = "connector name") -> str:
    """Return ``name`` if it is a valid slug (lower-case letters, digits, ``.``, ``_``, ``-``)."""
    if not _NAME.fullmatch(name):
        raise InvalidName(
            f"invalid {what} {name!r}: use 1-64 lower-case letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    return name


def check_label(label: str) -> str:
    """Return ``label`` if it may name a stored version (``latest`` and ``default`` may not)."""
    if label in RESERVED_LABELS:
        raise InvalidName(f"{label!r} is a reserved label that resolves to a version; pick another")
    if not _LABEL.fullmatch(label):
        raise InvalidName(
            f"invalid version label {label!r}: use 1-64 letters, digits, '.', '_', '+' or '-', "
            "starting and ending with a letter or digit"
        )
    return label


def definition_uri(name: str) -> str:
    """The URI by which schemas of a version refer to its definition ``name``."""
    return DEFINITION_URI_PREFIX + quote(name, safe="")


class Finding(_Record):
    """Something worth knowing about a document, found while onboarding it."""

    severity: Severity
    kind: str = Field(description="A stable, machine-readable name, e.g. 'invalid-pattern'.")
    location: str = Field(description="A JSON pointer, an XPath or a GraphQL schema coordinate.")
    message: str


class Change(_Record):
    """One difference between two versions, and what it does to the integrations that use them."""

    kind: str = Field(description="A stable, machine-readable name, e.g. 'action-removed'.")
    level: Literal["breaking", "dangerous", "safe"]
    location: str = Field(description="Where, in the newer version's terms (or the older's).")
    message: str


class Definition(_Record):
    """A named data shape: a JSON Schema, or an XSD (with its JSON Schema mirror)."""

    name: str
    format: Literal["json-schema", "xsd"] = "json-schema"
    content: JsonSchema | str
    json_schema: JsonSchema | None = Field(default=None, description="The mirror of an XSD.")
    namespace: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _content_matches_format(self) -> Definition:
        if self.format == "xsd" and not isinstance(self.content, str):
            raise ValueError("an xsd definition's content is the XSD text")
        if self.format == "json-schema" and isinstance(self.content, str):
            raise ValueError("a json-schema definition's content is a JSON object or boolean")
        return self


class ActionOutput(_Record):
    """One possible answer: an HTTP status (``200``, ``4XX``, ``default``), GraphQL data, a fault."""

    status: str
    description: str | None = None
    media_types: list[str] = Field(default_factory=list)
    schema_: JsonSchema | None = Field(default=None, alias="schema")
    headers: dict[str, JsonSchema] = Field(default_factory=dict)


class Action(_Record):
    """A way to call the external system."""

    name: str
    title: str | None = None
    description: str | None = None
    binding: ActionBinding
    input: JsonSchema | None = None
    outputs: list[ActionOutput] = Field(default_factory=list)
    auth: list[dict[str, list[str]]] | None = Field(
        default=None,
        description="Alternatives, each the auth methods used together (name -> OAuth scopes); "
        "[] means none needed, an empty alternative {} makes auth optional; None means the "
        "version's default_auth.",
    )
    tags: list[str] = Field(default_factory=list)
    deprecated: bool = False


class Trigger(_Record):
    """A way for the external system to call us."""

    name: str
    kind: Literal["webhook", "callback", "subscription"]
    description: str | None = None
    binding: TriggerBinding
    payload: JsonSchema | None = None
    verification: Verification | None = None
    deprecated: bool = False


class HttpMetadata(_Record):
    protocol: Literal["http"] = "http"
    servers: list[Server] = Field(default_factory=list)


class GraphQLMetadata(_Record):
    protocol: Literal["graphql"] = "graphql"
    endpoint: str | None = Field(
        default=None, description="The URL introspected (secrets redacted); None for a file."
    )
    schema_sha256: str | None = Field(
        default=None, description="The sha256 of ``sdl``: equal for equal schemas, however given."
    )
    introspected_at: AwareDatetime | None = None
    sdl: str | None = Field(
        default=None,
        description="The schema in canonical SDL (types and fields sorted), as ``schema_sha256`` "
        "hashes it: what re-introspection diffs against and user actions are validated against.",
    )


class SoapEndpoint(_Record):
    service: str | None
    port: str | None
    binding: str
    soap_version: Literal["1.1", "1.2"] = "1.1"
    address: str | None = None


class SoapMetadata(_Record):
    protocol: Literal["soap"] = "soap"
    target_namespace: str | None = None
    endpoints: list[SoapEndpoint] = Field(default_factory=list)


ProtocolMetadata = Annotated[
    HttpMetadata | GraphQLMetadata | SoapMetadata, Field(discriminator="protocol")
]


class ConnectorVersion(_Record):
    """One version of a connector: everything needed to call the system and be called by it."""

    connector: str
    version: str | None = Field(default=None, description="The label; None until drafted.")
    state: VersionState = "draft"
    protocol: Protocol
    title: str | None = None
    description: str | None = None
    document_version: str | None = Field(default=None, description="As the document states it.")
    source: str
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="The sha256 of the source document, as fetched (provenance).",
    )
    fetched_at: AwareDatetime
    metadata: ProtocolMetadata
    auth_methods: list[AuthMethod] = Field(default_factory=list)
    default_auth: list[dict[str, list[str]]] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    definitions: list[Definition] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    changes: list[Change] = Field(
        default_factory=list, description="What changed since the version this one replaces."
    )
    content_sha256: str | None = Field(
        default=None,
        description=(
            "The sha256 of the version as stored (``connectory.catalog.digest``), computed by the "
            "store, never taken from a caller: what a vetting approves."
        ),
    )
    created_at: AwareDatetime | None = None
    published_at: AwareDatetime | None = None
    sunset: date | None = None
    replacement: str | None = None

    @model_validator(mode="after")
    def _metadata_matches_protocol(self) -> ConnectorVersion:
        if self.metadata.protocol != self.protocol:
            raise ValueError(
                f"{protocol_name(self.metadata.protocol)} metadata on "
                f"{article(protocol_name(self.protocol))} version"
            )
        return self

    @property
    def ref(self) -> str:
        """``connector@label``, as the CLI writes it."""
        return f"{self.connector}@{self.version or '?'}"

    def _repr_html_(self) -> str:
        from connectory.render.html import version_html

        return version_html(self)

    def action(self, name: str) -> Action:
        for action in self.actions:
            if action.name == name:
                return action
        raise NotFound("action", name, (a.name for a in self.actions))

    def definition(self, name: str) -> Definition:
        for definition in self.definitions:
            if definition.name == name:
                return definition
        raise NotFound("definition", name, (d.name for d in self.definitions))


class CheckResult(_Record):
    """The outcome of one acceptance check of a version (see ``connectory.vetting.checks``)."""

    name: str
    status: Literal["passed", "failed", "skipped"]
    message: str
    details: list[str] = Field(default_factory=list)


class Vetting(_Record):
    """A reviewer's verdict on one version, with the checks they saw. Vettings are never edited."""

    connector: str
    version: str
    reviewer: str
    verdict: Literal["approved", "rejected", "changes_requested"]
    notes: str | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    sha256: str | None = Field(
        default=None,
        description=(
            "The ``content_sha256`` of the version vetted, as the store computed it when the "
            "vetting was recorded: the approval binds to it. A caller gives the content_sha256 "
            "of what it reviewed: the vetting is refused if the version changed since."
        ),
    )
    vetted_at: AwareDatetime | None = None

    @field_validator("verdict", mode="before")
    @classmethod
    def _hyphens_too(cls, value: object) -> object:
        """``changes-requested``, as people type it, is taken for ``changes_requested``."""
        return value.replace("-", "_") if isinstance(value, str) else value


class Connector(_Record):
    """A catalogue entry: the versions hang off it."""

    name: str
    title: str | None = None
    protocol: Protocol
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    vetting_status: Literal["unvetted", "approved", "rejected", "changes_requested"] = "unvetted"
    default_version: str | None = None
    created_at: AwareDatetime | None = None

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        return check_name(name)


class BoardUse(_Record):
    """A board's use of one connector version (``latest`` resolves when the board is deployed)."""

    connector: str
    version: str
    actions: list[str] = Field(default_factory=list, description="Empty: every action.")
    resolved_version: str | None = None


class Board(_Record):
    """An integration that uses connector versions; deployed or not."""

    name: str
    description: str | None = None
    uses: list[BoardUse] = Field(default_factory=list)
    deployed: bool = False
    deployed_at: AwareDatetime | None = None
    undeployed_reason: str | None = None
    created_at: AwareDatetime | None = None

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        return check_name(name, "board name")
