"""Operations -> actions: names, parameters, bodies, outputs (fixture: operations-3.0.yaml)."""

from __future__ import annotations

from typing import Any

import pytest

from connectory.model.version import (
    Action,
    ConnectorVersion,
    HttpBinding,
    HttpParameter,
    definition_uri,
)
from connectory.schemas.registry import validator_for
from tests.support.openapi import check_schemas, findings_of, fixture, generate_version

REPO = "/paths/~1repos~1{owner}~1{repo}"
ISSUE = "/paths/~1repos~1{owner}~1{repo}~1issues~1{number}"


@pytest.fixture(scope="module")
def version() -> ConnectorVersion:
    return generate_version(fixture("operations-3.0.yaml"))


def binding(action: Action) -> HttpBinding:
    assert isinstance(action.binding, HttpBinding)
    return action.binding


def test_one_action_per_operation_named_after_its_operation_id(version: ConnectorVersion) -> None:
    assert [(a.name, binding(a).method, binding(a).path) for a in version.actions] == [
        ("getRepo", "GET", "/repos/{owner}/{repo}"),
        ("getRepo_2", "PATCH", "/repos/{owner}/{repo}"),
        ("post_repos_owner_repo_issues_number", "POST", "/repos/{owner}/{repo}/issues/{number}"),
        ("get_upload", "GET", "/upload"),
        ("upload", "PUT", "/upload"),
        ("get_alias", "GET", "/alias"),  # the path item is a $ref to /upload's
        ("upload_2", "PUT", "/alias"),
        ("broken", "GET", "/broken"),
    ]
    assert findings_of(version, "duplicate-operation-id") == {
        f"{REPO}/patch/operationId": "operationId 'getRepo' is used more than once: "
        "this action is named 'getRepo_2'",
        "/paths/~1alias/$ref": "operationId 'upload' (of /paths/~1upload/put, reached through "
        "this $ref) is used more than once: this action is named 'upload_2'",
    }


def test_generated_names_never_take_an_operation_id() -> None:
    document = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"get": {"responses": {}}},
            "/b": {"get": {"operationId": "get_a", "responses": {}}},
            "/a/": {"get": {"responses": {}}},
        },
    }
    version = generate_version(document)
    assert [a.name for a in version.actions] == ["get_a_2", "get_a", "get_a_3"]
    assert findings_of(version, "duplicate-operation-id") == {}


def test_path_and_operation_parameters_are_merged(version: ConnectorVersion) -> None:
    get = version.action("getRepo")
    assert binding(get).parameters == [
        HttpParameter(name="owner", location="path", required=True, description="The owner."),
        HttpParameter(name="repo", location="path", required=True),
        HttpParameter(name="per_page", location="query", required=True),  # overridden
        HttpParameter(name="X-Trace", location="header"),  # a $ref
        HttpParameter(name="filter", location="query", media_type="application/json"),
        HttpParameter(name="session", location="cookie", deprecated=True),
    ]
    assert get.input == {
        "type": "object",
        "properties": {
            "path": {
                "type": "object",
                "properties": {
                    "owner": {"type": "string", "description": "The owner."},
                    "repo": {"type": "string"},
                },
                "required": ["owner", "repo"],
                "additionalProperties": False,
            },
            "query": {
                "type": "object",
                "properties": {
                    "per_page": {"type": "integer", "maximum": 100},
                    "filter": {"type": "object", "properties": {"state": {"type": "string"}}},
                },
                "required": ["per_page"],
                "additionalProperties": False,
            },
            "header": {
                "type": "object",
                "properties": {"X-Trace": {"type": "string", "format": "uuid"}},
                "additionalProperties": False,
            },
            "cookie": {
                "type": "object",
                "properties": {"session": {"type": "string", "deprecated": True}},
                "additionalProperties": False,
            },
        },
        "required": ["path", "query"],
        "additionalProperties": False,
    }
    # The PATCH sees the path-level per_page, not GET's override.
    patch = version.action("getRepo_2")
    assert patch.input["properties"]["query"]["properties"]["per_page"] == {  # type: ignore[index]
        "type": "integer",
        "default": 30,
    }


def test_an_authorization_header_parameter_is_ignored(version: ConnectorVersion) -> None:
    assert findings_of(version, "ignored-parameter") == {
        f"{REPO}/get/parameters/3": "header parameter 'Authorization' is ignored (OpenAPI: the "
        "media types and security schemes say it)"
    }


def test_input_schema_validates_calls(version: ConnectorVersion) -> None:
    validator = validator_for(version.action("getRepo").input, version)  # type: ignore[arg-type]
    assert validator.is_valid(
        {"path": {"owner": "o", "repo": "r"}, "query": {"per_page": 5, "filter": {"state": "x"}}}
    )
    assert not validator.is_valid({"path": {"owner": "o", "repo": "r"}})  # query is required
    assert not validator.is_valid({"path": {"owner": "o"}, "query": {"per_page": 5}})
    assert not validator.is_valid({"path": {"owner": "o", "repo": "r"}, "query": {"per_page": 500}})
    assert not validator.is_valid(
        {"path": {"owner": "o", "repo": "r"}, "query": {"per_page": 5}, "body": {}}
    )


def test_request_body_prefers_a_json_media_type(version: ConnectorVersion) -> None:
    post = version.action("post_repos_owner_repo_issues_number")
    assert binding(post).request_media_types == [
        "application/x-www-form-urlencoded",
        "application/json; charset=utf-8",
        "application/octet-stream",
    ]
    assert binding(post).body_required is True
    assert post.input["properties"]["body"] == {  # type: ignore[index]
        "type": "object",
        "properties": {"title": {"type": "string"}, "labels": {"type": "array"}},
    }
    assert post.input["required"] == ["path", "body"]  # type: ignore[index]


def test_request_body_by_ref_and_without_schema(version: ConnectorVersion) -> None:
    patch = version.action("getRepo_2")
    assert binding(patch).request_media_types == ["application/merge-patch+json"]
    assert binding(patch).body_required is False
    assert patch.input["properties"]["body"] == {"$ref": definition_uri("Repo")}  # type: ignore[index]
    assert "body" not in patch.input["required"]  # type: ignore[index]
    upload = version.action("upload")
    assert binding(upload).request_media_types == ["image/png"]
    assert upload.input["properties"] == {"body": {}}  # type: ignore[index]


def test_path_template_and_path_parameters_disagree(version: ConnectorVersion) -> None:
    post = version.action("post_repos_owner_repo_issues_number")
    assert [(p.name, p.required) for p in binding(post).parameters] == [
        ("owner", True),
        ("repo", True),  # declared without required: true
        ("number", True),  # not declared at all: an implicit string
    ]
    assert post.input["properties"]["path"]["properties"]["number"] == {"type": "string"}  # type: ignore[index]
    assert findings_of(version, "undeclared-path-parameter") == {
        f"{ISSUE}/post/parameters/2": "path parameter 'ghost' is not in the path template "
        "'/repos/{owner}/{repo}/issues/{number}': dropped",
        f"{ISSUE}/post": "path template variable {number} has no path parameter: taken as a "
        "required string",
    }
    assert f"{ISSUE}/post/parameters/1" in findings_of(version, "invalid-parameter")


def test_outputs_one_per_response(version: ConnectorVersion) -> None:
    outputs = version.action("getRepo").outputs
    assert [o.status for o in outputs] == ["200", "2XX", "default"]  # YAML gave 200 as an int
    ok, other, default = outputs
    assert ok.media_types == ["text/plain", "application/vnd.github+json"]
    assert ok.schema_ == {"$ref": definition_uri("Repo")}
    assert ok.headers == {"X-Rate-Limit": {"type": "integer"}}  # Content-Type is ignored
    assert (other.schema_, other.media_types, other.description) == (None, [], "Some other success")
    assert default.description == "An error."
    assert default.media_types == ["application/problem+json"]
    assert default.schema_ == {"type": "object", "properties": {"message": {"type": "string"}}}


def test_broken_references_skip_the_item_with_a_finding(version: ConnectorVersion) -> None:
    broken = version.action("broken")
    assert [p.name for p in binding(broken).parameters] == ["limit"]
    assert [o.status for o in broken.outputs] == ["404"]
    unresolvable = findings_of(version, "unresolvable-ref")
    assert set(unresolvable) == {
        "/paths/~1broken/get/parameters/0/$ref",
        "/paths/~1broken/get/parameters/1/$ref",
        "/paths/~1broken/get/responses/200/$ref",
    }
    assert "names nothing" in unresolvable["/paths/~1broken/get/parameters/0/$ref"]
    # The document was given in memory: it has no folder to read other.yaml from.
    assert "given in memory" in unresolvable["/paths/~1broken/get/parameters/1/$ref"]


def test_action_metadata(version: ConnectorVersion) -> None:
    get = version.action("getRepo")
    assert (get.title, get.tags, get.deprecated, get.auth) == (
        "Get a repository",
        ["repos"],
        False,
        None,
    )
    assert version.action("getRepo_2").deprecated is True


def test_every_schema_is_2020_12(version: ConnectorVersion) -> None:
    assert check_schemas(version) > len(version.actions)


def test_yaml_quirks_do_not_break_generation() -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": 1.5},
        "paths": {"/x": {"get": {"operationId": 12, "responses": {200: {"description": "ok"}}}}},
    }
    version = generate_version(document)
    assert version.document_version == "1.5"
    assert version.actions[0].name == "12"
    assert version.actions[0].outputs[0].status == "200"
