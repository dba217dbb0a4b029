"""Boards: integrations that use connector versions, and what deleting a version would break.

A board's use names a connector and a version: a label, or ``latest`` / ``default``, which resolve
when the board is deployed (the result is kept in ``resolved_version`` while it is deployed). Only
published versions can be deployed. Deploying locks the versions it resolves (``FOR SHARE`` on
PostgreSQL), and deleting a version locks it ``FOR UPDATE``, so a deployment and a deletion of the
same version never interleave: either the deletion sees the board deployed and undeploys it, or
the deployment finds the version gone. Both take their locks in the same order (the versions, then
the board, then its uses), so they cannot deadlock each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectory.errors import Conflict, NotFound
from connectory.model.version import Board, BoardUse

from ._rows import connector_row, default_label, latest_label, version_row
from ._tables import actions, board_uses, boards, connectors
from .results import BoardImpact

__all__ = [
    "blast_radius",
    "create_board",
    "delete_board",
    "deploy_board",
    "load_board",
    "load_boards",
    "undeploy_board",
    "undeploy_for_deletion",
]


def _board_row(connection: sa.Connection, name: str, *, lock: bool = False) -> sa.Row[Any]:
    query = sa.select(boards).where(boards.c.name == name)
    row = connection.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("board", name, connection.scalars(sa.select(boards.c.name)).all())
    return row


def _check_actions(
    connection: sa.Connection, version: sa.Row[Any], ref: str, wanted: Sequence[str]
) -> None:
    if not wanted:
        return
    names = set(
        connection.scalars(sa.select(actions.c.name).where(actions.c.version_id == version.id))
    )
    for name in wanted:
        if name not in names:
            raise NotFound(f"action of {ref}", name, names)


def load_board(connection: sa.Connection, name: str) -> Board:
    """The board ``name``; NotFound lists the known boards."""
    return _load(connection, [_board_row(connection, name)])[0]


def load_boards(connection: sa.Connection) -> list[Board]:
    """Every board, by name, with its uses in order."""
    return _load(connection, connection.execute(sa.select(boards).order_by(boards.c.name)).all())


def _load(connection: sa.Connection, rows: Sequence[sa.Row[Any]]) -> list[Board]:
    uses: dict[int, list[BoardUse]] = {row.id: [] for row in rows}
    if rows:
        use_rows = connection.execute(
            sa.select(board_uses, connectors.c.name.label("connector"))
            .join(connectors, connectors.c.id == board_uses.c.connector_id)
            .where(board_uses.c.board_id.in_(list(uses)))
            .order_by(board_uses.c.board_id, board_uses.c.ordinal)
        )
        for use in use_rows:
            uses[use.board_id].append(
                BoardUse(
                    connector=use.connector,
                    version=use.version,
                    actions=use.actions,
                    resolved_version=use.resolved_version,
                )
            )
    return [
        Board(
            name=row.name,
            description=row.description,
            uses=uses[row.id],
            deployed=row.deployed,
            deployed_at=row.deployed_at,
            undeployed_reason=row.undeployed_reason,
            created_at=row.created_at,
        )
        for row in rows
    ]


def create_board(connection: sa.Connection, board: Board, now: datetime) -> None:
    """Store ``board`` undeployed (its ``deployed`` and ``resolved_version`` are not taken)."""
    exists = connection.scalar(sa.select(boards.c.id).where(boards.c.name == board.name))
    if exists is not None:
        raise Conflict(f"board {board.name!r} exists already")
    use_rows = []
    for ordinal, use in enumerate(board.uses):
        connector = connector_row(connection, use.connector)
        version = version_row(connection, connector, use.version)
        _check_actions(connection, version, f"{connector.name}@{version.label}", use.actions)
        use_rows.append(
            {
                "ordinal": ordinal,
                "connector_id": connector.id,
                "version": use.version,
                "actions": list(use.actions),
                "resolved_version": None,
            }
        )
    board_id = connection.execute(
        boards.insert().returning(boards.c.id),
        {
            "name": board.name,
            "description": board.description,
            "deployed": False,
            "deployed_at": None,
            "undeployed_reason": None,
            "created_at": now,
        },
    ).scalar_one()
    if use_rows:
        connection.execute(board_uses.insert(), [{**r, "board_id": board_id} for r in use_rows])


def deploy_board(connection: sa.Connection, name: str, now: datetime) -> None:
    # Lock order, as in delete_version: the versions first, then the board, then its uses.
    board = _board_row(connection, name)
    uses = connection.execute(
        sa.select(board_uses)
        .where(board_uses.c.board_id == board.id)
        .order_by(board_uses.c.ordinal)
    ).all()
    resolved: dict[int, str] = {}
    for use in uses:
        connector = connection.execute(
            sa.select(connectors).where(connectors.c.id == use.connector_id)
        ).one()
        version = version_row(connection, connector, use.version, lock="share")
        ref = f"{connector.name}@{version.label}"
        if version.state != "published":
            raise Conflict(
                f"board {name!r} cannot be deployed: {ref} is {version.state}; "
                "only published versions can be deployed"
            )
        _check_actions(connection, version, ref, use.actions)
        resolved[use.id] = version.label
    _board_row(connection, name, lock=True)
    for use_id, label in resolved.items():
        connection.execute(
            board_uses.update().where(board_uses.c.id == use_id).values(resolved_version=label)
        )
    connection.execute(
        boards.update()
        .where(boards.c.id == board.id)
        .values(deployed=True, deployed_at=now, undeployed_reason=None)
    )


def undeploy_board(connection: sa.Connection, name: str, reason: str | None) -> None:
    board = _board_row(connection, name, lock=True)
    connection.execute(
        boards.update()
        .where(boards.c.id == board.id)
        .values(deployed=False, deployed_at=None, undeployed_reason=reason)
    )
    connection.execute(
        board_uses.update().where(board_uses.c.board_id == board.id).values(resolved_version=None)
    )


def undeploy_for_deletion(connection: sa.Connection, names: Sequence[str], reason: str) -> None:
    """Undeploy the boards ``names`` because a version they use is being deleted."""
    for name in names:
        undeploy_board(connection, name, reason)


def delete_board(connection: sa.Connection, name: str) -> None:
    board = _board_row(connection, name, lock=True)
    connection.execute(board_uses.delete().where(board_uses.c.board_id == board.id))
    connection.execute(boards.delete().where(boards.c.id == board.id))


def blast_radius(
    connection: sa.Connection, connector: sa.Row[Any], label: str
) -> list[BoardImpact]:
    """The boards using ``connector@label``: pinned to it, or through ``latest``/``default`` when
    that resolves to it now, or deployed with it (``resolved_version``)."""
    latest = latest_label(connection, connector.id)
    current = {"latest": latest, "default": default_label(connection, connector)}
    rows = connection.execute(
        sa.select(
            boards.c.name,
            boards.c.deployed,
            board_uses.c.version,
            board_uses.c.actions,
            board_uses.c.resolved_version,
        )
        .join(boards, boards.c.id == board_uses.c.board_id)
        .where(board_uses.c.connector_id == connector.id)
        .order_by(boards.c.name, board_uses.c.ordinal)
    )
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        uses_it = (
            row.version == label
            or current.get(row.version) == label
            or (row.deployed and row.resolved_version == label)
        )
        if not uses_it:
            continue
        impact = found.setdefault(
            row.name, {"board": row.name, "deployed": row.deployed, "via": [], "actions": []}
        )
        if row.version not in impact["via"]:
            impact["via"].append(row.version)
        if impact.get("every_action") or not row.actions:
            impact["every_action"] = True
        else:
            impact["actions"] += [a for a in row.actions if a not in impact["actions"]]
    return [
        BoardImpact(
            board=i["board"],
            deployed=i["deployed"],
            via=i["via"],
            actions=[] if i.get("every_action") else i["actions"],
        )
        for i in found.values()
    ]
