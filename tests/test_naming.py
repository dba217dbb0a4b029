"""Connector names when none is given (``connectory.onboarding.suggest_name``): stable, and
distinct for distinct APIs (issue 18: naming by title merged GitHub AE with GitHub Enterprise
Server 2.19, both "GitHub v3 REST API" 1.1.4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectory.documents.fetch import RawDocument
from connectory.documents.parse import parse
from connectory.errors import DocumentError, InvalidName
from connectory.model.version import check_name
from connectory.onboarding import declared_name, inspect, source_name, suggest_name

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "openapi" / "apis-guru"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/openapi/apis-guru")


def _document(info: dict[str, Any], source: str = "/specs/openapi.json") -> RawDocument:
    document = {"openapi": "3.0.3", "info": info, "paths": {}}
    return RawDocument.from_bytes(json.dumps(document).encode(), source)


def _name(info: dict[str, Any], source: str = "/specs/openapi.json") -> str:
    return suggest_name(parse(_document(info, source)))


def _corpus_info(path: str) -> dict[str, Any]:
    file = CORPUS / path
    if not file.is_file():
        pytest.skip(f"the APIs.guru corpus is not here ({file})")
    info: dict[str, Any] = json.loads(file.read_bytes())["info"]
    return info


def test_apis_that_share_a_title_get_distinct_names() -> None:
    github = ["github.com/api.github.com.json", "github.com/github.ae.json",
              "github.com/ghes-2.19.json"]  # fmt: skip
    infos = [_corpus_info(path) for path in github]
    assert {(info["title"], info["version"]) for info in infos} == {("GitHub v3 REST API", "1.1.4")}
    names = [_name(info) for info in infos]  # the same file name too: only the id tells
    assert names == ["github-com-api-github-com", "github-com-github-ae", "github-com-ghes-2-19"]

    azure = ["azure.com/sql-ManagedBackupShortTermRetention.json", "azure.com/sql-WorkloadGroups.json",
             "azure.com/sql-encryptionProtectors.json"]  # fmt: skip
    infos = [_corpus_info(path) for path in azure]
    assert {info["title"] for info in infos} == {"SqlManagementClient"}
    assert [_name(info) for info in infos] == [
        "azure-com-sql-managedbackupshorttermretention",
        "azure-com-sql-workloadgroups",
        "azure-com-sql-encryptionprotectors",
    ]


def test_the_versions_of_one_api_share_its_name() -> None:
    old = {"title": "Stripe API", "version": "2022-11-15", "x-providerName": "stripe.com"}
    new = {**old, "title": "Stripe", "version": "2023-10-16"}
    assert _name(old, "/a/spec3.json") == _name(new, "/b/other.yaml") == "stripe-com"


def test_a_document_may_name_its_connector() -> None:
    info = {"title": "T", "version": "1", "x-connectory-name": "billing", "x-providerName": "x.io"}
    assert _name(info) == "billing"
    assert declared_name(parse(_document(info))) == "billing"
    with pytest.raises(InvalidName, match=r"openapi\.json#/info/x-connectory-name"):
        _name({**info, "x-connectory-name": "Not A Name"})
    with pytest.raises(DocumentError, match="must be a string"):
        _name({**info, "x-connectory-name": 7})


def test_otherwise_the_source_names_it_not_the_title() -> None:
    info = {"title": "GitHub v3 REST API", "version": "1.1.4"}
    assert declared_name(parse(_document(info))) is None
    assert _name(info, "/home/me/specs/orders.yaml") == "orders"
    assert _name(info, "C:\\specs\\Orders API.v2.json") == "orders-api-v2"
    assert _name(info, "https://user:secret@api.example.com:8443/v2/openapi.json?key=s3cret") == (
        "api-example-com-v2-openapi"
    )
    assert source_name("https://api.shop.example/graphql") == "api-shop-example-graphql"
    assert source_name("https://api.example.com/") == "api-example-com"
    assert source_name("/specs/.json") == "json"
    assert source_name("/specs/...") == "connector"


def test_long_names_stay_distinct_and_valid() -> None:
    base = "https://raw.githubusercontent.com/github/rest-api-description/main/descriptions"
    first = source_name(f"{base}/ghes-2.19/ghes-2.19.json")
    second = source_name(f"{base}/ghes-2.20/ghes-2.20.json")
    assert first != second
    assert check_name(first) == first
    assert len(first) == 64
    assert first == source_name(f"{base}/ghes-2.19/ghes-2.19.json")  # stable


def test_a_folder_given_names_it_not_its_root_file() -> None:
    folder = Path(__file__).resolve().parent / "fixtures" / "openapi" / "openapi-multi"
    assert inspect(folder).connector == "openapi-multi"
    assert inspect(folder / "openapi.yaml").connector == "openapi"
