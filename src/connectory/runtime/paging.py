"""The pages of a list action, one request after another, as its ``Pagination`` describes them.

    for item in invoke_pages(version, "listIssues", {"query": {"state": "open"}}): ...

``invoke_pages`` calls the action as ``invoke`` does (the same input, auth, trust, retries and
checks) and yields the items of each page as it reads them; the page after is asked for only
when those are used. The ``Pagination`` comes from the action's binding (detected at onboarding
where the document says so, or set by an overlay) or is given by the caller.

    pager = Pager(pagination, first_request, caps, shown)
    items = pager.items(body)                          the page's items (a list, else an error)
    following = pager.next(request, headers, body, items)   the next page's request, or None

A server decides how many pages there are: every way it could keep a caller forever is bounded
(``PageCaps``: pages, items, bytes per page) or refused (a cursor or a link given again, a page
number or offset the server ignores, a next link to another origin: the call's secrets must not
follow it), each with a ``SourceError`` that says which cap and how to raise it.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectory._wording import article, protocol_name
from connectory.errors import InputError, SourceError, SourceUnreachable
from connectory.model.bindings import HttpBinding, Pagination
from connectory.model.version import ConnectorVersion
from connectory.origins import origin
from connectory.redaction import Redactor, redact_url
from connectory.schemas.pointer import unescape
from connectory.settings import Settings

from .credentials import Credentials, secret_values
from .invoke import Invocation, _budget, _call, _connection, _settings_from_env, build_request
from .oauth import Token

__all__ = ["PageCaps", "Pager", "invoke_pages", "next_link"]

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")


def next_link(value: str | None) -> str | None:
    """The target of the ``rel="next"`` link in a ``Link`` header value (RFC 8288), if any."""
    for found in _LINK.finditer(value or ""):
        for parameter in found.group(2).split(";"):
            name, _, text = parameter.partition("=")
            if name.strip().lower() == "rel" and "next" in text.strip().strip('"').lower().split():
                return found.group(1).strip()
    return None


@dataclass(frozen=True)
class PageCaps:
    max_pages: int
    max_items: int
    max_page_bytes: int


def _at(value: Any, pointer: str) -> Any:
    if not pointer:
        return value
    for token in pointer[1:].split("/"):
        token = unescape(token)
        if isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        elif isinstance(value, dict) and token in value:
            value = value[token]
        else:
            return None
    return value


def _number(url: httpx.URL, name: str | None) -> int | None:
    value = url.params.get(name) if name else None
    return int(value) if value is not None and value.isdigit() else None


def _with(request: httpx.Request, url: httpx.URL) -> httpx.Request:
    return httpx.Request(request.method, url, headers=request.headers, content=request.read())


class Pager:
    """Where the pages of one call are (see the module docstring); ``shown``: the first URL,
    redacted, for errors."""

    def __init__(
        self, pagination: Pagination, first: httpx.Request, caps: PageCaps, shown: str
    ) -> None:
        self.pagination, self.caps, self.shown = pagination, caps, shown
        self.origin = origin(first.url)
        self.pages = 0
        self.count = 0
        self.seen: set[str] = set()
        self.previous: list[Any] | None = None
        style, url = pagination.style, first.url
        default = 1 if style == "page" else 0
        given = _number(url, pagination.parameter)
        start = pagination.start if pagination.start is not None else default
        self.position = given if given is not None else start
        self.size = _number(url, pagination.limit_parameter) or pagination.page_size
        self.first = first
        if style == "link":
            self.seen.add(str(url))
        elif style == "cursor" and pagination.parameter in url.params:
            self.seen.add(url.params[pagination.parameter])
        limit = pagination.limit_parameter
        if limit and pagination.page_size and style != "link" and _number(url, limit) is None:
            self.first = _with(first, url.copy_set_param(limit, pagination.page_size))

    def _error(self, message: str) -> SourceError:
        return SourceError(message, location=self.shown)

    def items(self, body: Any) -> list[Any]:
        """The items of the page just read (counted: past ``max_items``, ``too_many``)."""
        self.pages += 1
        items = _at(body, self.pagination.items)
        if not isinstance(items, list):
            where = self.pagination.items or "the answer"
            raise self._error(f"page {self.pages}: no array of items at {where}")
        self.count += len(items)
        return items

    def too_many(self) -> SourceError:
        return self._error(
            f"more than {self.caps.max_items:,} items (max_items, --max-items): stopped at "
            f"page {self.pages}"
        )

    def next(
        self, request: httpx.Request, headers: Mapping[str, str], body: Any, items: list[Any]
    ) -> httpx.Request | None:
        """The request of the page after the one ``request`` got (None: it was the last)."""
        style = self.pagination.style
        if style == "link":
            found = self._linked(request, headers)
        elif style == "cursor":
            found = self._cursored(request, body)
        else:
            found = self._counted(request, items)
        if found is None:
            return None
        following, mark = found
        if mark in self.seen:
            raise self._error(
                f"page {self.pages}: the server points to an earlier page again "
                f"(its {'link' if style == 'link' else 'cursor'} repeats): it would never end"
            )
        self.seen.add(mark)
        if self.pages >= self.caps.max_pages:
            raise self._error(
                f"more than {self.caps.max_pages:,} pages (max_pages, --max-pages): page "
                f"{self.pages} still points to another"
            )
        return following

    def _linked(
        self, request: httpx.Request, headers: Mapping[str, str]
    ) -> tuple[httpx.Request, str] | None:
        """The ``Link: <...>; rel="next"`` page, on the same origin only."""
        target = next_link(headers.get("link"))
        if not target:
            return None
        url = request.url.join(target)
        if origin(url) != self.origin:
            raise self._error(
                f"page {self.pages}: the next page is on another origin "
                f"({redact_url(str(url))}): not followed"
            )
        return _with(request, url), str(url)

    def _cursored(self, request: httpx.Request, body: Any) -> tuple[httpx.Request, str] | None:
        """The page the answer's cursor names (none, empty or false: the last page)."""
        pagination = self.pagination
        cursor = _at(body, pagination.next or "")
        if cursor is None or cursor == "" or cursor is False:
            return None
        if not isinstance(cursor, str | int) or isinstance(cursor, bool):
            raise self._error(f"page {self.pages}: the cursor at {pagination.next} is not text")
        mark = str(cursor)
        return _with(request, request.url.copy_set_param(pagination.parameter or "", mark)), mark

    def _counted(
        self, request: httpx.Request, items: list[Any]
    ) -> tuple[httpx.Request, str] | None:
        """The next page by number or offset (an empty or short page: the last)."""
        pagination = self.pagination
        if not items or (self.size is not None and len(items) < self.size):
            return None
        if self.previous == items:
            raise self._error(
                f"page {self.pages} is the same as the page before: the server seems to "
                f"ignore {pagination.parameter!r}"
            )
        self.previous = items
        self.position += 1 if pagination.style == "page" else len(items)
        mark = str(self.position)
        return _with(request, request.url.copy_set_param(pagination.parameter or "", mark)), mark


def invoke_pages(
    version: ConnectorVersion,
    action_name: str,
    given: Any = None,
    *,
    pagination: Pagination | None = None,
    credentials: Credentials | None = None,
    server: str | None = None,
    trusted_origins: Collection[str] | None = None,
    client: httpx.Client | None = None,
    settings: Settings | None = None,
    on_token: Callable[[str, Token], None] | None = None,
    retries: int | None = None,
    max_wait_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_pages: int | None = None,
    max_items: int | None = None,
    max_page_bytes: int | None = None,
    on_page: Callable[[Invocation], None] | None = None,
) -> Iterator[Any]:
    """The items of every page of ``action_name`` (see the module docstring; the arguments are
    ``invoke``'s), secret values in them shown as ``***``.

    ``pagination`` overrides the action's. At most ``max_pages`` pages, ``max_items`` items,
    ``max_page_bytes`` per page (by default ``settings.invoke_max_pages``, ``invoke_max_items``,
    ``invoke_max_page_bytes``): past one, a ``SourceError`` naming it. A page answered with an
    HTTP error is a ``SourceError`` (``SourceUnreachable`` for 5xx and 429). ``on_page`` is told
    of each page's ``Invocation`` (its status, its ``problems``) before its items are yielded."""
    settings = settings or _settings_from_env()
    budget = _budget(settings, retries, max_wait_seconds, sleep)
    action = version.action(action_name)
    binding = action.binding
    pagination = pagination or (binding.pagination if isinstance(binding, HttpBinding) else None)
    if not isinstance(binding, HttpBinding):
        raise InputError(
            f"{action.name} is {article(protocol_name(binding.kind))} action: "
            "only HTTP actions have pages"
        )
    if pagination is None:
        raise InputError(
            f"{action.name} has no pagination: describe it (HttpBinding.pagination, by an "
            "overlay) or give one (pagination=)"
        )
    caps = PageCaps(
        settings.invoke_max_pages if max_pages is None else max_pages,
        settings.invoke_max_items if max_items is None else max_items,
        settings.invoke_max_page_bytes if max_page_bytes is None else max_page_bytes,
    )
    if min(caps.max_pages, caps.max_items, caps.max_page_bytes) < 1:
        raise InputError("max_pages, max_items and max_page_bytes must be at least 1")
    capped = dataclasses.replace(
        settings, max_document_bytes=min(settings.max_document_bytes, caps.max_page_bytes)
    )
    too_large = (
        f"a page is larger than {capped.max_document_bytes:,} bytes (max_page_bytes, "
        "--max-page-bytes): not read further"
    )
    credentials = credentials or {}
    redactor = Redactor(secret_values(credentials))
    with redactor.errors():
        first = build_request(version, action_name, given, server=server, settings=settings)
        pager = Pager(pagination, first, caps, redact_url(str(first.url)))
        with _connection(
            version, action, first, credentials, redactor, server, trusted_origins, client, settings, on_token
        ) as (auth, used):  # fmt: skip
            request: httpx.Request | None = pager.first
            while request is not None:
                page = _call(version, action, request, auth, used, capped, budget, redactor, too_large)  # fmt: skip
                if page.status >= 400:
                    error = SourceUnreachable if page.status >= 500 or page.status == 429 else SourceError  # fmt: skip
                    raise error(f"page {pager.pages + 1}: HTTP {page.status}", location=page.url)
                if on_page is not None:
                    on_page(page)
                headers, body = page._answer
                items = pager.items(body)
                over = pager.count - caps.max_items
                yield from redactor.value(items[: len(items) - max(over, 0)])
                if over > 0:
                    raise pager.too_many()
                request = pager.next(request, httpx.Headers(headers), body, items)
