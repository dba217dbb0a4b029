"""``Catalog.add_auth_method``: a draft gets the method (and a new content hash); a published
version never changes."""

from __future__ import annotations

import pytest

from connectory.catalog import Catalog
from connectory.errors import Conflict, ImmutableVersion, NotFound
from connectory.model.auth import ApiKeyAuth, BearerAuth
from connectory.model.version import Vetting
from tests.support.samples import small_version

KEY = ApiKeyAuth(name="token", location="header", parameter="Authorization")


def test_a_draft_gets_the_method_and_a_new_hash(catalog: Catalog) -> None:
    drafted = catalog.draft(small_version(), label="1.0.0").version
    vetted = catalog.record_vetting(
        Vetting(connector="acme", version="1.0.0", reviewer="ann", verdict="approved")
    )
    assert vetted.sha256 == drafted.content_sha256
    changed = catalog.add_auth_method("acme", "1.0.0", KEY)
    stored = catalog.get_version("acme", "1.0.0")
    assert stored == changed
    assert stored.auth_methods == [KEY]
    assert stored.default_auth == [{"token": []}]
    assert all(action.auth == [{"token": []}] for action in stored.actions)
    assert stored.state == "draft"
    assert stored.sha256 == drafted.sha256  # the document it came from is the same
    assert stored.content_sha256 not in (None, drafted.content_sha256)
    # the approval was of the old content: a publish of what was reviewed is refused
    with pytest.raises(Conflict, match="changed since it was reviewed"):
        catalog.publish("acme", "1.0.0", content_sha256=vetted.sha256)
    with pytest.raises(Conflict, match="named 'token' already"):
        catalog.add_auth_method("acme", "1.0.0", BearerAuth(name="token"))
    with pytest.raises(NotFound, match="get-thing"):
        catalog.add_auth_method("acme", "1.0.0", BearerAuth(name="b"), actions=["nope"])
    assert catalog.get_version("acme", "1.0.0") == stored  # refusals wrote nothing


def test_a_published_version_is_refused(catalog: Catalog) -> None:
    catalog.draft(small_version(), label="1.0.0")
    published = catalog.publish("acme", "1.0.0").version
    with pytest.raises(ImmutableVersion, match=r"acme@1\.0\.0 is published: it cannot change"):
        catalog.add_auth_method("acme", "1.0.0", KEY)
    with pytest.raises(ImmutableVersion):
        catalog.add_auth_method("acme", "latest", KEY)
    assert catalog.get_version("acme", "1.0.0").auth_methods == published.auth_methods == []
    with pytest.raises(NotFound, match="version of acme"):
        catalog.add_auth_method("acme", "2.0.0", KEY)
    with pytest.raises(NotFound):
        catalog.add_auth_method("nobody", "1.0.0", KEY)
