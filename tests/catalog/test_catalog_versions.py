"""Drafting, reading back, labels, resolution and listing, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from connectory.catalog import Catalog, ConnectorSummary
from connectory.catalog.digest import content_sha256
from connectory.errors import Conflict, InvalidName, NotFound, ProtocolError
from connectory.model.version import ConnectorVersion, GraphQLMetadata
from tests.support.samples import FETCHED_AT, rich_version, sha, small_version


def _expected(drafted: ConnectorVersion, stored: ConnectorVersion) -> ConnectorVersion:
    """What the store gives back: the version drafted, with its label, state, creation time and
    the hash the store computed of it."""
    return drafted.model_copy(
        update={
            "version": stored.version,
            "state": "draft",
            "created_at": stored.created_at,
            "content_sha256": content_sha256(drafted),
        }
    )


def _count(catalog: Catalog, table: str) -> int:
    with catalog.engine.connect() as connection:
        return int(connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)


def test_rich_version_round_trips_losslessly(catalog: Catalog) -> None:
    version = rich_version()
    before = version.model_dump_json()
    drafted = catalog.draft(version)

    assert drafted.created
    assert version.model_dump_json() == before  # the input is not mutated
    got = catalog.get_version("acme", drafted.version.version or "")
    expected = _expected(version, got)
    assert got == expected
    # Byte for byte, key order included (JSONB would reorder "properties" of the schemas).
    assert got.model_dump_json() == expected.model_dump_json()
    assert drafted.version.model_dump_json() == got.model_dump_json()
    assert got.fetched_at.utcoffset() == FETCHED_AT.utcoffset()
    assert got.created_at is not None
    assert got.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - got.created_at).total_seconds()) < 60
    assert got.state == "draft"
    assert got.published_at is None
    assert [a.binding.kind for a in got.actions] == ["http", "graphql", "soap"]


def test_rows_are_one_per_item(catalog: Catalog) -> None:
    catalog.draft(rich_version())
    version = rich_version()
    assert _count(catalog, "actions") == len(version.actions)
    assert _count(catalog, "triggers") == len(version.triggers)
    assert _count(catalog, "definitions") == len(version.definitions)
    assert _count(catalog, "findings") == len(version.findings)
    with catalog.engine.connect() as connection:
        names = connection.scalars(sa.text("SELECT name FROM actions ORDER BY ordinal")).all()
    assert names == [a.name for a in version.actions]


def test_same_sha256_writes_nothing(catalog: Catalog) -> None:
    first = catalog.draft(rich_version())
    counts = {t: _count(catalog, t) for t in ("connectors", "versions", "actions", "definitions")}

    again = catalog.draft(rich_version(), label="another-label")

    assert not again.created
    assert again.version == first.version
    assert {t: _count(catalog, t) for t in counts} == counts
    assert catalog.find_by_sha256("acme", sha("rich")) == first.version
    assert catalog.find_by_sha256("acme", sha("nope")) is None
    assert catalog.find_by_sha256("nobody", sha("rich")) is None


def test_labels(catalog: Catalog) -> None:
    def label_of(version: ConnectorVersion, label: str | None = None) -> str:
        return catalog.draft(version, label=label).version.version or ""

    assert label_of(small_version(seed="a"), "given") == "given"
    assert label_of(small_version(seed="b", version="from-version")) == "from-version"
    assert label_of(small_version(seed="c", document_version="v1.2 (beta)")) == "v1.2-beta"
    assert label_of(small_version(seed="d", document_version="v1.2 (beta)")) == (
        f"v1.2-beta+{sha('d')[:8]}"
    )
    assert label_of(small_version(seed="e", document_version="1.0+build.5")) == "1.0+build.5"
    assert label_of(small_version(seed="f", document_version="1.0+build.5")) == (
        f"1.0+build.5.{sha('f')[:8]}"
    )
    assert label_of(small_version(seed="g", document_version="latest")) == f"latest+{sha('g')[:8]}"
    assert label_of(small_version(seed="h", document_version="  ")) == "1"
    assert label_of(small_version(seed="i")) == "2"
    assert label_of(small_version(seed="j"), "10") == "10"
    assert label_of(small_version(seed="k")) == "11"


@pytest.mark.parametrize("label", ["latest", "default", "bad label", "-x", ""])
def test_reserved_and_invalid_labels_are_refused(catalog: Catalog, label: str) -> None:
    with pytest.raises(InvalidName):
        catalog.draft(small_version(), label=label)
    assert _count(catalog, "versions") == 0


def test_a_taken_label_is_a_conflict(catalog: Catalog) -> None:
    catalog.draft(small_version(seed="a"), label="1.0")
    with pytest.raises(Conflict, match=r"acme@1\.0"):
        catalog.draft(small_version(seed="b"), label="1.0")
    with pytest.raises(Conflict):
        catalog.draft(small_version(seed="c", version="1.0"))
    assert _count(catalog, "versions") == 1


def test_the_reserved_labels_are_refused_by_the_database_too(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1")
    with pytest.raises(sa.exc.IntegrityError), catalog.engine.begin() as connection:
        connection.execute(sa.text("UPDATE versions SET label = 'latest'"))


def test_connector_rules(catalog: Catalog) -> None:
    with pytest.raises(InvalidName):
        catalog.draft(small_version(connector="Not A Slug"))
    catalog.draft(small_version(connector="acme"))
    graphql = small_version(connector="acme", seed="g").model_copy(
        update={"protocol": "graphql", "metadata": GraphQLMetadata(endpoint="https://x/graphql")}
    )
    with pytest.raises(ProtocolError, match="is an HTTP connector; this version is GraphQL"):
        catalog.draft(graphql)
    connector = catalog.get_connector("acme")
    assert connector.protocol == "http"
    assert connector.title == "Acme"
    assert connector.default_version is None
    assert connector.created_at is not None
    with pytest.raises(NotFound, match="known: acme"):
        catalog.get_connector("acne")


def test_latest_and_default_resolution(catalog: Catalog) -> None:
    catalog.draft(small_version(seed="1"), label="1.0")
    with pytest.raises(NotFound, match="published version"):
        catalog.resolve("acme", "latest")
    with pytest.raises(NotFound):
        catalog.get_version("acme")

    catalog.publish("acme", "1.0")
    catalog.draft(small_version(seed="2"), label="2.0")
    assert catalog.resolve("acme", "latest") == "1.0"  # 2.0 is a draft
    assert catalog.resolve("acme", "2.0") == "2.0"

    catalog.publish("acme", "2.0")
    assert catalog.resolve("acme", "latest") == "2.0"
    assert catalog.get_version("acme").version == "2.0"
    assert catalog.resolve("acme", "default") == "1.0"  # the first published became the default
    assert catalog.get_version("acme", "default").version == "1.0"

    catalog.set_default("acme", "2.0")
    assert catalog.resolve("acme", "default") == "2.0"
    catalog.deprecate("acme", "2.0", sunset=date(2031, 1, 1))
    assert catalog.resolve("acme", "latest") == "1.0"  # deprecated versions are not "latest"
    assert catalog.resolve("acme", "default") == "1.0"  # moved off it: following latest again

    with pytest.raises(NotFound, match=r"known: 1\.0, 2\.0"):
        catalog.resolve("acme", "3.0")
    with pytest.raises(NotFound, match="connector"):
        catalog.resolve("nobody", "latest")


def test_listing(catalog: Catalog) -> None:
    assert catalog.list_connectors() == []
    catalog.draft(rich_version(), label="1")
    catalog.publish("acme", "1")
    catalog.draft(small_version(seed="2"), label="2")
    catalog.draft(small_version(connector="zeta"), label="z1")

    summaries = catalog.list_connectors()
    assert [s.name for s in summaries] == ["acme", "zeta"]
    acme = summaries[0]
    assert isinstance(acme, ConnectorSummary)
    assert (acme.version_count, acme.latest_published, acme.newest) == (2, "1", "2")
    assert acme.default_version == "1"
    assert acme.protocol == "http"
    assert (summaries[1].version_count, summaries[1].latest_published, summaries[1].newest) == (
        1,
        None,
        "z1",
    )

    infos = catalog.list_versions("acme")
    assert [(i.label, i.state) for i in infos] == [("1", "published"), ("2", "draft")]
    rich = rich_version()
    assert (
        infos[0].action_count,
        infos[0].trigger_count,
        infos[0].definition_count,
        infos[0].finding_count,
    ) == (len(rich.actions), len(rich.triggers), len(rich.definitions), len(rich.findings))
    assert (infos[1].action_count, infos[1].trigger_count, infos[1].finding_count) == (2, 0, 0)
    assert infos[0].sha256 == rich.sha256
    assert infos[0].source == rich.source
    assert infos[0].published_at is not None
    assert infos[1].published_at is None
    with pytest.raises(NotFound):
        catalog.list_versions("nobody")


def test_every_field_of_a_version_is_stored(catalog: Catalog) -> None:
    """A field added to ConnectorVersion must reach the store: the rich sample sets every one."""
    version = rich_version()
    unset = [
        name
        for name, field in ConnectorVersion.model_fields.items()
        if getattr(version, name) == field.get_default(call_default_factory=True)
        and name
        not in {
            "version",
            "state",
            "created_at",
            "published_at",
            "sunset",
            "replacement",
            "content_sha256",  # the store's to compute
        }
    ]
    assert unset == []
    stored = catalog.draft(version).version
    mine = {"version", "created_at", "content_sha256"}
    assert stored.model_dump(exclude=mine) == version.model_dump(exclude=mine)
    assert stored.content_sha256 == content_sha256(version)
