"""``/boards``: the integrations that use connector versions, created, deployed, undeployed."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from connectory.model.version import Board

from .params import BoardName, Reason
from .routing import Store, answers, as_json, new_router

__all__ = ["router"]

router = new_router()


@router.get("/boards", response_model=list[Board], responses=answers())
def list_boards(catalog: Store) -> JSONResponse:
    return as_json(catalog.list_boards())


@router.get("/boards/{name}", response_model=Board, responses=answers(400, 404))
def get_board(name: BoardName, catalog: Store) -> JSONResponse:
    return as_json(catalog.get_board(name))


@router.post("/boards", status_code=201, response_model=Board, responses=answers(400, 404, 409))
def create_board(board: Board, catalog: Store) -> JSONResponse:
    return as_json(catalog.create_board(board), status_code=201)


@router.post("/boards/{name}/deploy", response_model=Board, responses=answers(400, 404, 409))
def deploy_board(name: BoardName, catalog: Store) -> JSONResponse:
    return as_json(catalog.deploy_board(name))


@router.post("/boards/{name}/undeploy", response_model=Board, responses=answers(400, 404, 409))
def undeploy_board(name: BoardName, catalog: Store, reason: Reason = None) -> JSONResponse:
    return as_json(catalog.undeploy_board(name, reason=reason))
