"""Every limit and safety switch of onboarding, in one frozen object passed explicitly.

The defaults are safe for hostile input; raise a limit only for a document you trust.
``Settings.from_env()`` reads ``CONNECTORY_<FIELD>`` overrides,
e.g. ``CONNECTORY_MAX_DOCUMENT_BYTES``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from .errors import InputError

__all__ = ["DEFAULT_SETTINGS", "Settings"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    max_document_bytes: int = 64 * 1024 * 1024
    """Refuse a document (or a response) larger than this."""
    fetch_deadline: float = 60.0
    """Total seconds one fetch may take, however slowly the server drips its answer."""
    connect_timeout: float = 10.0
    max_redirects: int = 5

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        overrides: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            value = environ.get(f"CONNECTORY_{field.name.upper()}")
            if value is not None:
                kind = int if field.type in ("int", int) else float
                try:
                    overrides[field.name] = kind(value)
                except ValueError:
                    raise InputError(
                        f"CONNECTORY_{field.name.upper()}={value!r} is not a number"
                    ) from None
        return dataclasses.replace(cls(), **overrides)  # type: ignore[arg-type]


DEFAULT_SETTINGS = Settings()
