"""Connectory: onboard connectors from their interface descriptions into a vetted catalogue.

The table of contents (each name below is importable from ``connectory``):

    inspect(source)          fetch, parse, generate and validate a document; store nothing
    fetch / parse / generate / validate / validated
                             the onboarding steps, one function each (flows/ wraps them as tasks)
    Catalog                  the catalogue store (SQLite by default, PostgreSQL for teams)
    publish(catalog, ...)    the one publish path: the policy (semver against the change report,
    check_publish(...)       approval) applied in the store's transaction; check only
    diff(old, new)           what changed between two versions: breaking, dangerous, safe
    invoke(version, ...)     call an action
    summarize(version)       a markdown summary of a version
    ConnectorVersion, Connector, Action, Trigger, Definition, AuthMethod, Finding, Change,
    Board, Vetting, CheckResult
                             the domain model
    ConnectoryError, ...     the exception hierarchy
    Settings                 limits for hostile input, passed explicitly

Beyond the leaves (errors, settings), each name is imported on first use: ``import connectory``
loads neither the store, nor jsonschema, nor the runtime.

The packages, leaves first (each imports only those above it):

    errors, settings, redaction, origins   the leaves: exceptions, limits, secrets hidden, origins
    model/       the domain model (pydantic) and what is computed from a version alone
    documents/   fetch, decode, parse; the loader that reads what a document refers to
    schemas/     JSON Schema helpers: registries, validators, the meta-schema check, pointers
    protocols/   one package per protocol (openapi, graphql, soap), one contract
    changes/     version diffs (each protocol's own part in its package)
    catalog/     the store: SQLAlchemy, migrations, guards, the publish policy, files
    vetting/     acceptance checks, the review queue, publishing
    runtime/     invoke actions, listen to triggers, verify deliveries, auth, secrets
    render/      markdown, HTML and DataFrames of what the catalogue holds
    onboarding   the pipeline: inspect, generate, validated
    cli/, api/   the outer layers (typer, FastAPI); flows/ (Prefect) lives beside the package
"""

from __future__ import annotations

import typing as _typing

from ._lazy import lazy_names as _lazy_names
from .errors import (
    BadReference,
    CatalogError,
    ConfirmationRequired,
    Conflict,
    ConnectoryError,
    DocumentError,
    ImmutableVersion,
    InputError,
    InvalidName,
    NotFound,
    ProtocolError,
    PublishRefused,
    SourceError,
    SourceUnreachable,
    TransientError,
)
from .settings import Settings

__version__ = "0.1.0"

if _typing.TYPE_CHECKING:
    from .catalog import Catalog, Drafted
    from .changes import diff
    from .documents.fetch import RawDocument, fetch
    from .documents.parse import ParsedDocument, parse
    from .model.auth import AuthMethod
    from .model.version import (
        Action,
        ActionOutput,
        Board,
        BoardUse,
        Change,
        CheckResult,
        Connector,
        ConnectorVersion,
        Definition,
        Finding,
        Trigger,
        Vetting,
    )
    from .onboarding import generate, inspect, validated
    from .render.summary import summarize
    from .runtime.invoke import invoke
    from .schemas.registry import registry_for, validator_for
    from .schemas.validation import validate
    from .vetting.publishing import check_publish, publish

__getattr__, __dir__ = _lazy_names(
    __name__,
    {
        ".catalog": ("Catalog", "Drafted"),
        ".changes": ("diff",),
        ".documents.fetch": ("RawDocument", "fetch"),
        ".documents.parse": ("ParsedDocument", "parse"),
        ".model.auth": ("AuthMethod",),
        ".model.version": (
            "Action",
            "ActionOutput",
            "Board",
            "BoardUse",
            "Change",
            "CheckResult",
            "Connector",
            "ConnectorVersion",
            "Definition",
            "Finding",
            "Trigger",
            "Vetting",
        ),
        ".onboarding": ("generate", "inspect", "validated"),
        ".render.summary": ("summarize",),
        ".runtime.invoke": ("invoke",),
        ".schemas.registry": ("registry_for", "validator_for"),
        ".schemas.validation": ("validate",),
        ".vetting.publishing": ("check_publish", "publish"),
    },
)
"""Beyond the leaves (errors, settings), each name is imported from its module on first use: a
command loads only what it uses (the store's SQLAlchemy, jsonschema, the runtime's auth...)."""


__all__ = [
    "Action",
    "ActionOutput",
    "AuthMethod",
    "BadReference",
    "Board",
    "BoardUse",
    "Catalog",
    "CatalogError",
    "Change",
    "CheckResult",
    "ConfirmationRequired",
    "Conflict",
    "Connector",
    "ConnectorVersion",
    "ConnectoryError",
    "Definition",
    "DocumentError",
    "Drafted",
    "Finding",
    "ImmutableVersion",
    "InputError",
    "InvalidName",
    "NotFound",
    "ParsedDocument",
    "ProtocolError",
    "PublishRefused",
    "RawDocument",
    "Settings",
    "SourceError",
    "SourceUnreachable",
    "TransientError",
    "Trigger",
    "Vetting",
    "check_publish",
    "diff",
    "fetch",
    "generate",
    "inspect",
    "invoke",
    "parse",
    "publish",
    "registry_for",
    "summarize",
    "validate",
    "validated",
    "validator_for",
]
