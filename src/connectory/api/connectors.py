"""``/connectors``: the connectors and their versions (draft, read, compare, publish, deprecate,
delete), and the default version."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import Body, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from connectory.catalog.digest import content_sha256
from connectory.catalog.results import (
    ConnectorSummary,
    DefaultVersion,
    Deletion,
    Deprecated,
    Drafted,
    VersionInfo,
)
from connectory.changes import diff
from connectory.errors import InputError
from connectory.model.auth import AuthMethod
from connectory.model.version import Change, Connector, ConnectorVersion
from connectory.onboarding import validated
from connectory.vetting.publishing import publish as publish_checked

from .params import LABEL_RULE, ContentHash, Label, LabelQuery, Name, NewLabel, Reason
from .routing import Store, answers, as_json, new_router

__all__ = ["DefaultChoice", "Deprecation", "DeprecationRecord", "router"]

router = new_router()

ActionsQuery = Annotated[
    list[str] | None,
    Query(
        alias="action",
        max_length=1000,
        description="Only these actions need the method (repeatable; default: every action, "
        "and the version's default_auth that subscriptions use).",
    ),
]


class Deprecation(BaseModel):
    """What a deprecation needs: when the version stops working, and what to use instead."""

    model_config = ConfigDict(extra="forbid")

    sunset: date = Field(
        description="When it stops working (YYYY-MM-DD): today or later. Required, as "
        "connectory deprecate --sunset."
    )
    replacement: str | None = Field(
        default=None,
        pattern=LABEL_RULE,
        max_length=64,
        description="The published version to use instead (a label, latest or default).",
    )


class DeprecationRecord(Deprecated):
    """The deprecation made (not the version: fetch it at ``url``)."""

    url: str = Field(description="The deprecated version, a path of this API.")


class DefaultChoice(BaseModel):
    """The connector's default version: a label, or null to follow the newest published one."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(
        pattern=LABEL_RULE,
        max_length=64,
        description="A published version that is not deprecated (a label, or latest: the "
        "default then stays on the version it names now); null: default follows the newest "
        "published version.",
    )


@router.get("/connectors", response_model=list[ConnectorSummary], responses=answers())
def list_connectors(catalog: Store) -> JSONResponse:
    return as_json(catalog.list_connectors())


@router.get("/connectors/{name}", response_model=Connector, responses=answers(400, 404))
def get_connector(name: Name, catalog: Store) -> JSONResponse:
    return as_json(catalog.get_connector(name))


@router.get(
    "/connectors/{name}/versions",
    response_model=list[VersionInfo],
    responses=answers(400, 404),
)
def list_versions(name: Name, catalog: Store) -> JSONResponse:
    return as_json(catalog.list_versions(name))


@router.post(
    "/connectors/{name}/versions",
    status_code=201,
    response_model=Drafted,
    responses=answers(400, 409),
)
def create_version(
    name: Name, version: ConnectorVersion, catalog: Store, label: NewLabel = None
) -> JSONResponse:
    """Draft a version given as JSON, checked as onboarding checks one. Its document is the
    JSON posted: its ``sha256`` is the hash the store computes of it, whatever the body
    claims (``created`` is false when the connector holds this very content already)."""
    if version.connector != name:
        raise InputError(f"the version is of {version.connector!r}, not {name!r}")
    draft = version.model_copy(
        update={
            "state": "draft",
            "version": None,
            "created_at": None,
            "published_at": None,
            "changes": [],
        }
    )
    draft = draft.model_copy(update={"sha256": content_sha256(draft)})
    drafted = catalog.draft(validated(draft), label=label or version.version)
    return as_json(drafted, status_code=201)


@router.get(
    "/connectors/{name}/versions/{label}",
    response_model=ConnectorVersion,
    responses=answers(400, 404),
)
def get_version(name: Name, label: Label, catalog: Store) -> JSONResponse:
    return as_json(catalog.get_version(name, label))


@router.get(
    "/connectors/{name}/versions/{label}/changes",
    response_model=list[Change],
    responses=answers(400, 404),
)
def changes(name: Name, label: Label, since: LabelQuery, catalog: Store) -> JSONResponse:
    new, old = catalog.get_version(name, label), catalog.get_version(name, since)
    return as_json(diff(old, new))


@router.post(
    "/connectors/{name}/versions/{label}/publish",
    response_model=ConnectorVersion,
    responses=answers(400, 404, 409),
)
def publish(
    name: Name,
    label: Label,
    catalog: Store,
    allow_breaking: bool = False,
    content_sha256: ContentHash = None,
) -> JSONResponse:
    """Publish a draft under the policy; with ``content_sha256``, only if it still holds the
    content its caller reviewed."""
    done = publish_checked(
        catalog, name, label, allow_breaking=allow_breaking, content_sha256=content_sha256
    )
    return as_json(done.version)


@router.post(
    "/connectors/{name}/versions/{label}/auth-methods",
    status_code=201,
    response_model=AuthMethod,
    responses=answers(400, 404, 409),
)
def add_auth_method(
    name: Name,
    label: Label,
    method: Annotated[AuthMethod, Body()],
    catalog: Store,
    actions: ActionsQuery = None,
    required: bool = True,
    together: bool = False,
) -> JSONResponse:
    """Add an auth method of any kind to a draft, of any protocol (``Catalog.add_auth_method``):
    where nothing was needed every action now needs it (``required=false``: only when its
    credentials are given); where alternatives exist it is one more (``together``: added to each
    of them). The draft's content_sha256 changes. 409 for a published or deprecated version, or
    a method of that name; 404 for an unknown connector, version or action."""
    catalog.add_auth_method(
        name, label, method, actions=actions, required=required, together=together
    )
    return as_json(method, status_code=201)


@router.post(
    "/connectors/{name}/versions/{label}/deprecate",
    response_model=DeprecationRecord,
    responses=answers(400, 404, 409),
)
def deprecate(name: Name, label: Label, body: Deprecation, catalog: Store) -> JSONResponse:
    """Deprecate a published version: it keeps working until its sunset (today or later: else
    400 at ``body.sunset``); ``latest`` skips it. When it was the default, the default moves to
    the replacement, else back to following the newest published version (``default``)."""
    try:
        done = catalog.deprecate(name, label, sunset=body.sunset, replacement=body.replacement)
    except InputError as error:
        if error.location != "sunset":
            raise
        raise InputError(error.message, location="body.sunset") from None
    url = f"/connectors/{quote(name)}/versions/{quote(done.label)}"
    return as_json(DeprecationRecord(**done.model_dump(), url=url))


@router.get(
    "/connectors/{name}/default", response_model=DefaultVersion, responses=answers(400, 404)
)
def get_default(name: Name, catalog: Store) -> JSONResponse:
    """What ``default`` is (a version set as the default, or following the newest published
    one) and the version it names now."""
    return as_json(catalog.default(name))


@router.put(
    "/connectors/{name}/default", response_model=DefaultVersion, responses=answers(400, 404, 409)
)
def set_default(name: Name, choice: DefaultChoice, catalog: Store) -> JSONResponse:
    """Set the default version (409 for a draft or a deprecated version), or with
    ``{"label": null}`` let ``default`` follow the newest published version."""
    return as_json(catalog.set_default(name, choice.label))


@router.delete(
    "/connectors/{name}/versions/{label}",
    response_model=Deletion,
    responses=answers(400, 404, 409),
)
def delete_version(
    name: Name, label: Label, catalog: Store, confirm: bool = False, reason: Reason = None
) -> JSONResponse:
    """Delete a version: a draft at once; a published one with ``confirm`` (else 409 and
    its blast radius in ``details``)."""
    return as_json(catalog.delete_version(name, label, confirm=confirm, reason=reason))
