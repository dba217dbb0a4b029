"""Acceptance checks: each passes on a clean version and fails, with the places, on a broken one."""

from __future__ import annotations

import json
from pathlib import Path

from connectory import inspect
from connectory.model.version import (
    Action,
    ConnectorVersion,
    Definition,
    Finding,
    GraphQLBinding,
    GraphQLMetadata,
    definition_uri,
)
from connectory.vetting.checks import CHECKS, run_checks

from .conftest import FIXTURES
from .support.samples import FETCHED_AT, rich_version, sha

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "openapi" / "1password-connect.json"


def _by_name(version: ConnectorVersion) -> dict[str, tuple[str, str, list[str]]]:
    return {r.name: (r.status, r.message, r.details) for r in run_checks(version)}


def test_a_real_clean_version_passes() -> None:
    results = _by_name(inspect(EXAMPLE))
    assert list(results) == list(CHECKS)
    assert results["definitions-valid"][0] == "passed"
    assert results["actions-complete"] == (
        "passed",
        "15 actions, each with an input and outputs",
        [],
    )
    assert results["no-error-findings"][0] == "passed"
    assert results["operations-valid"][0] == "skipped"
    assert results["xsd-compiles"][0] == "skipped"
    assert results["live-auth"][0] == "skipped"
    assert results["diff-reviewed"] == (
        "passed",
        "no published version before it: nothing to compare with",
        [],
    )


def test_broken_definitions_actions_and_findings_fail_with_details() -> None:
    version = rich_version()
    broken = version.model_copy(
        update={
            "definitions": [
                *version.definitions,
                Definition(name="Bad", content={"type": "strng"}),
                Definition(name="Dangling", content={"$ref": definition_uri("Gone")}),
            ],
            "actions": [
                *version.actions,
                version.actions[0].model_copy(
                    update={"name": "bare", "input": None, "outputs": []}
                ),
            ],
        }
    )
    results = _by_name(broken)
    status, message, details = results["definitions-valid"]
    assert (status, message) == ("failed", "2 problems in the definitions")
    assert details[0].startswith("/definitions/4/content/type: not valid JSON Schema 2020-12")
    assert "urn:connectory:definition:Gone" in details[1]
    assert "bare: no input and no outputs" in results["actions-complete"][2]
    assert results["no-error-findings"][:2] == ("failed", "1 error findings")


def _graphql(document: str) -> ConnectorVersion:
    return ConnectorVersion(
        connector="gql",
        protocol="graphql",
        source="schema.graphql",
        sha256=sha("gql"),
        fetched_at=FETCHED_AT,
        metadata=GraphQLMetadata(sdl="type Query { hello(name: String!): String }"),
        actions=[
            Action(
                name="hello",
                binding=GraphQLBinding(operation_type="query", field="hello", document=document),
                input={"type": "object"},
                outputs=[],
            )
        ],
        findings=[Finding(severity="warning", kind="w", location="Query", message="m")],
    )


def test_graphql_operation_documents_are_validated_against_the_schema() -> None:
    good = _by_name(_graphql("query Hello($n: String!) { hello(name: $n) }"))
    assert good["operations-valid"][0] == "passed"
    bad = _by_name(_graphql("query { hello }"))
    status, _, details = bad["operations-valid"]
    assert status == "failed"
    assert "Argument 'Query.hello(name:)' of type 'String!' is required" in details[0]
    unparsable = _by_name(_graphql("query {"))
    assert unparsable["operations-valid"][0] == "failed"


def test_the_xsds_of_a_real_wsdl_compile() -> None:
    results = _by_name(inspect(FIXTURES / "wsdl" / "calculator-soap11and12.wsdl"))
    status, message, _ = results["xsd-compiles"]
    assert status == "passed"
    assert message.startswith("the XSDs compile (lax)")


def test_breaking_changes_since_the_published_version_fail_the_review(tmp_path: Path) -> None:
    document = json.loads(EXAMPLE.read_text())
    del document["paths"]["/metrics"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    published = inspect(EXAMPLE, connector="op").model_copy(update={"version": "1.5.7"})
    draft = inspect(edited, connector="op")
    (result,) = [r for r in run_checks(draft, published) if r.name == "diff-reviewed"]
    assert result.status == "failed"
    assert result.message.startswith("since op@1.5.7: 1 breaking")
    assert "actions/GetPrometheusMetrics" in result.details[0]
