"""JSON request bodies parsed as strictly as documents are (``connectory.documents.decode.parse_json``).

FastAPI parses a JSON body with ``json.loads``, which takes ``NaN``, ``Infinity`` and duplicate
keys (the last wins), and any nesting up to Python's recursion limit. ``StrictRoute`` hands its
routes a request whose ``json()`` refuses all of those, a body nested deeper than
``MAX_BODY_DEPTH`` (it could be stored and then never shown again: pydantic serialises at most
254 levels) and a string holding U+0000 (PostgreSQL cannot store it; SQLite can: a catalogue must
take the same bodies on both). The refusal is a 400 naming the place (``body:LINE:COLUMN``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from connectory._nesting import deeper_than, holds_nul
from connectory.documents.decode import parse_json
from connectory.errors import DocumentError

__all__ = ["MAX_BODY_DEPTH", "StrictRoute"]

MAX_BODY_DEPTH = 200
"""Refuse a JSON body nested deeper than this. Onboarded versions stay far below (their schemas
are cut at 40 levels)."""


class _StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as error:
                raise DocumentError(f"not UTF-8 at byte {error.start}", location="body") from None
            value = parse_json(text, "body")
            if deeper_than(value, MAX_BODY_DEPTH):
                raise DocumentError(
                    f"nested more than {MAX_BODY_DEPTH} levels deep", location="body"
                )
            if holds_nul(value):
                raise DocumentError("a string holds a NUL character (\\u0000)", location="body")
            self._json = value
        return self._json


class StrictRoute(APIRoute):
    """An ``APIRoute`` whose JSON bodies are parsed by ``_StrictRequest.json``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(_StrictRequest(request.scope, request.receive))

        return strict
