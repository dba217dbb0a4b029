"""What a vetting approves is what gets published: hashes the store computes, one publish path that
applies the policy, and guards that hold against forged audit rows and dangling defaults.

Each test is an attack from issue 12 (an API caller who claims hashes, a notebook that publishes
around the policy, a SQL client that forges a deletion record) and what it now gets.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connectory.catalog import Catalog
from connectory.catalog.digest import content_sha256
from connectory.errors import CatalogError, Conflict, PublishRefused
from connectory.model.findings import AUTH_CHECK
from connectory.model.version import Board, BoardUse, ConnectorVersion, Definition, Finding, Vetting
from tests.support.samples import sha, small_version


def _strict(catalog: Catalog) -> Catalog:
    return Catalog(catalog.engine, require_approval=True)


def _approve(catalog: Catalog, ref: str, reviewed: str | None = None) -> Vetting:
    name, label = ref.split("@")
    return catalog.record_vetting(
        Vetting(connector=name, version=label, reviewer="vera", verdict="approved", sha256=reviewed)
    )


def test_an_approval_binds_to_the_content_not_to_a_claimed_hash(catalog: Catalog) -> None:
    """Approve 2.0.0, delete it, draft another 2.0.0 that claims the same document sha256: the
    approval does not carry over, because the store hashes what it holds."""
    vetted = small_version(seed="claimed")
    catalog.draft(vetted, label="2.0.0")
    approval = _approve(catalog, "acme@2.0.0")
    assert approval.sha256 == content_sha256(catalog.get_version("acme", "2.0.0"))
    assert approval.sha256 != vetted.sha256  # not the document's claimed hash
    catalog.delete_version("acme", "2.0.0")

    swapped = small_version(seed="claimed", actions=("drop-everything",))
    assert swapped.sha256 == vetted.sha256
    catalog.draft(swapped, label="2.0.0")
    with pytest.raises(Conflict, match="content changed since it was vetted"):
        _strict(catalog).publish("acme", "2.0.0")
    assert catalog.get_version("acme", "2.0.0").state == "draft"


def test_a_draft_changed_after_its_review_is_not_approved(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1.0.0")
    _approve(catalog, "acme@1.0.0")
    changed = catalog.get_version("acme", "1.0.0").model_copy(
        update={"title": "Something else", "sha256": sha("edited")}
    )
    catalog.update_draft(changed)
    with pytest.raises(Conflict, match="content changed since it was vetted"):
        _strict(catalog).publish("acme", "1.0.0")


def test_a_draft_changed_by_raw_sql_after_its_review_is_not_approved(catalog: Catalog) -> None:
    """The hash is computed again at publish time from the rows: editing the stored column does
    not help."""
    catalog.draft(small_version(), label="1.0.0")
    _approve(catalog, "acme@1.0.0")
    with catalog.engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE actions SET data = (SELECT data FROM actions WHERE name = 'list-things') "
                "WHERE name = 'get-thing'"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO actions (version_id, ordinal, name, data) SELECT version_id, 9, "
                "'sneaky', data FROM actions WHERE name = 'list-things'"
            )
        )
    with pytest.raises(Conflict, match="content changed since it was vetted"):
        _strict(catalog).publish("acme", "1.0.0")


def test_a_number_that_json_mode_shows_as_null_cannot_hide_in_a_vetted_draft(
    catalog: Catalog,
) -> None:
    """The content hash is of the version as pydantic dumps it in JSON mode, where NaN and
    Infinity (and 1e999, which Python reads as Infinity) become null. A draft approved with
    "maximum": null, edited to 1e999 by SQL, kept its hash: it was published under the approval
    with no maximum at all, and exported showing null. Stored JSON is now read strictly."""
    bounded = Definition(name="Amount", content={"type": "number", "maximum": None})
    catalog.draft(small_version().model_copy(update={"definitions": [bounded]}), label="1.0.0")
    _approve(catalog, "acme@1.0.0")
    text = "data" if catalog.engine.dialect.name == "sqlite" else "data::text"
    edited = f"replace({text}, '\"maximum\": null', '\"maximum\": 1e999')"
    with catalog.engine.begin() as connection:
        changed = connection.execute(
            sa.text(
                f"UPDATE definitions SET data = {edited}"
                + ("" if text == "data" else "::json")
                + " WHERE name = 'Amount'"
            )
        )
        assert changed.rowcount == 1
    with pytest.raises(CatalogError, match=r"not finite.*edited by hand"):
        _strict(catalog).publish("acme", "1.0.0")
    with pytest.raises(CatalogError, match="not finite"):
        catalog.get_version("acme", "1.0.0")


@pytest.mark.parametrize("only_on", ["sqlite"])
def test_stored_json_that_does_not_parse_is_a_clear_error(catalog: Catalog, only_on: str) -> None:
    """SQLite takes any text in a JSON column: a hand-edited one was a JSONDecodeError (an HTTP
    500, a traceback in the CLI)."""
    catalog.draft(small_version(), label="1.0.0")
    with catalog.engine.begin() as connection:
        connection.execute(sa.text("UPDATE actions SET data = '{' WHERE name = 'get-thing'"))
    with pytest.raises(CatalogError, match=r"cannot be read: Expecting .*edited by hand"):
        catalog.get_version("acme", "1.0.0")


def test_a_stored_version_that_does_not_read_is_a_clear_error(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1.0.0")
    with catalog.engine.begin() as connection:
        connection.execute(sa.text("UPDATE actions SET data = '{}' WHERE name = 'get-thing'"))
    with pytest.raises(CatalogError, match=r"acme@1\.0\.0 as stored is not a valid version: "):
        catalog.publish("acme", "1.0.0")


def test_a_vetting_binds_to_the_hash_the_store_computes(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1.0.0")
    recorded = _approve(catalog, "acme@1.0.0")
    stored = catalog.get_version("acme", "1.0.0")
    assert recorded.sha256 == stored.content_sha256 == content_sha256(stored)
    published = _strict(catalog).publish("acme", "1.0.0").version
    assert published.content_sha256 == recorded.sha256


def test_a_vetting_of_content_the_store_does_not_hold_is_refused(catalog: Catalog) -> None:
    """A hash the caller gives is never taken as the content's: it is what the caller reviewed,
    and the store refuses the vetting when it holds other content."""
    catalog.draft(small_version(), label="1.0.0")
    with pytest.raises(Conflict, match=r"changed while it was being reviewed.*review it again"):
        _approve(catalog, "acme@1.0.0", reviewed="0" * 64)
    assert catalog.list_vettings("acme") == []


def test_a_draft_changed_while_it_was_reviewed_cannot_be_approved(catalog: Catalog) -> None:
    """The vetter reads the draft and runs the checks (live-auth takes a while); a teammate
    updates the draft meanwhile; the approval must not bind to what nobody reviewed."""
    catalog.draft(small_version(), label="1.0.0")
    reviewed = catalog.get_version("acme", "1.0.0")
    swapped = reviewed.model_copy(
        update={"title": "Not what was reviewed", "sha256": sha("swapped")}
    )
    catalog.update_draft(swapped)
    with pytest.raises(Conflict, match=r"acme@1\.0\.0 changed while it was being reviewed"):
        _approve(catalog, "acme@1.0.0", reviewed=content_sha256(reviewed))
    assert catalog.list_vettings("acme") == []
    with pytest.raises(Conflict, match="it has not been vetted"):
        _strict(catalog).publish("acme", "1.0.0")


def test_publish_can_be_bound_to_the_content_its_caller_reviewed(catalog: Catalog) -> None:
    """The vetting desk approves and then publishes: without a required approval, a draft
    changed between the two would be published all the same, unless publish is told what was
    reviewed."""
    catalog.draft(small_version(), label="1.0.0")
    approval = _approve(catalog, "acme@1.0.0")
    changed = catalog.get_version("acme", "1.0.0").model_copy(
        update={"title": "Changed after the approval", "sha256": sha("changed")}
    )
    catalog.update_draft(changed)
    with pytest.raises(Conflict, match=r"acme@1\.0\.0 changed since it was reviewed"):
        catalog.publish("acme", "1.0.0", content_sha256=approval.sha256)
    assert catalog.get_version("acme", "1.0.0").state == "draft"
    current = content_sha256(catalog.get_version("acme", "1.0.0"))
    assert catalog.publish("acme", "1.0.0", content_sha256=current).version.state == "published"


def test_the_store_computes_content_sha256_whatever_the_caller_says(catalog: Catalog) -> None:
    claimed = small_version().model_copy(update={"content_sha256": "f" * 64})
    stored = catalog.draft(claimed, label="1").version
    assert stored.content_sha256 == content_sha256(small_version())
    assert catalog.get_version("acme", "1").content_sha256 == stored.content_sha256


def test_catalog_publish_applies_the_policy(catalog: Catalog) -> None:
    """The notebook called ``Catalog.publish``, which skipped the policy: a removed action went out
    under a minor label, recording no changes. Now there is one way to publish."""
    catalog.draft(small_version(), label="1.0.0")
    catalog.publish("acme", "1.0.0")
    catalog.draft(small_version(seed="two", actions=("list-things",)), label="1.1.0")
    with pytest.raises(PublishRefused, match=r"1 breaking change .*2\.0\.0") as refused:
        catalog.publish("acme", "1.1.0")
    assert refused.value.suggested_label == "2.0.0"
    assert catalog.get_version("acme", "1.1.0").state == "draft"

    catalog.draft(small_version(seed="three", actions=("list-things",)), label="build-7")
    with pytest.raises(PublishRefused, match="--allow-breaking"):
        catalog.publish("acme", "build-7")
    done = catalog.publish("acme", "build-7", allow_breaking=True)
    assert done.baseline == "1.0.0"
    assert [(c.kind, c.location) for c in done.changes] == [("action-removed", "actions/get-thing")]
    assert catalog.get_version("acme", "build-7").changes == done.changes


def test_publishing_names_the_boards_that_follow_latest_and_use_what_changed(
    catalog: Catalog,
) -> None:
    catalog.draft(small_version(actions=("list-things", "get-thing", "put-thing")), label="1")
    catalog.publish("acme", "1")
    for name, version, actions in (
        ("uses-get", "latest", ["get-thing"]),
        ("uses-list", "latest", ["list-things"]),
        ("uses-all", "latest", []),
        ("pinned", "1", ["get-thing"]),
    ):
        catalog.create_board(
            Board(name=name, uses=[BoardUse(connector="acme", version=version, actions=actions)])
        )
    catalog.deploy_board("uses-get")
    catalog.draft(small_version(seed="2", actions=("list-things", "put-thing")), label="2")

    done = catalog.publish("acme", "2", allow_breaking=True)

    assert [(i.board, i.deployed, i.via, i.actions) for i in done.affected_boards] == [
        ("uses-all", False, ["latest"], ["get-thing"]),
        ("uses-get", True, ["latest"], ["get-thing"]),
    ]


def test_a_backport_that_becomes_latest_names_the_boards_it_takes_actions_from(
    catalog: Catalog,
) -> None:
    """1.1.0 adds put-thing and a board following latest uses it; the backport 1.0.1 follows
    1.0.0 and changes nothing since it, but it becomes latest: the board loses put-thing. The
    blast radius is what followers of latest go through (from 1.1.0 to 1.0.1), not what the
    policy compares (from 1.0.0)."""
    catalog.draft(small_version(seed="1.0.0"), label="1.0.0")
    catalog.publish("acme", "1.0.0")
    grown = small_version(seed="1.1.0", actions=("list-things", "get-thing", "put-thing"))
    catalog.draft(grown, label="1.1.0")
    catalog.publish("acme", "1.1.0")
    use = BoardUse(connector="acme", version="latest", actions=["put-thing"])
    catalog.create_board(Board(name="puts", uses=[use]))
    catalog.deploy_board("puts")

    catalog.draft(small_version(seed="1.0.1"), label="1.0.1")
    done = catalog.publish("acme", "1.0.1")

    assert (done.baseline, done.changes) == ("1.0.0", [])
    assert catalog.resolve("acme", "latest") == "1.0.1"
    assert [(i.board, i.deployed, i.actions) for i in done.affected_boards] == [
        ("puts", True, ["put-thing"])
    ]


def test_deleting_through_a_forged_deletion_record_is_refused(catalog: Catalog) -> None:
    """A hand-written ``version_deletions`` row let an action of a published version be deleted
    while the version stayed published."""
    catalog.draft(small_version(), label="1")
    published = catalog.publish("acme", "1").version
    catalog.draft(small_version(seed="draft"), label="2")
    engine = catalog.engine
    with engine.connect() as connection:
        ids = dict(connection.execute(sa.text("SELECT label, id FROM versions")).all())

    forged = (
        "INSERT INTO version_deletions (version_id, connector, label, state, sha256, "
        "boards_undeployed, deleted_at) VALUES (:id, :connector, :label, :state, :sha, '[]', "
        "'2024-01-01 00:00:00+00')"
    )
    wrong = [
        {"id": ids["1"], "connector": "acme", "label": "1", "state": "published", "sha": sha("x")},
        {"id": ids["1"], "connector": "other", "label": "1", "state": "published",
         "sha": published.sha256},
        {"id": ids["2"], "connector": "acme", "label": "2", "state": "draft",
         "sha": sha("draft")},
        {"id": 999, "connector": "acme", "label": "9", "state": "published",
         "sha": published.sha256},
    ]  # fmt: skip
    for params in wrong:
        with pytest.raises(sa.exc.IntegrityError, match="deletion record"), engine.begin() as c:
            c.execute(sa.text(forged), params)

    exact = {
        "id": ids["1"], "connector": "acme", "label": "1", "state": "published",
        "sha": published.sha256,
    }  # fmt: skip
    with engine.begin() as connection:  # an exact record is accepted (it is the audit trail)...
        connection.execute(
            sa.text("UPDATE connectors SET default_version = NULL WHERE name = 'acme'")
        )
        connection.execute(sa.text(forged), exact)
    for statement in (  # ...but the version's children stay while the version exists
        "DELETE FROM actions WHERE version_id = :id",
        "DELETE FROM definitions WHERE version_id = :id",
    ):
        with pytest.raises(sa.exc.IntegrityError, match="immutable"), engine.begin() as c:
            c.execute(sa.text(statement), exact)
    assert catalog.get_version("acme", "1").actions == published.actions


def test_a_version_a_deployed_board_runs_cannot_be_deleted_by_sql(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1")
    published = catalog.publish("acme", "1").version
    catalog.draft(small_version(seed="2"), label="2")
    catalog.publish("acme", "2")
    catalog.set_default("acme", "2")
    catalog.create_board(Board(name="b", uses=[BoardUse(connector="acme", version="1")]))
    catalog.deploy_board("b")
    engine = catalog.engine
    with engine.begin() as c:
        version_id = c.scalar(sa.text("SELECT id FROM versions WHERE label = '1'"))
    with engine.connect() as c, c.begin():
        c.execute(
            sa.text(
                "INSERT INTO version_deletions (version_id, connector, label, state, sha256, "
                "boards_undeployed, deleted_at) VALUES (:id, 'acme', '1', 'published', :sha, "
                "'[]', '2024-01-01 00:00:00+00')"
            ),
            {"id": version_id, "sha": published.sha256},
        )
        with pytest.raises(sa.exc.IntegrityError, match="undeploys the boards"):
            c.execute(sa.text("DELETE FROM versions WHERE label = '1'"))
        c.rollback()
    assert catalog.get_board("b").deployed
    # The store's own path undeploys the board first, and then may delete.
    deletion = catalog.delete_version("acme", "1", confirm=True)
    assert deletion.boards_undeployed == ["b"]
    assert not catalog.get_board("b").deployed


def test_the_default_version_must_exist_and_be_published(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1")
    catalog.publish("acme", "1")
    catalog.draft(small_version(seed="2"), label="2")
    engine = catalog.engine
    for label in ("nope", "2"):
        with pytest.raises(sa.exc.IntegrityError, match="default_version"), engine.begin() as c:
            c.execute(
                sa.text("UPDATE connectors SET default_version = :label WHERE name = 'acme'"),
                {"label": label},
            )
    with pytest.raises(sa.exc.IntegrityError, match="default_version"), engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO connectors (name, protocol, tags, vetting_status, default_version, "
                "created_at) VALUES ('ghost', 'http', '[]', 'unvetted', '1', "
                "'2024-01-01 00:00:00+00')"
            )
        )
    assert catalog.get_connector("acme").default_version == "1"
    with pytest.raises(Conflict, match="draft"):
        catalog.set_default("acme", "2")


def test_the_default_version_is_cleared_before_it_is_deleted(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1")
    catalog.publish("acme", "1")
    catalog.delete_version("acme", "1", confirm=True)
    assert catalog.get_connector("acme").default_version is None
    with catalog.engine.begin() as connection:
        recorded = connection.execute(sa.text("SELECT label FROM version_deletions")).all()
    assert [row.label for row in recorded] == ["1"]


def test_a_connector_with_versions_cannot_be_deleted(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1")
    catalog.publish("acme", "1")
    with (
        pytest.raises(sa.exc.IntegrityError, match="connector with versions is immutable"),
        catalog.engine.begin() as connection,
    ):
        connection.execute(sa.text("DELETE FROM connectors"))
    assert catalog.get_version("acme", "1").state == "published"


def test_the_label_of_a_deleted_published_version_is_never_reused(catalog: Catalog) -> None:
    """1.0.0 was approved, published and run by a pinned board; deleted, it could be drafted and
    published again with other content, which the pinned board ran once redeployed and beside
    which ``vetting list acme@1.0.0`` showed the first one's approval. Like a package index,
    the catalogue never gives a published label to other content."""
    catalog.draft(small_version(seed="first"), label="1.0.0")
    _approve(catalog, "acme@1.0.0")
    catalog.publish("acme", "1.0.0")
    catalog.draft(small_version(seed="keep"), label="1.0.1")
    catalog.publish("acme", "1.0.1")
    catalog.set_default("acme", "1.0.1")
    catalog.delete_version("acme", "1.0.0", confirm=True, reason="withdrawn")
    other = small_version(seed="other", actions=("drop-everything",))
    with pytest.raises(Conflict, match=r"acme@1\.0\.0 was published and deleted.*never reused"):
        catalog.draft(other, label="1.0.0")
    with pytest.raises(Conflict, match="never reused"):
        catalog.draft(other.model_copy(update={"version": "1.0.0"}))
    assert [v.label for v in catalog.list_versions("acme")] == ["1.0.1"]
    assert catalog.draft(other, label="1.0.2").created


def test_a_connector_cannot_take_the_credentials_of_another_by_its_name(catalog: Catalog) -> None:
    """acme-corp's secrets are in CONNECTORY_CREDENTIALS_ACME_CORP; a connector named acme.corp
    (or acme_corp) read the same variable, so a user who accepted acme.corp's hosts for its own
    use sent acme-corp's secrets there. Names that differ only in '.', '_' and '-' are one."""
    catalog.draft(small_version("acme-corp"), label="1")
    for name in ("acme.corp", "acme_corp"):
        with pytest.raises(Conflict, match=r"CONNECTORY_CREDENTIALS_ACME_CORP.*'acme-corp'"):
            catalog.draft(small_version(name, seed=name), label="1")
    assert [c.name for c in catalog.list_connectors()] == ["acme-corp"]
    assert catalog.draft(small_version("acme-corp", seed="2"), label="2").created


def test_a_deployed_board_cannot_be_pointed_at_a_draft_by_sql(catalog: Catalog) -> None:
    """``deploy_board`` resolves each use to a published version; a SQL client could point a
    deployed board at a draft, or mark one deployed whose use names a draft."""
    catalog.draft(small_version(), label="1")
    catalog.publish("acme", "1")
    catalog.draft(small_version(seed="unvetted"), label="2")
    catalog.create_board(Board(name="live", uses=[BoardUse(connector="acme", version="1")]))
    catalog.create_board(Board(name="idle", uses=[BoardUse(connector="acme", version="1")]))
    catalog.deploy_board("live")
    engine = catalog.engine
    live = "(SELECT id FROM boards WHERE name = 'live')"
    idle = "(SELECT id FROM boards WHERE name = 'idle')"
    with (
        pytest.raises(sa.exc.IntegrityError, match="deployed board runs only"),
        engine.begin() as c,
    ):
        c.execute(sa.text(f"UPDATE board_uses SET resolved_version = '2' WHERE board_id = {live}"))
    with engine.begin() as c:  # an idle board may name anything: it runs nothing
        c.execute(sa.text(f"UPDATE board_uses SET resolved_version = '2' WHERE board_id = {idle}"))
    with (
        pytest.raises(sa.exc.IntegrityError, match="deployed board runs only"),
        engine.begin() as c,
    ):
        c.execute(sa.text("UPDATE boards SET deployed = TRUE WHERE name = 'idle'"))
    assert [u.resolved_version for u in catalog.get_board("live").uses] == ["1"]
    assert not catalog.get_board("idle").deployed
    catalog.deploy_board("idle")  # the catalogue's own path resolves it to a published version
    assert [u.resolved_version for u in catalog.get_board("idle").uses] == ["1"]


def test_the_live_auth_check_recorded_on_a_draft_leaves_its_content_hash_alone() -> None:
    """Whoever rebuilds a version from the same document gets the same hash, whether or not
    they had credentials to try (the check's finding is an observation, not content)."""
    base = small_version()

    def with_finding(kind: str) -> ConnectorVersion:
        found = Finding(severity="info", kind=kind, location="", message="observed")
        return base.model_copy(update={"findings": [*base.findings, found]})

    assert content_sha256(with_finding(AUTH_CHECK)) == content_sha256(base)
    assert content_sha256(with_finding("invalid-schema")) != content_sha256(base)
