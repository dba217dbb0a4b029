"""Connectory: onboard connectors from their interface descriptions into a vetted catalogue.

The table of contents:

    inspect(source)          fetch, parse, generate and validate a document; store nothing
    Catalog                  the catalogue store (SQLite by default, PostgreSQL for teams)
    diff(old, new)           what changed between two versions: breaking, dangerous, safe
                             (connectory.diff, which also documents every kind of change)
    check_publish(...)       the publish policy: breaking changes need a major version bump
                             (connectory.lifecycle; connectory.semver for the labels)

    fetch / parse / generate / validated
                             the onboarding steps, one function each (flows/ wraps them as tasks)
    ConnectorVersion, Connector, Action, Trigger, Definition, AuthMethod, Finding, Change,
    Board, Vetting, CheckResult
                             the domain model (connectory.model, connectory.authmethods)
    connectory.views         pandas DataFrames of the catalogue, for notebooks
    connectory.checks        acceptance checks of a version
    ConnectoryError, ...     the exception hierarchy (connectory.errors)
    Settings                 limits for hostile input, passed explicitly
"""

from .authmethods import AuthMethod
from .catalog import Catalog, Drafted
from .detect import ParsedDocument, parse
from .diff import diff
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
from .fetch import RawDocument, fetch
from .lifecycle import check_publish
from .model import (
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
from .schemas import registry_for, validator_for
from .settings import Settings
from .summary import summarize
from .validate import validate

__version__ = "0.1.0"

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
    "parse",
    "registry_for",
    "summarize",
    "validate",
    "validated",
    "validator_for",
]
