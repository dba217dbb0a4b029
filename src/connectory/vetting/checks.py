"""Acceptance checks of a catalogue entry: what a vetter runs before approving a version.

Like a connector acceptance test suite, but for a catalogue entry. Each check is a function of
the version (and of the last published version, for the diff) returning a ``CheckResult``:
``passed``, ``failed`` (with the offending places in ``details``) or ``skipped`` (with why).

    definitions-valid         every definition is valid JSON Schema 2020-12 and its refs resolve
    actions-complete          every action has an input and at least one output
    operations-valid          GraphQL: every operation document validates against the schema
    xsd-compiles              SOAP: the XSDs compile (leniently; what they report, as details)
    no-error-findings         no finding of severity ``error``
    live-auth                 a call with the connector's credentials, if given (runtime.probe),
                              only to origins the vetter accepted (runtime.trust)
    diff-reviewed             the changes since the last published version (fails if breaking)
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from connectory.errors import ConnectoryError
from connectory.model.version import Action, CheckResult, ConnectorVersion, Trigger
from connectory.schemas.validation import validate
from connectory.settings import Settings

if TYPE_CHECKING:
    from connectory.runtime.credentials import Credentials

__all__ = ["CHECKS", "LIVE_AUTH", "check_auth", "run_checks"]

MAX_DETAILS = 50


def _result(name: str, problems: Sequence[str], passed: str, failed: str) -> CheckResult:
    if not problems:
        return CheckResult(name=name, status="passed", message=passed)
    details = list(problems[:MAX_DETAILS])
    if len(problems) > MAX_DETAILS:
        details.append(f"... {len(problems) - MAX_DETAILS} more")
    return CheckResult(name=name, status="failed", message=failed, details=details)


def definitions_valid(version: ConnectorVersion, previous: ConnectorVersion | None) -> CheckResult:
    problems = [
        f"{f.location}: {f.message}"
        for f in validate(version)
        if f.location.startswith("/definitions/")
    ]
    return _result(
        "definitions-valid",
        problems,
        f"{len(version.definitions)} definitions, all valid JSON Schema 2020-12",
        f"{len(problems)} problems in the definitions",
    )


def actions_complete(version: ConnectorVersion, previous: ConnectorVersion | None) -> CheckResult:
    problems = []
    for action in version.actions:
        missing = [
            what
            for what, present in (("input", action.input is not None), ("outputs", action.outputs))
            if not present
        ]
        if missing:
            problems.append(f"{action.name}: no {' and no '.join(missing)}")
    return _result(
        "actions-complete",
        problems,
        f"{len(version.actions)} actions, each with an input and outputs",
        f"{len(problems)} of {len(version.actions)} actions are incomplete",
    )


def operations_valid(version: ConnectorVersion, previous: ConnectorVersion | None) -> CheckResult:
    if version.metadata.protocol != "graphql":
        return CheckResult(name="operations-valid", status="skipped", message="not GraphQL")
    if not version.metadata.sdl:
        return CheckResult(
            name="operations-valid", status="failed", message="the version carries no schema"
        )
    from graphql import GraphQLError, build_schema, parse
    from graphql import validate as validate_document

    schema = build_schema(version.metadata.sdl, assume_valid_sdl=True)
    problems = []
    items: list[Action | Trigger] = [*version.actions, *version.triggers]
    for item in items:
        binding = item.binding
        if binding.kind != "graphql":
            continue
        try:
            errors = validate_document(schema, parse(binding.document))
        except GraphQLError as error:
            errors = [error]
        problems += [f"{item.name}: {error.message}" for error in errors]
    return _result(
        "operations-valid",
        problems,
        "every operation document validates against the schema",
        f"{len(problems)} validation errors in operation documents",
    )


def xsd_compiles(version: ConnectorVersion, previous: ConnectorVersion | None) -> CheckResult:
    if version.metadata.protocol != "soap":
        return CheckResult(name="xsd-compiles", status="skipped", message="not SOAP")
    from .xsd import compile_xsd

    started = time.perf_counter()
    try:
        _, findings = compile_xsd(version)
    except (ValueError, ConnectoryError) as error:
        return CheckResult(name="xsd-compiles", status="failed", message=str(error))
    seconds = time.perf_counter() - started
    errors = [f"{f.location}: {f.message}" for f in findings if f.severity == "error"]
    warnings = sum(1 for f in findings if f.severity != "error")
    return _result(
        "xsd-compiles",
        errors,
        f"the XSDs compile (lax) in {seconds:.1f} s, {warnings} warnings",
        f"the XSDs compile (lax) in {seconds:.1f} s with {len(errors)} errors",
    )


def diff_reviewed(version: ConnectorVersion, previous: ConnectorVersion | None) -> CheckResult:
    """What changed since the last published version: for the reviewer to read before approving.

    Fails when there are breaking changes (the reviewer should see them listed, and decide);
    passes when no published version comes before it (nothing to compare with) or nothing
    breaks.
    """
    if previous is None:
        return CheckResult(
            name="diff-reviewed",
            status="passed",
            message="no published version before it: nothing to compare with",
        )
    from connectory.changes import diff

    changes = diff(previous, version)
    levels = Counter(change.level for change in changes)
    summary = (
        f"since {previous.ref}: {levels['breaking']} breaking, {levels['dangerous']} dangerous, "
        f"{levels['safe']} safe changes"
    )
    breaking = [f"{c.location}: {c.message}" for c in changes if c.level == "breaking"]
    return _result("diff-reviewed", breaking, summary, summary)


def no_error_findings(version: ConnectorVersion, previous: ConnectorVersion | None) -> CheckResult:
    problems = [
        f"{f.kind} at {f.location}: {f.message}" for f in version.findings if f.severity == "error"
    ]
    warnings = sum(1 for f in version.findings if f.severity == "warning")
    return _result(
        "no-error-findings",
        problems,
        f"no errors ({warnings} warnings)",
        f"{len(problems)} error findings",
    )


LIVE_AUTH = "live-auth"


def check_auth(
    version: ConnectorVersion,
    credentials: Credentials | None = None,
    *,
    settings: Settings | None = None,
) -> CheckResult:
    """The live auth check of ``version`` (``runtime.probe``): one safe call with
    ``credentials``, by default the connector's (``runtime.credentials``: the secrets file and
    ``CONNECTORY_CREDENTIALS_<NAME>``; unreadable ones fail the check, saying why). Skipped, and
    nothing called, without them, or when the version would send them to an origin its user has
    not accepted for the connector (an unvetted draft naming a new host: see ``connectory
    trust``). Tokens an OAuth 2 method renews are kept in the secrets file. No secret value is in
    the result: it is kept for ever (in a vetting, on a draft). The ``live-auth`` check, and the
    onboarding's auth step (``connectory.onboarding.auth_check``)."""
    from connectory.redaction import Redactor
    from connectory.runtime import credentials_for, token_keeper
    from connectory.runtime.credentials import secret_values
    from connectory.runtime.probe import probe_auth

    redactor = Redactor()
    try:
        if credentials is None:
            credentials = credentials_for(version.connector)
        redactor = Redactor(secret_values(credentials))
        keeper = token_keeper(version.connector)
        status, message = probe_auth(version, credentials, settings=settings, on_token=keeper)
    except ConnectoryError as error:  # unreadable credentials
        status, message = "failed", str(error)
    return CheckResult(name=LIVE_AUTH, status=status, message=redactor.text(message))


def live_auth(version: ConnectorVersion, previous: ConnectorVersion | None) -> CheckResult:
    """A call with the connector's credentials, if given (``check_auth``)."""
    return check_auth(version)


Check = Callable[[ConnectorVersion, ConnectorVersion | None], CheckResult]

CHECKS: dict[str, Check] = {
    "definitions-valid": definitions_valid,
    "actions-complete": actions_complete,
    "operations-valid": operations_valid,
    "xsd-compiles": xsd_compiles,
    "no-error-findings": no_error_findings,
    LIVE_AUTH: live_auth,
    "diff-reviewed": diff_reviewed,
}


def run_checks(
    version: ConnectorVersion, previous: ConnectorVersion | None = None
) -> list[CheckResult]:
    """Every acceptance check of ``version`` (``previous``: the last published version, if any)."""
    return [check(version, previous) for check in CHECKS.values()]
