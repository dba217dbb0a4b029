"""``invoke_pages`` against a paginated API on loopback, in each style, and a hostile one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectory import inspect
from connectory.errors import InputError, SourceError
from connectory.model.bindings import HttpBinding, Pagination
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke_pages
from connectory.runtime.paging import next_link
from tests.support.traffic import DOCUMENT, Answer, Seen, serve_traffic, things_version

THINGS = [{"id": n} for n in range(7)]


def _paged(version: ConnectorVersion, pagination: Pagination) -> ConnectorVersion:
    """``version`` with ``listThings`` paginated (as an overlay would set it)."""
    actions = []
    for action in version.actions:
        if action.name == "listThings":
            assert isinstance(action.binding, HttpBinding)
            binding = action.binding.model_copy(update={"pagination": pagination})
            action = action.model_copy(update={"binding": binding})
        actions.append(action)
    return version.model_copy(update={"actions": actions})


def _number(seen: Seen, name: str, default: int) -> int:
    return int(seen.query.get(name, default))


def test_cursor_pages(tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:
        at = _number(seen, "cursor", 0)
        following = at + 3 if at + 3 < len(THINGS) else None
        return Answer(body={"data": THINGS[at : at + 3], "next": following})

    pagination = Pagination(style="cursor", parameter="cursor", next="/next", items="/data")
    version = _paged(things_version(tmp_path), pagination)
    with serve_traffic(answer) as server:
        items = list(invoke_pages(version, "listThings", {"query": {"q": "x"}}, server=server.base_url))  # fmt: skip
    assert items == THINGS
    assert [s.query for s in server.seen] == [
        {"q": "x"},
        {"q": "x", "cursor": "3"},
        {"q": "x", "cursor": "6"},
    ]


def test_page_numbers_stop_at_a_short_page(tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:
        page, size = _number(seen, "page", 1), _number(seen, "per_page", 30)
        return Answer(body=THINGS[(page - 1) * size : page * size])

    pagination = Pagination(style="page", parameter="page", limit_parameter="per_page", page_size=3)
    version = things_version(tmp_path)
    with serve_traffic(answer) as server:
        items = list(invoke_pages(version, "listThings", server=server.base_url, pagination=pagination))  # fmt: skip
    assert items == THINGS
    assert [s.query for s in server.seen] == [
        {"per_page": "3"},
        {"per_page": "3", "page": "2"},
        {"per_page": "3", "page": "3"},
    ]


def test_offsets_stop_at_an_empty_page(tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:
        at, size = _number(seen, "offset", 0), _number(seen, "limit", 2)
        return Answer(body={"total": 7, "results": THINGS[at : at + size]})

    pagination = Pagination(style="offset", parameter="offset", limit_parameter="limit", items="/results")  # fmt: skip
    version = _paged(things_version(tmp_path), pagination)
    with serve_traffic(answer) as server:
        items = list(invoke_pages(version, "listThings", server=server.base_url))
    assert items == THINGS
    assert [s.query.get("offset") for s in server.seen] == [None, "2", "4", "6", "7"]


def test_link_headers_absolute_and_relative(tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:
        at = _number(seen, "after", 0)
        headers = {}
        if at + 3 < len(THINGS):
            target = f"/things?after={at + 3}" if at else f"{base}/things?after=3"
            headers["Link"] = f'<{target}>; rel="next", <{base}/things?after=6>; rel="last"'
        return Answer(body=THINGS[at : at + 3], headers=headers)

    version = _paged(things_version(tmp_path), Pagination(style="link"))
    with serve_traffic(answer) as server:
        base = server.base_url
        pages = invoke_pages(version, "listThings", server=server.base_url)
        assert next(pages) == {"id": 0}
        assert len(server.seen) == 1  # lazily: the next page when its items are wanted
        items = [{"id": 0}, *pages]
    assert items == THINGS
    assert len(server.seen) == 3


def test_a_repeated_cursor_is_an_error(tmp_path: Path) -> None:
    pagination = Pagination(style="cursor", parameter="c", next="/next", items="/data")
    version = _paged(things_version(tmp_path), pagination)
    got: list[Any] = []
    with (
        serve_traffic(lambda _: Answer(body={"data": [1], "next": "again"})) as server,
        pytest.raises(SourceError, match="points to an earlier page again"),
    ):
        got.extend(invoke_pages(version, "listThings", server=server.base_url))
    assert (got, len(server.seen)) == ([1, 1], 2)


def test_an_endless_cursor_stops_at_max_pages(tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:
        return Answer(body={"data": [1], "next": _number(seen, "c", 0) + 1})

    pagination = Pagination(style="cursor", parameter="c", next="/next", items="/data")
    version = _paged(things_version(tmp_path), pagination)
    with (
        serve_traffic(answer) as server,
        pytest.raises(SourceError, match=r"more than 5 pages \(max_pages, --max-pages\)"),
    ):
        list(invoke_pages(version, "listThings", server=server.base_url, max_pages=5))
    assert len(server.seen) == 5


def test_max_items_yields_that_many_then_an_error(tmp_path: Path) -> None:
    version = _paged(things_version(tmp_path), Pagination(style="page", parameter="page"))
    got: list[Any] = []
    with (
        serve_traffic(
            lambda s: Answer(body=THINGS[(_number(s, "page", 1) - 1) * 3 :][:3])
        ) as server,  # fmt: skip
        pytest.raises(SourceError, match="more than 4 items"),
    ):
        got.extend(invoke_pages(version, "listThings", server=server.base_url, max_items=4))
    assert got == THINGS[:4]


def test_a_page_the_server_repeats_is_an_error(tmp_path: Path) -> None:
    version = _paged(things_version(tmp_path), Pagination(style="page", parameter="page"))
    with (
        serve_traffic(lambda _: Answer(body=THINGS[:3])) as server,
        pytest.raises(SourceError, match="seems to ignore 'page'"),
    ):
        list(invoke_pages(version, "listThings", server=server.base_url))


def test_a_page_over_the_byte_cap_is_not_read(tmp_path: Path) -> None:
    version = _paged(things_version(tmp_path), Pagination(style="link"))
    huge = [{"id": n} for n in range(100_000)]
    with (
        serve_traffic(lambda _: Answer(body=huge)) as server,
        pytest.raises(SourceError, match=r"a page is larger than 1,000 bytes \(max_page_bytes"),
    ):
        list(invoke_pages(version, "listThings", server=server.base_url, max_page_bytes=1000))


def test_a_next_link_to_another_origin_is_not_followed(tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:
        return Answer(body=[{"id": 1}], headers={"Link": '<https://evil.invalid/x?k=1>; rel="next"'})  # fmt: skip

    version = _paged(things_version(tmp_path), Pagination(style="link"))
    with (
        serve_traffic(answer) as server,
        pytest.raises(SourceError, match="another origin"),
    ):
        list(invoke_pages(version, "listThings", server=server.base_url))
    assert len(server.seen) == 1


def test_an_http_error_and_a_missing_pagination(tmp_path: Path) -> None:
    version = _paged(things_version(tmp_path), Pagination(style="link"))
    with (
        serve_traffic(lambda _: Answer(404, {"message": "no"})) as server,
        pytest.raises(SourceError, match="page 1: HTTP 404"),
    ):
        list(invoke_pages(version, "listThings", server=server.base_url))
    with pytest.raises(InputError, match="listThings has no pagination"):
        list(invoke_pages(things_version(tmp_path), "listThings", server="http://127.0.0.1:9"))


def test_link_header_values() -> None:
    assert next_link('<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"') == "https://a/x?page=2"  # fmt: skip
    assert next_link('<https://a/p1>; rel="prev first", <https://a/p3>; rel=next') == "https://a/p3"
    assert next_link('<https://a/x>; rel="last"') is None
    assert next_link(None) is None


def test_pagination_is_detected_from_the_document(tmp_path: Path) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    get = document["paths"]["/things"]["get"]
    get["responses"]["200"]["headers"] = {"Link": {"schema": {"type": "string"}}}
    document["paths"]["/cursor"] = {
        "get": {
            "operationId": "cursorThings",
            "x-pagination": {
                "style": "cursor",
                "parameter": "c",
                "next": "/meta/next",
                "items": "/data",
            },
            "responses": {"200": {"description": "ok"}},
        },
        "post": {
            "operationId": "speakeasyCursor",
            "x-speakeasy-pagination": {
                "type": "cursor",
                "inputs": [{"name": "after", "in": "parameters", "type": "cursor"}],
                "outputs": {"nextCursor": "$.meta.next", "results": "$.data"},
            },
            "responses": {"200": {"description": "ok"}},
        },
        "patch": {
            "operationId": "speakeasyOffset",
            "x-speakeasy-pagination": {
                "type": "offsetLimit",
                "inputs": [
                    {"name": "skip", "in": "parameters", "type": "offset"},
                    {"name": "top", "in": "parameters", "type": "limit"},
                ],
                "outputs": {"results": "$.value"},
            },
            "responses": {"200": {"description": "ok"}},
        },
        "delete": {
            "operationId": "speakeasyBad",
            "x-speakeasy-pagination": {"type": "cursor", "outputs": {"nextCursor": "$..x[0]"}},
            "responses": {"200": {"description": "ok"}},
        },
        "put": {
            "operationId": "badPagination",
            "x-pagination": {"style": "cursor"},
            "responses": {"200": {"description": "ok"}},
        },
    }
    version = things_version(tmp_path, document)
    bindings = {a.name: a.binding for a in version.actions}
    assert bindings["listThings"].pagination == Pagination(style="link")  # type: ignore[union-attr]
    assert bindings["cursorThings"].pagination == Pagination(style="cursor", parameter="c", next="/meta/next", items="/data")  # type: ignore[union-attr]  # fmt: skip
    assert bindings["speakeasyCursor"].pagination == Pagination(style="cursor", parameter="after", next="/meta/next", items="/data")  # type: ignore[union-attr]  # fmt: skip
    assert bindings["speakeasyOffset"].pagination == Pagination(style="offset", parameter="skip", limit_parameter="top", items="/value")  # type: ignore[union-attr]  # fmt: skip
    assert bindings["badPagination"].pagination is None  # type: ignore[union-attr]
    assert bindings["speakeasyBad"].pagination is None  # type: ignore[union-attr]
    found = [f for f in version.findings if f.kind == "invalid-pagination"]
    assert sorted(f.location for f in found) == [
        "/paths/~1cursor/delete/x-speakeasy-pagination",
        "/paths/~1cursor/put/x-pagination",
    ]
    assert bindings["addThing"].pagination is None  # type: ignore[union-attr]


def test_no_pagination_leaves_the_content_hash_as_it_was() -> None:
    version = inspect(Path(__file__).parents[2] / "examples/openapi/1password-connect.json")
    dumped = json.dumps(version.model_dump(mode="json", exclude_defaults=True))
    assert '"pagination"' not in dumped  # the canonical form content_sha256 hashes
