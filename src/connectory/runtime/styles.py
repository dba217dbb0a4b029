"""OpenAPI parameter serialization: a value and its ``style``/``explode`` -> what goes on the wire.

The rules are the OpenAPI 3 "style values" table (after RFC 6570):

    location  style            primitive   array [3,4,5]            object {a: 1, b: 2}
    path      simple (default) 5           3,4,5                    a,1,b,2 | explode: a=1,b=2
    path      label            .5          .3,4,5 | explode: .3.4.5 .a,1,b,2 | explode: .a=1.b=2
    path      matrix           ;id=5       ;id=3,4,5 | ;id=3;id=4;id=5   ;id=a,1,b,2 | ;a=1;b=2
    query     form (default)   id=5        id=3&id=4&id=5 (explode, the default) | id=3,4,5
    query     spaceDelimited               id=3 4 5
    query     pipeDelimited                id=3|4|5
    query     deepObject                                            id[a]=1&id[b]=2
    header    simple           5           3,4,5                    a,1,b,2 | explode: a=1,b=2
    cookie    form             id=5        id=3,4,5                 id=a,1,b,2

Values print as JSON scalars do (``true``, ``1.5``); ``null`` as an empty string. Path values are
percent-encoded here; query values are returned as (name, value) pairs for the HTTP client to
encode. A parameter given with ``content`` (a media type) is sent as JSON text. ``put`` sets one
value on a request already built (what auth methods add).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from connectory.errors import InputError
from connectory.model.version import HttpParameter

__all__ = ["path_value", "put", "query_pairs", "scalar", "simple_value"]

_DEFAULT_STYLES = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def scalar(value: Any) -> str:
    """A primitive value as text: JSON's spelling of booleans and numbers, null empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    raise InputError(f"cannot send {type(value).__name__} {value!r} as a parameter value")


def _style(parameter: HttpParameter) -> tuple[str, bool]:
    style = parameter.style or _DEFAULT_STYLES[parameter.location]
    explode = parameter.explode if parameter.explode is not None else style == "form"
    return style, explode


def _pairs(value: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(key), scalar(item)) for key, item in value.items()]


def simple_value(parameter: HttpParameter, value: Any) -> str:
    """A header's value (style ``simple``), unencoded."""
    if parameter.media_type is not None:
        return json.dumps(value, separators=(",", ":"))
    _, explode = _style(parameter)
    if isinstance(value, list):
        return ",".join(scalar(item) for item in value)
    if isinstance(value, dict):
        if explode:
            return ",".join(f"{key}={item}" for key, item in _pairs(value))
        return ",".join(part for pair in _pairs(value) for part in pair)
    return scalar(value)


def _encoded(text: str) -> str:
    return quote(text, safe="")


def path_value(parameter: HttpParameter, value: Any) -> str:
    """A path parameter's text, percent-encoded, with its style's prefix."""
    if parameter.media_type is not None:
        return _encoded(json.dumps(value, separators=(",", ":")))
    style, explode = _style(parameter)
    name = _encoded(parameter.name)
    if style == "matrix" and explode and isinstance(value, list | dict):
        return "".join(f";{key}={item}" for key, item in _matrix_pairs(name, value))
    prefix = {"label": ".", "matrix": f";{name}="}.get(style, "")
    separator = "." if style == "label" and explode else ","
    return prefix + separator.join(_path_items(value, explode))


def _matrix_pairs(name: str, value: list[Any] | dict[str, Any]) -> list[tuple[str, str]]:
    """An exploded matrix value's (name, value) pairs, encoded: an array's items each under the
    parameter's ``name`` (``;id=3;id=4``), an object's members under their own (``;a=1;b=2``)."""
    if isinstance(value, dict):
        return [(_encoded(key), _encoded(item)) for key, item in _pairs(value)]
    return [(name, _encoded(scalar(item))) for item in value]


def _path_items(value: Any, explode: bool) -> list[str]:
    """A path value's parts, encoded, for its style to join: an array's items, an object's
    members (``a=1`` exploded, else ``a,1``), or the primitive value alone."""
    if isinstance(value, list):
        return [_encoded(scalar(item)) for item in value]
    if isinstance(value, dict):
        pairs = [(_encoded(key), _encoded(item)) for key, item in _pairs(value)]
        return [f"{key}={item}" if explode else f"{key},{item}" for key, item in pairs]
    return [_encoded(scalar(value))]


def query_pairs(parameter: HttpParameter, value: Any) -> list[tuple[str, str]]:
    """A query parameter (or a cookie, style ``form``) as (name, value) pairs, unencoded."""
    name = parameter.name
    if parameter.media_type is not None:
        return [(name, json.dumps(value, separators=(",", ":")))]
    style, explode = _style(parameter)
    if isinstance(value, list):
        items = [scalar(item) for item in value]
        if style == "spaceDelimited":
            return [(name, " ".join(items))]
        if style == "pipeDelimited":
            return [(name, "|".join(items))]
        if explode:
            return [(name, item) for item in items]
        return [(name, ",".join(items))]
    if isinstance(value, dict):
        if style == "deepObject":
            return [(f"{name}[{key}]", item) for key, item in _pairs(value)]
        if explode:
            return _pairs(value)
        return [(name, ",".join(part for pair in _pairs(value) for part in pair))]
    return [(name, scalar(value))]


def put(request: httpx.Request, location: str, name: str, value: str) -> None:
    """Set ``name`` to ``value`` on a built request: a header, a query parameter, or a cookie
    (replacing one of that name: the client's cookie jar may hold it already)."""
    if location == "header":
        request.headers[name] = value
    elif location == "query":
        request.url = request.url.copy_merge_params({name: value})
    else:
        kept = [
            part.strip()
            for part in request.headers.get("Cookie", "").split(";")
            if part.strip() and part.strip().split("=", 1)[0] != name
        ]
        request.headers["Cookie"] = "; ".join([*kept, f"{name}={value}"])
