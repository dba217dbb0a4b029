"""Versions built by hand for tests: a rich one (every kind of binding, auth method, definition), small
ones, a GitHub-sized one."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from connectory.model.auth import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    CustomFunctionAuth,
    CustomRequestAuth,
    ExtractRule,
    HMACAuth,
    InjectRule,
    MutualTLSAuth,
    OAuth2Auth,
    OAuth2Flow,
    OpenIDConnectAuth,
    RequestTemplate,
    WSSecurityUsernameTokenAuth,
)
from connectory.model.version import (
    Action,
    ActionOutput,
    Change,
    ConnectorVersion,
    Definition,
    Finding,
    GraphQLBinding,
    HttpBinding,
    HttpMetadata,
    HttpParameter,
    HttpTriggerBinding,
    Server,
    ServerVariable,
    SoapBinding,
    Trigger,
    Verification,
    definition_uri,
)

GITHUB_OPENAPI = (
    Path(__file__).resolve().parents[3]
    / "shared/corpus/openapi/apis-guru/github.com/api.github.com.json"
)
FETCHED_AT = datetime(2024, 5, 17, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))


def sha(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def small_version(
    connector: str = "acme",
    seed: str = "one",
    *,
    document_version: str | None = None,
    version: str | None = None,
    actions: tuple[str, ...] = ("list-things", "get-thing"),
) -> ConnectorVersion:
    """A small HTTP version; ``seed`` decides its sha256."""
    return ConnectorVersion(
        connector=connector,
        version=version,
        protocol="http",
        title="Acme",
        document_version=document_version,
        source=f"https://acme.example/{seed}/openapi.json",
        sha256=sha(seed),
        fetched_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        metadata=HttpMetadata(servers=[Server(url="https://api.acme.example")]),
        actions=[
            Action(name=name, binding=HttpBinding(method="get", path=f"/{name}"))
            for name in actions
        ],
        definitions=[Definition(name="Thing", content={"type": "object"})],
    )


def rich_version(connector: str = "acme") -> ConnectorVersion:
    """Every kind of thing a version can hold, with key orders JSONB would not keep."""
    thing: dict[str, Any] = {
        "type": "object",
        "title": "Thing \u2713 \u2013 \u00fcn\u00efc\u00f6d\u00e9 \U0001f600",
        "required": ["zeta", "alpha"],
        "properties": {
            "zeta": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 40},
            "alpha": {"type": "integer", "minimum": 0, "maximum": 12345678901234567890},
            "mid": {"type": "number", "multipleOf": 0.01, "exclusiveMaximum": 1.5},
            "b": {"$ref": definition_uri("Owner")},
            "nested": {"type": "array", "items": {"anyOf": [{"type": "null"}, {"const": False}]}},
        },
        "additionalProperties": False,
        "x-extension": {"z": 1, "a": [3, 2, 1], "empty": {}},
    }
    return ConnectorVersion(
        connector=connector,
        protocol="http",
        title="Acme API",
        description="Everything Acme does.\n\nIn *Markdown*.",
        document_version="2.1.0",
        source="https://acme.example/openapi.yaml",
        sha256=sha("rich"),
        fetched_at=FETCHED_AT,
        metadata=HttpMetadata(
            servers=[
                Server(
                    url="https://{region}.acme.example/v2",
                    description="regional",
                    variables={"region": ServerVariable(default="eu", enum=["eu", "us"])},
                ),
                Server(url="https://sandbox.acme.example/v2"),
            ]
        ),
        auth_methods=[
            ApiKeyAuth(name="key", location="header", parameter="X-Api-Key"),
            BasicAuth(name="basic", description="for old clients"),
            BearerAuth(name="bearer", bearer_format="JWT"),
            OAuth2Auth(
                name="oauth",
                flows=[
                    OAuth2Flow(
                        grant="authorization_code",
                        authorization_url="https://acme.example/authorize",
                        token_url="https://acme.example/token",
                        scopes={"write": "Write things", "read": "Read things"},
                        pkce=True,
                    ),
                    OAuth2Flow(grant="client_credentials", token_url="https://acme.example/token"),
                ],
            ),
            OpenIDConnectAuth(
                name="oidc", discovery_url="https://acme.example/.well-known/openid-configuration"
            ),
            HMACAuth(name="signing", timestamp_header="X-Timestamp"),
            MutualTLSAuth(name="mtls"),
            WSSecurityUsernameTokenAuth(name="wss", password_type="digest"),
            CustomRequestAuth(
                name="session",
                request=RequestTemplate(
                    url="https://acme.example/login",
                    body={"user": "{username}", "password": "{password}"},
                ),
                extract=[ExtractRule(name="token", path="/data/token")],
                inject=[InjectRule(parameter="Authorization", template="Session {token}")],
                expires_in_seconds=3600,
            ),
            CustomFunctionAuth(name="js", source="export function authenticate(r) { return r }"),
        ],
        default_auth=[{"key": []}, {"oauth": ["read"], "mtls": []}],
        actions=[
            Action(
                name="update-thing",
                title="Update a thing",
                binding=HttpBinding(
                    method="patch",
                    path="/things/{id}",
                    parameters=[
                        HttpParameter(name="id", location="path", required=True),
                        HttpParameter(name="dry-run", location="query", style="form", explode=True),
                        HttpParameter(name="X-Trace", location="header", deprecated=True),
                    ],
                    request_media_types=["application/json", "application/merge-patch+json"],
                    body_required=True,
                ),
                input={"type": "object", "properties": {"body": {"$ref": definition_uri("Thing")}}},
                outputs=[
                    ActionOutput(
                        status="200",
                        media_types=["application/json"],
                        schema={"$ref": definition_uri("Thing")},
                        headers={"X-Rate-Limit": {"type": "integer"}},
                    ),
                    ActionOutput(status="4XX", description="client error"),
                    ActionOutput(status="default", schema=True),
                ],
                auth=[{"oauth": ["read"]}, {}],
                tags=["things"],
            ),
            Action(
                name="things",
                binding=GraphQLBinding(
                    operation_type="query",
                    field="things",
                    document="query Things($first: Int) { things(first: $first) { id } }",
                    operation_name="Things",
                ),
                input={"type": "object", "properties": {"first": {"type": ["integer", "null"]}}},
                auth=[],
            ),
            Action(
                name="Calculator.Add",
                description="SOAP",
                binding=SoapBinding(
                    service="Calculator",
                    port="CalculatorSoap12",
                    binding="CalculatorSoap12",
                    operation="Add",
                    soap_action="http://tempuri.org/Add",
                    style="rpc",
                    soap_version="1.2",
                    address="http://calc.example/calculator.asmx",
                ),
                outputs=[ActionOutput(status="fault", schema={"$ref": definition_uri("Fault")})],
                deprecated=True,
            ),
        ],
        triggers=[
            Trigger(
                name="thing-created",
                kind="webhook",
                binding=HttpTriggerBinding(path="thingCreated", media_types=["application/json"]),
                payload={"$ref": definition_uri("Thing")},
                verification=Verification(
                    header="X-Signature", timestamp_header="X-Timestamp", prefix="sha256="
                ),
            ),
            Trigger(
                name="update-thing.done",
                kind="callback",
                binding=HttpTriggerBinding(
                    expression="{$request.body#/callbackUrl}", action="update-thing"
                ),
            ),
            Trigger(
                name="thingChanged",
                kind="subscription",
                binding=GraphQLBinding(
                    operation_type="subscription",
                    field="thingChanged",
                    document="subscription { thingChanged { id } }",
                ),
                deprecated=True,
            ),
        ],
        definitions=[
            Definition(name="Thing", content=thing, description="A thing"),
            Definition(name="Owner", content={"type": "string", "format": "email"}),
            Definition(name="Anything", content=True),
            Definition(
                name="Fault",
                format="xsd",
                content=(
                    '<xs:complexType name="Fault" xmlns:xs="http://www.w3.org/2001/XMLSchema">'
                    '<xs:sequence><xs:element name="code" type="xs:int"/></xs:sequence>'
                    "</xs:complexType>"
                ),
                json_schema={"type": "object", "properties": {"code": {"type": "integer"}}},
                namespace="http://tempuri.org/",
            ),
        ],
        findings=[
            Finding(
                severity="warning",
                kind="invalid-pattern",
                location="/components/schemas/Thing/properties/zeta/pattern",
                message="not ECMA-262",
            ),
            Finding(severity="info", kind="no-servers", location="/servers", message="none"),
            Finding(severity="error", kind="bad-ref", location="/paths/~1x/get", message="gone"),
        ],
        changes=[
            Change(
                kind="action-removed",
                level="breaking",
                location="actions/delete-thing",
                message="action delete-thing was removed",
            ),
            Change(kind="enum-value-added", level="safe", location="Thing/kind", message="+ big"),
        ],
    )


def _github_scale_from_document(document: dict[str, Any]) -> tuple[list[Action], list[Definition]]:
    actions: list[Action] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                continue
            outputs = []
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}) if isinstance(response, dict) else {}
                media: dict[str, Any] = next(iter(content.values()), {})
                outputs.append(
                    ActionOutput(
                        status=status,
                        media_types=list(content),
                        schema=media.get("schema") if isinstance(media, dict) else None,
                    )
                )
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            actions.append(
                Action(
                    name=operation.get("operationId", f"{method} {path}"),
                    description=operation.get("description"),
                    binding=HttpBinding(method=method, path=path),
                    input={"type": "object", "properties": {"body": body.get("schema", {})}},
                    outputs=outputs,
                    tags=operation.get("tags", []),
                )
            )
    schemas = document["components"]["schemas"]
    definitions = [Definition(name=name, content=schema) for name, schema in schemas.items()]
    names = list(schemas)
    for n in range(len(definitions), 1000):  # GitHub's inline schemas become definitions too
        definitions.append(
            Definition(
                name=f"{names[n % len(names)]}-inline-{n}", content=schemas[names[n % len(names)]]
            )
        )
    return actions, definitions


def _synthetic_scale() -> tuple[list[Action], list[Definition]]:
    def schema(n: int) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                f"field_{k}": {"type": "string", "description": f"Field {k} of {n}", "maxLength": k}
                for k in range(20)
            },
        }

    actions = [
        Action(
            name=f"operation-{n}",
            binding=HttpBinding(method="get", path=f"/things/{n}/{{id}}"),
            input=schema(n),
            outputs=[ActionOutput(status="200", schema=schema(n + 1))],
        )
        for n in range(845)
    ]
    definitions = [Definition(name=f"Schema{n}", content=schema(n)) for n in range(1000)]
    return actions, definitions


def github_scale_version(connector: str = "github") -> tuple[ConnectorVersion, str]:
    """845 actions and 1,000 definitions: from GitHub's real OpenAPI document when the corpus is
    there, else synthetic. Returns the version and which it is."""
    if GITHUB_OPENAPI.is_file():
        raw = GITHUB_OPENAPI.read_bytes()
        actions, definitions = _github_scale_from_document(json.loads(raw))
        origin, digest = (
            f"GitHub's api.github.com.json ({len(raw) / 1e6:.1f} MB)",
            hashlib.sha256(raw),
        )
    else:
        actions, definitions = _synthetic_scale()
        origin, digest = "synthetic", hashlib.sha256(b"synthetic")
    version = ConnectorVersion(
        connector=connector,
        protocol="http",
        document_version="1.1.4",
        source=str(GITHUB_OPENAPI),
        sha256=digest.hexdigest(),
        fetched_at=FETCHED_AT,
        metadata=HttpMetadata(servers=[Server(url="https://api.github.com")]),
        actions=actions,
        definitions=definitions,
    )
    return version, origin
