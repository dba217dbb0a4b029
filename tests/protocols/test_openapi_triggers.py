"""Webhooks and callbacks -> triggers (fixtures: security-3.1.yaml, operations-3.0.yaml)."""

from __future__ import annotations

from connectory.model.version import HttpTriggerBinding, Trigger, definition_uri
from tests.support.openapi import fixture, generate_version


def test_openapi_3_1_webhooks() -> None:
    version = generate_version(fixture("security-3.1.yaml"))
    pet = {"$ref": definition_uri("Pet")}
    json = ["application/json"]
    assert version.triggers == [
        Trigger(
            name="newPet.put",
            kind="webhook",
            binding=HttpTriggerBinding(method="PUT", path="newPet", media_types=json),
            payload=pet,
        ),
        Trigger(
            name="newPet",
            kind="webhook",
            description="A pet was added",
            binding=HttpTriggerBinding(method="POST", path="newPet", media_types=json),
            payload=pet,
        ),
        Trigger(  # a path item $ref into components.pathItems
            name="petGone",
            kind="webhook",
            binding=HttpTriggerBinding(method="POST", path="petGone", media_types=json),
            payload={"type": "object"},
            deprecated=True,
        ),
    ]


def test_callbacks_of_operations() -> None:
    version = generate_version(fixture("operations-3.0.yaml"))
    action = "post_repos_owner_repo_issues_number"
    body = "{$request.body#/callbackUrl}"
    assert version.triggers == [
        Trigger(
            name=f"{action}.onIssue.post",
            kind="callback",
            binding=HttpTriggerBinding(
                method="POST", expression=body, action=action, media_types=["application/json"]
            ),
            payload={"$ref": definition_uri("Repo")},
        ),
        Trigger(
            name=f"{action}.onIssue.delete",
            kind="callback",
            binding=HttpTriggerBinding(method="DELETE", expression=body, action=action),
        ),
        Trigger(  # a callback $ref into components.callbacks
            name=f"{action}.later.put",
            kind="callback",
            binding=HttpTriggerBinding(
                method="PUT",
                expression="{$request.query.url}",
                action=action,
                media_types=["text/plain"],
            ),
            payload={"type": "string"},
        ),
    ]


def test_trigger_names_stay_unique() -> None:
    post = {"post": {"requestBody": {"content": {"application/json": {}}}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "webhooks": {"a.put": post, "a": {**post, "put": post["post"]}},
    }
    version = generate_version(document)
    assert [t.name for t in version.triggers] == ["a.put", "a.put_2", "a"]
    assert [t.payload for t in version.triggers] == [{}, {}, {}]
