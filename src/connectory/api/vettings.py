"""``/connectors/{name}/vettings``: the vetters' verdicts, listed and recorded."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from connectory.errors import InputError
from connectory.model.version import Vetting

from .params import Label, LabelQuery, Name
from .routing import Store, answers, as_json, new_router

__all__ = ["router"]

router = new_router()


@router.get(
    "/connectors/{name}/vettings", response_model=list[Vetting], responses=answers(400, 404)
)
def list_vettings(name: Name, catalog: Store, label: LabelQuery | None = None) -> JSONResponse:
    return as_json(catalog.list_vettings(name, label))


@router.post(
    "/connectors/{name}/versions/{label}/vettings",
    status_code=201,
    response_model=Vetting,
    responses=answers(400, 404, 409),
)
def record_vetting(name: Name, label: Label, vetting: Vetting, catalog: Store) -> JSONResponse:
    """Record a verdict. Give ``sha256``, the ``content_sha256`` of the version reviewed:
    the vetting is refused (409) if the version holds other content by now."""
    if (vetting.connector, vetting.version) != (name, label):
        raise InputError(f"the vetting is of {vetting.connector}@{vetting.version}")
    return as_json(catalog.record_vetting(vetting), status_code=201)
