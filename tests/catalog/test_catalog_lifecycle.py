"""Publish, deprecate, update a draft, delete a version; boards and the blast radius."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from connectory.catalog import BoardImpact, Catalog
from connectory.catalog._tables import version_deletions
from connectory.errors import (
    ConfirmationRequired,
    Conflict,
    ImmutableVersion,
    InvalidName,
    NotFound,
)
from connectory.model.version import Board, BoardUse
from tests.support.samples import rich_version, sha, small_version


def test_publish(catalog: Catalog) -> None:
    drafted = catalog.draft(rich_version(), label="1.0").version
    published = catalog.publish("acme", "1.0").version

    assert published.state == "published"
    assert published.published_at is not None
    assert published.created_at == drafted.created_at
    assert drafted.changes  # the sample claims changes; the store records the ones it computes:
    assert published.changes == []  # the first version has nothing to compare with
    unpublished = {"state": "draft", "published_at": None, "changes": drafted.changes}
    assert published.model_copy(update=unpublished) == drafted
    assert catalog.get_version("acme", "1.0") == published
    assert catalog.get_connector("acme").default_version == "1.0"

    with pytest.raises(Conflict, match=r"acme@1\.0 is already published"):
        catalog.publish("acme", "1.0")
    assert catalog.get_version("acme", "1.0") == published
    with pytest.raises(NotFound, match=r"known: 1\.0"):
        catalog.publish("acme", "2.0")


def test_the_default_is_kept_once_set(catalog: Catalog) -> None:
    catalog.draft(small_version(seed="1"), label="1")
    catalog.draft(small_version(seed="2"), label="2")
    with pytest.raises(Conflict, match="draft"):
        catalog.set_default("acme", "2")
    catalog.publish("acme", "1")
    catalog.publish("acme", "2")
    assert catalog.get_connector("acme").default_version == "1"
    assert catalog.set_default("acme", "latest").label == "2"


def test_deprecate(catalog: Catalog) -> None:
    catalog.draft(small_version(seed="1"), label="1")
    with pytest.raises(Conflict, match="publish it first"):
        catalog.deprecate("acme", "1", sunset=date(2031, 1, 1))
    catalog.publish("acme", "1")
    catalog.draft(small_version(seed="2"), label="2")
    catalog.publish("acme", "2")

    catalog.deprecate("acme", "1", sunset=date(2030, 1, 31), replacement="2")

    deprecated = catalog.get_version("acme", "1")
    assert (deprecated.state, deprecated.sunset, deprecated.replacement) == (
        "deprecated",
        date(2030, 1, 31),
        "2",
    )
    with pytest.raises(Conflict, match="deprecated already"):
        catalog.deprecate("acme", "1", sunset=date(2031, 1, 1))
    with pytest.raises(Conflict):
        catalog.publish("acme", "1")
    assert catalog.get_version("acme", "1") == deprecated
    with pytest.raises(Conflict, match=r"acme@1 is deprecated: only a published version that is not deprecated can be the default"):  # fmt: skip
        catalog.set_default("acme", "1")


def test_update_draft(catalog: Catalog) -> None:
    catalog.draft(rich_version(), label="1")
    catalog.draft(small_version(seed="other"), label="2")
    changed = small_version(seed="changed", actions=("only-one",)).model_copy(
        update={"version": "1", "title": "Changed"}
    )

    updated = catalog.update_draft(changed)

    got = catalog.get_version("acme", "1")
    assert got == updated
    assert [a.name for a in got.actions] == ["only-one"]
    assert got.title == "Changed"
    assert got.triggers == []
    assert got.findings == []
    assert got.sha256 == sha("changed")
    with catalog.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM triggers")) == 0

    clash = changed.model_copy(update={"sha256": sha("other")})
    with pytest.raises(Conflict, match="acme@2"):
        catalog.update_draft(clash)
    with pytest.raises(NotFound):
        catalog.update_draft(changed.model_copy(update={"version": "9"}))


def _boards(catalog: Catalog) -> None:
    """acme 1.0 (published, the default) and 2.0 (published, latest), and five boards."""
    catalog.draft(small_version(seed="1"), label="1.0")
    catalog.publish("acme", "1.0")
    catalog.draft(small_version(seed="2"), label="2.0")
    catalog.publish("acme", "2.0")
    catalog.draft(small_version(connector="other"), label="1")
    catalog.publish("other", "1")

    def board(name: str, *uses: BoardUse, deploy: bool = True) -> None:
        catalog.create_board(Board(name=name, uses=list(uses)))
        if deploy:
            catalog.deploy_board(name)

    board("pinned", BoardUse(connector="acme", version="1.0", actions=["get-thing"]))
    board("follows-default", BoardUse(connector="acme", version="default"))
    board("follows-latest", BoardUse(connector="acme", version="latest"))
    board("pinned-idle", BoardUse(connector="acme", version="1.0"), deploy=False)
    board("elsewhere", BoardUse(connector="other", version="1"))


def test_delete_a_published_version(catalog: Catalog) -> None:
    _boards(catalog)
    v2 = catalog.get_version("acme", "2.0")

    with pytest.raises(ConfirmationRequired, match="pinned") as asked:
        catalog.delete_version("acme", "1.0")
    assert asked.value.details == [
        BoardImpact(board="follows-default", deployed=True, via=["default"], actions=[]),
        BoardImpact(board="pinned", deployed=True, via=["1.0"], actions=["get-thing"]),
        BoardImpact(board="pinned-idle", deployed=False, via=["1.0"], actions=[]),
    ]
    assert catalog.blast_radius("acme", "1.0") == asked.value.details
    assert catalog.get_version("acme", "1.0").state == "published"  # nothing happened
    assert catalog.get_board("pinned").deployed

    deletion = catalog.delete_version("acme", "1.0", confirm=True, reason="licence withdrawn")

    assert (deletion.connector, deletion.label, deletion.state) == ("acme", "1.0", "published")
    assert deletion.boards_undeployed == ["follows-default", "pinned"]
    for name in deletion.boards_undeployed:
        board = catalog.get_board(name)
        assert not board.deployed
        assert board.deployed_at is None
        assert board.undeployed_reason is not None
        assert "acme@1.0" in board.undeployed_reason
        assert "licence withdrawn" in board.undeployed_reason
    assert catalog.get_board("pinned-idle").undeployed_reason is None
    assert catalog.get_board("follows-latest").deployed
    assert catalog.get_board("elsewhere").deployed
    with pytest.raises(NotFound, match=r"known: 2\.0"):
        catalog.get_version("acme", "1.0")
    assert catalog.get_version("acme", "2.0") == v2
    assert catalog.get_connector("acme").default_version is None
    assert catalog.resolve("acme", "default") == "2.0"
    with catalog.engine.connect() as connection:
        record = connection.execute(sa.select(version_deletions)).one()
        assert connection.scalar(sa.text("SELECT count(*) FROM actions")) == 2 + 2  # 2.0, other
    assert (record.connector, record.label, record.state) == ("acme", "1.0", "published")
    assert (record.sha256, record.reason) == (sha("1"), "licence withdrawn")
    assert record.boards_undeployed == ["follows-default", "pinned"]

    # The same document again is a new version; the deleted label stays taken.
    again = catalog.draft(small_version(seed="1", document_version="1.0"))
    assert again.created
    assert again.version.version == f"1.0+{sha('1')[:8]}"
    # The pinned board cannot be deployed any more.
    with pytest.raises(NotFound):
        catalog.deploy_board("pinned")


def test_delete_needs_the_version_s_own_label(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1")
    catalog.publish("acme", "1")
    for reserved in ("latest", "default"):
        with pytest.raises(InvalidName, match=reserved):
            catalog.delete_version("acme", reserved, confirm=True)
    assert catalog.get_version("acme", "1").state == "published"


def test_delete_a_draft_at_once(catalog: Catalog) -> None:
    catalog.draft(rich_version(), label="1")
    deletion = catalog.delete_version("acme", "1")
    assert (deletion.state, deletion.boards_undeployed) == ("draft", [])
    assert catalog.list_versions("acme") == []
    with catalog.engine.connect() as connection:
        for table in ("versions", "actions", "triggers", "definitions", "findings"):
            assert connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) == 0


def test_public_write_paths_cannot_change_a_published_version(catalog: Catalog) -> None:
    catalog.draft(rich_version(), label="1.0")
    published = catalog.publish("acme", "1.0").version
    changed = rich_version().model_copy(update={"version": "1.0", "title": "Changed"})

    with pytest.raises(ImmutableVersion, match=r"acme@1\.0 is published"):
        catalog.update_draft(changed)
    with pytest.raises(Conflict, match=r"acme@1\.0 exists"):
        catalog.draft(changed.model_copy(update={"sha256": sha("changed")}))
    assert not catalog.draft(changed).created  # same document: the published one comes back
    with pytest.raises(ConfirmationRequired):
        catalog.delete_version("acme", "1.0")
    with pytest.raises(Conflict):
        catalog.publish("acme", "1.0")
    catalog.deprecate("acme", "1.0", sunset=date(2031, 1, 1))
    deprecated = catalog.get_version("acme", "1.0")
    with pytest.raises(Conflict):
        catalog.deprecate("acme", "1.0", sunset=date(2031, 1, 1))
    with pytest.raises(ImmutableVersion, match="deprecated"):
        catalog.update_draft(changed)

    after = catalog.get_version("acme", "1.0")
    assert after == deprecated
    assert after.model_copy(update={"state": "published", "sunset": None}) == published


def test_boards(catalog: Catalog) -> None:
    catalog.draft(small_version(seed="1"), label="1.0")
    with pytest.raises(NotFound, match="connector"):
        catalog.create_board(Board(name="b", uses=[BoardUse(connector="nobody", version="1")]))
    with pytest.raises(NotFound, match="published version"):
        catalog.create_board(Board(name="b", uses=[BoardUse(connector="acme", version="latest")]))
    with pytest.raises(NotFound, match="known: get-thing, list-things"):
        catalog.create_board(
            Board(name="b", uses=[BoardUse(connector="acme", version="1.0", actions=["nope"])])
        )

    board = catalog.create_board(
        Board(name="b", description="d", uses=[BoardUse(connector="acme", version="1.0")])
    )
    assert (board.deployed, board.description, board.created_at is not None) == (False, "d", True)
    with pytest.raises(Conflict, match="exists"):
        catalog.create_board(Board(name="b"))
    with pytest.raises(Conflict, match="draft"):
        catalog.deploy_board("b")

    catalog.publish("acme", "1.0")
    catalog.create_board(
        Board(name="a", uses=[BoardUse(connector="acme", version="latest", actions=["get-thing"])])
    )
    deployed = catalog.deploy_board("a")
    assert deployed.deployed
    assert deployed.deployed_at is not None
    assert deployed.uses[0].resolved_version == "1.0"
    assert deployed.uses[0].version == "latest"
    assert [b.name for b in catalog.list_boards()] == ["a", "b"]

    undeployed = catalog.undeploy_board("a", reason="maintenance")
    assert not undeployed.deployed
    assert undeployed.undeployed_reason == "maintenance"
    assert undeployed.uses[0].resolved_version is None

    catalog.delete_board("a")
    with pytest.raises(NotFound, match="known: b"):
        catalog.get_board("a")
    with pytest.raises(NotFound):
        catalog.delete_board("a")
