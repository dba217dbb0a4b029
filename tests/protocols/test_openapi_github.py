"""GitHub's REST API description (5.7 MB, 845 operations) and Stripe's (recursive schemas)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connectory.model.version import ConnectorVersion, definition_uri
from connectory.schemas.registry import registry_for, validator_for
from tests.support.openapi import check_schemas, corpus_document, generate_version

GITHUB = "apis-guru/github.com/api.github.com.json"
STRIPE = "stripe/spec3.json"


@pytest.fixture(scope="module")
def github_document() -> dict[str, Any]:
    return corpus_document(GITHUB)


@pytest.fixture(scope="module")
def github(github_document: dict[str, Any]) -> ConnectorVersion:
    return generate_version(github_document, source=GITHUB)


def test_one_action_per_operation_with_unique_names(github: ConnectorVersion) -> None:
    assert len(github.actions) == 845
    assert len({action.name for action in github.actions}) == 845
    assert github.action("repos/get").binding.path == "/repos/{owner}/{repo}"  # type: ignore[union-attr]


def test_definitions_and_webhooks(github: ConnectorVersion) -> None:
    assert len(github.definitions) == 582
    assert len(github.triggers) == 218  # x-webhooks
    assert {t.kind for t in github.triggers} == {"webhook"}


def test_a_real_payload_validates_against_an_output(github: ConnectorVersion) -> None:
    output = github.action("users/list-followers-for-authenticated-user").outputs[0]
    assert output.status == "200"
    assert output.schema_ == {"type": "array", "items": {"$ref": definition_uri("simple-user")}}
    validator = validator_for(output.schema_, github)
    url = "https://api.github.com/users/octocat"
    user: dict[str, Any] = {
        "login": "octocat",
        "id": 1,
        "node_id": "MDQ6VXNlcjE=",
        "avatar_url": "https://github.com/images/error/octocat_happy.gif",
        "gravatar_id": None,  # nullable in the document
        "url": url,
        "html_url": "https://github.com/octocat",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": "User",
        "site_admin": False,
    }
    assert list(validator.iter_errors([user])) == []
    assert not validator.is_valid([{**user, "id": "1"}])
    assert not validator.is_valid([{k: v for k, v in user.items() if k != "login"}])
    assert not validator.is_valid([{**user, "site_admin": None}])


def test_the_document_is_left_unchanged(github_document: dict[str, Any]) -> None:
    pristine = copy.deepcopy(github_document)
    generate_version(github_document)
    assert github_document == pristine


@pytest.mark.slow
def test_every_schema_is_2020_12(github: ConnectorVersion) -> None:
    assert check_schemas(github) > 3000


def test_stripe_recursive_schemas_stay_refs() -> None:
    stripe = generate_version(corpus_document(STRIPE), source=STRIPE)
    customer = stripe.definition("customer").content
    discount = stripe.definition("discount").content
    assert isinstance(customer, dict)
    assert isinstance(discount, dict)
    # customer -> discount -> customer: kept as refs, a nullable anyOf in 3.0 becomes anyOf + null.
    assert customer["properties"]["discount"]["anyOf"] == [
        {"anyOf": [{"$ref": definition_uri("discount")}]},
        {"type": "null"},
    ]
    assert {"$ref": definition_uri("customer")} in discount["properties"]["customer"]["anyOf"][0][
        "anyOf"
    ]
    validator = validator_for({"$ref": definition_uri("customer")}, registry_for(stripe))
    minimal = {"id": "cus_1", "object": "customer", "created": 1, "livemode": False}
    assert validator.is_valid(minimal)
    assert validator.is_valid({**minimal, "discount": None})
    assert not validator.is_valid({**minimal, "discount": 5})
    assert not validator.is_valid({**minimal, "object": "charge"})
