"""The raw objects of an OpenAPI 3.0 / 3.1 or Swagger 2.0 document, as ``TypedDict`` descriptions.

These describe the keys this package reads and the types the specifications give them; one
``TypedDict`` serves both OpenAPI 3 and Swagger 2.0 where the object is the same (a Swagger-only key
says so). Every one is ``total=False``: any key may be missing.

A description, not a guarantee: the values are as read from the document, unchecked. Documents are
hostile (a ``servers`` that is a string, a parameter ``name`` that is a list, a ``$ref`` to a number),
and nothing checks them against these types when they are read. So every reader keeps its runtime
checks (``isinstance``, ``Resolver.follow``) and turns what it read into the model's pydantic records;
the types here tell a reader where a key lives and what it should hold, and let mypy see which object
a function reads. ``Resolver.follow`` is where a value is first taken as one of these objects: it has
checked that the value is a mapping, not what the mapping holds.

Keys that are not identifiers (``$ref``, ``in``, ``x-webhooks``) need the functional ``TypedDict``
syntax. Schema Objects stay ``Schema`` (a mapping or, in 3.1, a boolean): JSON Schema is open-ended
and ``_schemas`` reads it keyword by keyword.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias, TypedDict

__all__ = [
    "Callback",
    "Components",
    "Document",
    "Encoding",
    "Example",
    "Header",
    "Info",
    "MediaType",
    "OAuthFlow",
    "OAuthFlows",
    "Operation",
    "Parameter",
    "PathItem",
    "Paths",
    "Reference",
    "RequestBody",
    "Response",
    "Responses",
    "Schema",
    "SecurityRequirement",
    "SecurityScheme",
    "Server",
    "ServerVariable",
]

Schema: TypeAlias = Mapping[str, Any] | bool
"""A Schema Object (or a Swagger 2.0 schema): JSON Schema, read keyword by keyword."""

Reference = TypedDict("Reference", {"$ref": str, "summary": str, "description": str}, total=False)
"""A Reference Object; ``summary`` and ``description`` beside ``$ref`` are 3.1's."""


class ServerVariable(TypedDict, total=False):
    enum: list[str]
    default: str
    description: str


class Server(TypedDict, total=False):
    url: str
    description: str
    variables: Mapping[str, ServerVariable]


class Info(TypedDict, total=False):
    title: str
    description: str
    version: str


class Example(TypedDict, total=False):
    summary: str
    description: str
    value: Any
    externalValue: str


class Encoding(TypedDict, total=False):
    contentType: str
    headers: Mapping[str, Header | Reference]
    style: str
    explode: bool
    allowReserved: bool


class MediaType(TypedDict, total=False):
    schema: Schema
    example: Any
    examples: Mapping[str, Example | Reference]
    encoding: Mapping[str, Encoding]


Parameter = TypedDict(
    "Parameter",
    {
        "name": str,
        "in": str,
        "description": str,
        "required": bool,
        "deprecated": bool,
        "allowEmptyValue": bool,
        "style": str,
        "explode": bool,
        "allowReserved": bool,
        "schema": Schema,
        "example": Any,
        "examples": Mapping[str, "Example | Reference"],
        "content": Mapping[str, MediaType],
        # Swagger 2.0: ``in`` may also be ``body`` (with ``schema``) or ``formData``; other
        # parameters describe their value with schema keywords of their own.
        "type": str,
        "format": str,
        "items": Mapping[str, Any],
        "collectionFormat": str,
    },
    total=False,
)
"""A Parameter Object (OpenAPI 3) or a Swagger 2.0 parameter."""


class Header(TypedDict, total=False):
    """A Header Object: a parameter without ``name`` and ``in``; in Swagger 2.0, schema keywords."""

    description: str
    required: bool
    deprecated: bool
    style: str
    explode: bool
    schema: Schema
    example: Any
    examples: Mapping[str, Example | Reference]
    content: Mapping[str, MediaType]
    type: str
    format: str
    items: Mapping[str, Any]
    collectionFormat: str


class RequestBody(TypedDict, total=False):
    description: str
    content: Mapping[str, MediaType]
    required: bool


class Response(TypedDict, total=False):
    description: str
    headers: Mapping[str, Header | Reference]
    content: Mapping[str, MediaType]
    links: Mapping[str, Any]
    schema: Schema
    """Swagger 2.0: the response body's schema (OpenAPI 3: ``content``)."""
    examples: Mapping[str, Any]
    """Swagger 2.0: an example value by media type."""


Responses: TypeAlias = Mapping[str, Response | Reference]
"""Responses by status (``200``, ``2XX``, ``default``); ``x-`` keys are extensions."""

SecurityRequirement: TypeAlias = Mapping[str, list[str]]
"""The schemes used together, each with the scopes it needs."""


class Operation(TypedDict, total=False):
    tags: list[str]
    summary: str
    description: str
    operationId: str
    parameters: list[Parameter | Reference]
    requestBody: RequestBody | Reference
    responses: Responses
    callbacks: Mapping[str, Callback | Reference]
    deprecated: bool
    security: list[SecurityRequirement]
    servers: list[Server]
    consumes: list[str]
    """Swagger 2.0: the request media types (replacing the document's)."""
    produces: list[str]
    """Swagger 2.0: the response media types (replacing the document's)."""


PathItem = TypedDict(
    "PathItem",
    {
        "$ref": str,
        "summary": str,
        "description": str,
        "get": Operation,
        "put": Operation,
        "post": Operation,
        "delete": Operation,
        "options": Operation,
        "head": Operation,
        "patch": Operation,
        "trace": Operation,
        "servers": list[Server],
        "parameters": list["Parameter | Reference"],
    },
    total=False,
)
"""A Path Item Object: its ``$ref`` (to a path item elsewhere) and its siblings."""

Paths: TypeAlias = Mapping[str, PathItem]
"""Path items by path template (``paths``), by webhook name (``webhooks``)."""

Callback: TypeAlias = Mapping[str, "PathItem"]
"""A Callback Object: path items by runtime expression."""


class OAuthFlow(TypedDict, total=False):
    authorizationUrl: str
    tokenUrl: str
    refreshUrl: str
    scopes: Mapping[str, str]


class OAuthFlows(TypedDict, total=False):
    implicit: OAuthFlow
    password: OAuthFlow
    clientCredentials: OAuthFlow
    authorizationCode: OAuthFlow


SecurityScheme = TypedDict(
    "SecurityScheme",
    {
        "type": str,
        "description": str,
        "name": str,
        "in": Literal["header", "query", "cookie"],
        "scheme": str,
        "bearerFormat": str,
        "flows": OAuthFlows,
        "openIdConnectUrl": str,
        # Swagger 2.0: an oauth2 scheme holds its one flow.
        "flow": str,
        "authorizationUrl": str,
        "tokenUrl": str,
        "scopes": Mapping[str, str],
    },
    total=False,
)
"""A Security Scheme Object, or a Swagger 2.0 security definition."""


class Components(TypedDict, total=False):
    schemas: Mapping[str, Schema]
    responses: Mapping[str, Response | Reference]
    parameters: Mapping[str, Parameter | Reference]
    examples: Mapping[str, Example | Reference]
    requestBodies: Mapping[str, RequestBody | Reference]
    headers: Mapping[str, Header | Reference]
    securitySchemes: Mapping[str, SecurityScheme | Reference]
    links: Mapping[str, Any]
    callbacks: Mapping[str, Callback | Reference]
    pathItems: Mapping[str, PathItem]


Document = TypedDict(
    "Document",
    {
        "openapi": str,
        "swagger": str,
        "info": Info,
        "jsonSchemaDialect": str,
        "servers": list[Server],
        "paths": Paths,
        "webhooks": Paths,
        "x-webhooks": Paths,
        "components": Components,
        "security": list[SecurityRequirement],
        "tags": list[Mapping[str, Any]],
        # Swagger 2.0
        "host": str,
        "basePath": str,
        "schemes": list[str],
        "consumes": list[str],
        "produces": list[str],
        "definitions": Mapping[str, Schema],
        "parameters": Mapping[str, Parameter],
        "responses": Mapping[str, Response],
        "securityDefinitions": Mapping[str, SecurityScheme],
    },
    total=False,
)
"""The root object: an OpenAPI 3.x document (``openapi``) or a Swagger 2.0 one (``swagger``)."""
