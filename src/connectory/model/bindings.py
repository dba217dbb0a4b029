"""How an action calls a system and how a system calls a trigger: the protocol bindings.

HTTP (a method, a path template, parameters with their OpenAPI style, servers), GraphQL (an
operation document) and SOAP (service, port, operation, messages and their parts), and what a
webhook delivery is checked with (``Verification``). ``connectory.model`` re-exports every name.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ._records import Record as _Record

__all__ = [
    "ActionBinding",
    "GraphQLBinding",
    "HttpBinding",
    "HttpParameter",
    "HttpTriggerBinding",
    "Pagination",
    "PropertyEncoding",
    "Server",
    "ServerVariable",
    "SoapBinding",
    "SoapFault",
    "SoapMessage",
    "SoapPart",
    "TriggerBinding",
    "Verification",
]


class ServerVariable(_Record):
    default: str
    enum: list[str] | None = None
    description: str | None = None


class Server(_Record):
    url: str
    description: str | None = None
    variables: dict[str, ServerVariable] = Field(default_factory=dict)


class HttpParameter(_Record):
    """Where an input parameter goes; its schema: ``input.properties[location].properties[name]``."""

    name: str
    location: Literal["path", "query", "header", "cookie"]
    required: bool = False
    style: str | None = None
    explode: bool | None = None
    media_type: str | None = Field(default=None, description="For a parameter given as `content`.")
    deprecated: bool = False
    description: str | None = None


class Pagination(_Record):
    """How a list action gives its items a page at a time (``runtime.invoke_pages``).

    ``cursor``: the answer's ``next`` (a JSON pointer) holds the cursor of the next page, sent in
    the query ``parameter``; no cursor (missing, null, empty) ends. ``page``: the page number in
    ``parameter`` (from ``start``, default 1). ``offset``: the index of the first item in
    ``parameter`` (from ``start``, default 0), the page size in ``limit_parameter``. ``link``:
    the answer's ``Link: <...>; rel="next"`` header (RFC 8288), on the same origin. A page or
    offset stops at an empty page, or one shorter than ``page_size`` when known.
    """

    style: Literal["cursor", "page", "offset", "link"]
    items: str = Field(
        default="", description="JSON pointer to the items array in the answer ('': all of it)."
    )
    parameter: str | None = Field(
        default=None, description="The query parameter of the cursor, page number or offset."
    )
    next: str | None = Field(
        default=None, description="cursor: JSON pointer to the next page's cursor in the answer."
    )
    limit_parameter: str | None = Field(
        default=None, description="The query parameter of the page size, if any."
    )
    page_size: int | None = Field(default=None, ge=1, description="Ask for this many per page.")
    start: int | None = Field(default=None, ge=0, description="The first page number or offset.")

    @model_validator(mode="after")
    def _complete(self) -> Pagination:
        if self.style != "link" and not self.parameter:
            raise ValueError(f"{self.style} pagination needs its query parameter")
        if self.style == "cursor" and self.next is None:
            raise ValueError("cursor pagination needs the pointer to the next cursor (next)")
        for name in ("items", "next"):
            value = getattr(self, name)
            if value and not value.startswith("/"):
                raise ValueError(f"{name} must be a JSON pointer ('' or starting with '/')")
        return self


class PropertyEncoding(_Record):
    """How one property of a form or multipart request body is sent (OpenAPI's Encoding object;
    Swagger 2.0: a ``formData`` array's ``collectionFormat``). ``runtime.bodies`` applies it."""

    content_type: str | None = Field(
        default=None,
        description="The media type of the value: a multipart part's Content-Type; a JSON one "
        "sends the value as JSON text (also in a form).",
    )
    style: str | None = Field(default=None, description="form, spaceDelimited, pipeDelimited, ...")
    explode: bool | None = None
    allow_reserved: bool = False


class HttpBinding(_Record):
    """An HTTP request; the action's input has ``path``, ``query``, ``header``, ``cookie``, ``body``."""

    kind: Literal["http"] = "http"
    method: str
    path: str = Field(description="The path template, e.g. /repos/{owner}/{repo}.")
    parameters: list[HttpParameter] = Field(default_factory=list)
    request_media_types: list[str] = Field(default_factory=list)
    body_required: bool = False
    servers: list[Server] = Field(default_factory=list, description="Overrides the version's.")
    encoding: dict[str, dict[str, PropertyEncoding]] = Field(
        default_factory=dict,
        description="Per request media type, per body property: how a form or multipart body's "
        "properties are sent. Empty for a version onboarded before it was kept.",
    )
    pagination: Pagination | None = Field(default=None, description="For a list action.")

    @field_validator("method")
    @classmethod
    def _upper(cls, method: str) -> str:
        return method.upper()


class GraphQLBinding(_Record):
    kind: Literal["graphql"] = "graphql"
    operation_type: Literal["query", "mutation", "subscription"]
    field: str
    document: str
    operation_name: str | None = None


class SoapPart(_Record):
    """A part of a WSDL message as it travels in a SOAP body or header.

    QNames are written ``{namespace}local`` (Clark notation). A document-style part names an
    ``element``; an rpc-style part names a ``type`` and travels as an unqualified child element
    called after the part.
    """

    name: str
    element: str | None = None
    type: str | None = None
    message: str | None = Field(
        default=None, description="For a header part: the QName of the message it comes from."
    )


class SoapMessage(_Record):
    """The input or output of a SOAP operation: which parts go in the body, which in headers."""

    message: str | None = Field(default=None, description="The wsdl:message QName.")
    body: list[SoapPart] = Field(default_factory=list)
    headers: list[SoapPart] = Field(default_factory=list)
    wrapper: str | None = Field(
        default=None, description="rpc style: the QName of the element that wraps the parts."
    )
    use: Literal["literal", "encoded"] = "literal"
    encoding_style: str | None = None


class SoapFault(_Record):
    """A fault an operation declares: its name and the element its detail carries."""

    name: str
    message: str | None = None
    part: SoapPart | None = None


class SoapBinding(_Record):
    kind: Literal["soap"] = "soap"
    service: str | None = Field(default=None, description="None when the WSDL has no service.")
    port: str | None = None
    binding: str | None = None
    operation: str
    soap_action: str | None = None
    style: Literal["document", "rpc"] = "document"
    soap_version: Literal["1.1", "1.2"] = "1.1"
    address: str | None = None
    input: SoapMessage | None = None
    output: SoapMessage | None = Field(default=None, description="None for a one-way operation.")
    faults: list[SoapFault] = Field(default_factory=list)
    transport: str | None = Field(default=None, description="e.g. the SOAP-over-HTTP URI.")


ActionBinding = Annotated[HttpBinding | GraphQLBinding | SoapBinding, Field(discriminator="kind")]


class HttpTriggerBinding(_Record):
    """An HTTP request the external system sends us: a webhook, or a callback of an action."""

    kind: Literal["http"] = "http"
    method: str = "POST"
    path: str | None = Field(default=None, description="For a webhook: its name or path.")
    expression: str | None = Field(default=None, description="For a callback: the URL expression.")
    action: str | None = Field(default=None, description="For a callback: the action that sets it.")
    media_types: list[str] = Field(default_factory=list)
    parameters: list[HttpParameter] = Field(default_factory=list, description="Headers, ...")


TriggerBinding = Annotated[HttpTriggerBinding | GraphQLBinding, Field(discriminator="kind")]


class Verification(_Record):
    """How to check that a delivery really comes from the system (e.g. an HMAC signature)."""

    scheme: Literal["hmac"] = "hmac"
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256"
    header: str
    signed_payload: str = Field(default="{timestamp}.{body}")
    timestamp_header: str | None = None
    tolerance_seconds: int = 300
    encoding: Literal["hex", "base64"] = "hex"
    prefix: str = ""
